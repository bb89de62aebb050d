import { ApiObject } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Cloud, ClusterProfile, TfStrategy, TfTrainingJob, TfTrainingJobProps, TrainingBackend, TrainingCheckpoint } from '../../lib';
import { synthManifests } from '../k8s-helpers';
import { modelCluster } from '../k8s/controllers';
import { expandEnvironment } from '../k8s/kubelet';
import { PodEnd, restartDecision } from '../k8s/restart-policy';
import { ensureTensorflowPython, freePorts, runTensorflowTasks } from './tensorflow-tools';

/**
 * A reclaim, for real: three TensorFlow processes form a MultiWorkerMirrored cluster from the
 * TF_CONFIG the library writes, checkpoint through PreemptionCheckpointHandler into the directory
 * the pod template names, and one of them gets SIGTERM mid-run. The exit codes and the pod
 * conditions go through a model of the controllers that read the library's restart policy; the
 * tasks it says to recreate are started again with the same environment, and training must resume
 * from the last checkpoint and finish at the expected step.
 */
const SCRIPT = path.join(__dirname, 'tf', 'tf_preemptible.py');
const TOTAL_STEPS = 40;
const CPU_CLUSTER = new ClusterProfile({
  cloud: Cloud.GKE,
  name: 'ci',
  kubernetesVersion: '1.33',
  capabilities: { devicePluginRequired: false, managedGpuDrivers: true, extendedResourceToleration: true, networkPolicyEnforced: true, workloadIdentity: true },
  pools: [{ name: 'cpu', machineType: 'e2-standard-8', gpusPerNode: 0, minNodes: 1, maxNodes: 3, spot: false, labels: {}, taints: [], devicePluginRequired: false }],
});

function synthJob(backend: TrainingBackend): any[] {
  const props: TfTrainingJobProps = {
    namespace: 'team-a',
    image: 'tensorflow/tensorflow:2.21.0',
    cluster: CPU_CLUSTER,
    strategy: TfStrategy.MULTI_WORKER_MIRRORED,
    backend,
    workers: { replicas: 3 },
    checkpoint: TrainingCheckpoint.volume('checkpoints'),
    // Out-of-memory kills are worth a retry; any other crash is a bug and fails fast.
    ...(backend === TrainingBackend.KUBEFLOW_TFJOB ? {} : { retryableExitCodes: [137] }),
  };
  return synthManifests((chart) => {
    new ApiObject(chart, 'pvc', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'checkpoints', namespace: 'team-a' }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } } });
    new TfTrainingJob(chart, 'job', props);
  });
}

/** The policy this library wrote before preemption semantics (commit 37d74df), for the same job. */
function withTodaysPolicy(docs: readonly any[]): any[] {
  const copy = JSON.parse(JSON.stringify(docs));
  for (const doc of copy) {
    const jobs = doc.kind === 'JobSet' ? doc.spec.replicatedJobs.map((r: any) => r.template.spec) : doc.kind === 'Job' ? [doc.spec] : [];
    for (const spec of jobs) {
      spec.podFailurePolicy = { rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'tensorflow', operator: 'NotIn', values: [137] } },
      ] };
    }
    if (doc.kind === 'TFJob') for (const spec of Object.values<any>(doc.spec.tfReplicaSpecs)) spec.restartPolicy = 'OnFailure';
  }
  return copy;
}

interface Task {
  readonly task: string;
  readonly env: Record<string, string>;
}

/** Each pod's environment as the kubelet builds it, with TF_CONFIG addresses mapped to local ports and the volume to `dir`. */
async function tasksOf(docs: readonly any[], dir: string): Promise<Task[]> {
  const { pods } = modelCluster(docs);
  const envs = pods.map((pod) => ({ pod, env: expandEnvironment(pod.spec.containers[0].env, pod) }));
  const addresses = [...new Set(envs.flatMap(({ env }) => Object.values<string[]>(JSON.parse(env.TF_CONFIG).cluster).flat()))];
  const ports = await freePorts(addresses.length);
  const local = new Map(addresses.map((a, i) => [a, `127.0.0.1:${ports[i]}`]));
  return envs.map(({ pod, env }) => {
    const config = JSON.parse(env.TF_CONFIG);
    const cluster = Object.fromEntries(Object.entries<string[]>(config.cluster).map(([role, list]) => [role, list.map((a) => local.get(a)!)]));
    const mount = pod.spec.containers[0].volumeMounts.find((m: any) => m.name === 'checkpoints').mountPath;
    return {
      task: `${config.task.type}-${config.task.index}`,
      env: {
        TF_CONFIG: JSON.stringify({ cluster, task: config.task }),
        CHECKPOINT_DIR: env.CHECKPOINT_DIR.replace(mount, dir),
        PREEMPTION_EXIT_CODE: env.PREEMPTION_EXIT_CODE,
        TOTAL_STEPS: String(TOTAL_STEPS),
      },
    };
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const lastStep = (stdout: string) => Math.max(0, ...[...stdout.matchAll(/^step (\d+)$/gm)].map((m) => Number(m[1])));
const events = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

describe('a reclaimed worker, with real TensorFlow', () => {
  let python: string;
  let ends: PodEnd[];
  let firstRunStep: number;
  let tasks: Task[];
  const jobSet = synthJob(TrainingBackend.JOBSET);

  beforeAll(async () => {
    python = ensureTensorflowPython();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-ckpt-'));
    tasks = await tasksOf(jobSet, dir);
    expect(tasks.map((t) => t.task)).toEqual(['worker-0', 'worker-1', 'worker-2']);
    const running = runTensorflowTasks(python, SCRIPT, tasks.map((t) => ({ args: [], env: t.env })), 240_000);
    // The reclaim: SIGTERM to worker 1 once training is under way; its pod gets DisruptionTarget.
    await waitFor(() => lastStep(running[1].stdout()) >= 10, 180_000);
    running[1].terminate();
    const results = await Promise.all(running.map((r) => r.done));
    firstRunStep = Math.max(...results.map((r) => lastStep(r.stdout)));
    ends = tasks.map((t, i) => ({ task: t.task, exitCode: results[i].code ?? -1, disrupted: t.task === 'worker-1' }));
  }, 20 * 60_000);

  test('every worker saves and exits with the preemption code, mid-run', () => {
    expect(ends.map((e) => e.exitCode)).toEqual([143, 143, 143]);
    expect(firstRunStep).toBeGreaterThanOrEqual(10);
    expect(firstRunStep).toBeLessThan(TOTAL_STEPS);
  });

  test.each([TrainingBackend.JOBSET, TrainingBackend.INDEXED_JOB, TrainingBackend.KUBEFLOW_TFJOB])('%s: the controllers recreate every worker and count no restart', (backend) => {
    const decision = restartDecision(synthJob(backend), ends);
    expect(decision).toMatchObject({ failed: false, counted: 0 });
    expect([...decision.recreated].sort()).toEqual(['worker-0', 'worker-1', 'worker-2']);
  });

  test('under the policy before this change the job fails (JobSet, indexed Job) or spends restarts (TFJob)', () => {
    expect(restartDecision(withTodaysPolicy(jobSet), ends)).toMatchObject({ failed: true });
    expect(restartDecision(withTodaysPolicy(synthJob(TrainingBackend.INDEXED_JOB)), ends)).toMatchObject({ failed: true });
    expect(restartDecision(withTodaysPolicy(synthJob(TrainingBackend.KUBEFLOW_TFJOB)), ends).counted).toBe(3);
  });

  test('a bad exit code still fails fast', () => {
    const crash = ends.map((e) => (e.task === 'worker-2' ? { ...e, exitCode: 1, disrupted: false } : e));
    expect(restartDecision(jobSet, crash)).toMatchObject({ failed: true });
    expect(restartDecision(synthJob(TrainingBackend.KUBEFLOW_TFJOB), crash)).toMatchObject({ failed: true });
  });

  test('restarted as the policy says, with the same TF_CONFIG, training resumes from the checkpoint and ends at the last step', async () => {
    const decision = restartDecision(jobSet, ends);
    expect(decision.failed).toBe(false);
    const again = tasks.filter((t) => decision.recreated.includes(t.task));
    const results = await Promise.all(runTensorflowTasks(python, SCRIPT, again.map((t) => ({ args: [], env: t.env })), 240_000).map((run) => run.done));
    for (const result of results) {
      if (result.code !== 0) throw new Error(`exit ${result.code}:\n${result.stderr.slice(-3000)}`);
      const done = events(result.stdout).find((e) => e.event === 'done');
      expect(done.restored_at).toBeGreaterThanOrEqual(10);
      expect(done.restored_at).toBeLessThanOrEqual(firstRunStep);
      expect(done).toMatchObject({ final_step: TOTAL_STEPS, steps_done: TOTAL_STEPS });
      expect(done.weight).toBeCloseTo(3, 3);
    }
  }, 10 * 60_000);
});
