import * as path from 'path';
import { Cloud, ClusterProfile, TfStrategy, TfTrainingJob, TfTrainingJobProps, TrainingBackend } from '../../lib';
import { synthManifests } from '../k8s-helpers';
import { modelCluster, unreachable } from '../k8s/controllers';
import { expandEnvironment } from '../k8s/kubelet';
import { ensureTensorflowPython, freePorts, runTensorflowTasks } from './tensorflow-tools';

/**
 * Synthesized jobs are run for real: each pod's environment is computed as the kubelet would,
 * every TF_CONFIG address is checked against what cluster DNS would serve, and then one
 * TensorFlow process per pod forms the cluster on 127.0.0.1 (each address mapped to its own port).
 */
const SCRIPT = path.join(__dirname, 'tf', 'tf_task.py');
const CPU_CLUSTER = new ClusterProfile({
  cloud: Cloud.GKE,
  name: 'ci',
  kubernetesVersion: '1.33',
  capabilities: { devicePluginRequired: false, managedGpuDrivers: true, extendedResourceToleration: true, networkPolicyEnforced: true, workloadIdentity: true },
  pools: [{ name: 'cpu', machineType: 'e2-standard-8', gpusPerNode: 0, minNodes: 1, maxNodes: 3, spot: false, labels: {}, taints: [], devicePluginRequired: false }],
});

interface RunningPod {
  readonly name: string;
  readonly tfConfig: { cluster: Record<string, string[]>; task: { type: string; index: number } };
}

/** Synthesizes the job, checks DNS for every address, and returns each pod's parsed TF_CONFIG. */
function podsWithTfConfig(props: Omit<TfTrainingJobProps, 'namespace' | 'image' | 'cluster'>): RunningPod[] {
  const docs = synthManifests((chart) => new TfTrainingJob(chart, 'job', { namespace: 'team-a', image: 'tensorflow/tensorflow:2.21.0', cluster: CPU_CLUSTER, ...props }));
  const { pods, services } = modelCluster(docs);
  const running = pods.map((pod) => {
    const env = expandEnvironment(pod.spec.containers[0].env, pod);
    return { name: pod.name, tfConfig: JSON.parse(env.TF_CONFIG) };
  });
  const addresses = new Set<string>(running.flatMap((p) => Object.values<string[]>(p.tfConfig.cluster).flat()));
  const problems = [...addresses].map((a) => unreachable(a, pods, services)).filter(Boolean);
  expect(problems).toEqual([]);
  return running;
}

/** Rewrites every address to its own local port and runs one process per pod. */
async function runCluster(python: string, strategy: TfStrategy, pods: RunningPod[], waitFor: (p: RunningPod) => boolean) {
  const addresses = [...new Set(pods.flatMap((p) => Object.values(p.tfConfig.cluster).flat()))];
  const ports = await freePorts(addresses.length);
  const local = new Map(addresses.map((a, i) => [a, `127.0.0.1:${ports[i]}`]));
  const specs = pods.map((pod) => {
    const cluster = Object.fromEntries(Object.entries(pod.tfConfig.cluster).map(([role, list]) => [role, list.map((a) => local.get(a)!)]));
    return { args: [strategy], env: { TF_CONFIG: JSON.stringify({ cluster, task: pod.tfConfig.task }) } };
  });
  const tasks = runTensorflowTasks(python, SCRIPT, specs, 120_000).map((task, i) => ({ pod: pods[i], task }));
  const finished = await Promise.all(tasks.filter((t) => waitFor(t.pod)).map(async (t) => ({ pod: t.pod, result: await t.task.done })));
  tasks.forEach((t) => t.task.kill());
  // The killed tasks are reaped before the test goes on, so none outlives the file's jest worker.
  await Promise.all(tasks.map((t) => t.task.done));
  return finished.map(({ pod, result }) => {
    const line = result.stdout.trim().split('\n').pop() ?? '';
    if (result.code !== 0) throw new Error(`${pod.name} exited ${result.code}:\n${result.stderr.slice(-3000)}`);
    return { pod, output: JSON.parse(line) };
  });
}

describe('TF_CONFIG forms a real TensorFlow cluster', () => {
  let python: string;
  beforeAll(() => {
    python = ensureTensorflowPython();
  }, 20 * 60_000);

  test('indexed-job backend, MultiWorkerMirrored, 3 workers: the all-reduce sum is 3', async () => {
    const pods = podsWithTfConfig({ strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 3 } });
    expect(pods.map((p) => p.tfConfig.task)).toEqual([0, 1, 2].map((index) => ({ type: 'worker', index })));
    const results = await runCluster(python, TfStrategy.MULTI_WORKER_MIRRORED, pods, () => true);
    expect(results.map((r) => r.output.all_reduce_sum)).toEqual([3, 3, 3]);
    expect(results.every((r) => r.output.replicas === 3)).toBe(true);
  }, 180_000);

  test('JobSet backend, MultiWorkerMirrored, chief and 3 workers: the all-reduce sum is 4', async () => {
    const pods = podsWithTfConfig({ backend: TrainingBackend.JOBSET, strategy: TfStrategy.MULTI_WORKER_MIRRORED, chief: {}, workers: { replicas: 3 } });
    expect(pods.map((p) => `${p.tfConfig.task.type}/${p.tfConfig.task.index}`)).toEqual(['chief/0', 'worker/0', 'worker/1', 'worker/2']);
    const results = await runCluster(python, TfStrategy.MULTI_WORKER_MIRRORED, pods, () => true);
    expect(results.map((r) => r.output.all_reduce_sum)).toEqual([4, 4, 4, 4]);
  }, 180_000);

  test('JobSet backend, ParameterServer, chief + 2 workers + 1 ps: steps run on workers, the variable lives on the ps', async () => {
    const pods = podsWithTfConfig({
      backend: TrainingBackend.JOBSET,
      strategy: TfStrategy.PARAMETER_SERVER,
      chief: {},
      workers: { replicas: 2 },
      parameterServers: { replicas: 1 },
    });
    expect(Object.keys(pods[0].tfConfig.cluster).sort()).toEqual(['chief', 'ps', 'worker']);
    // Workers and ps serve until stopped, as JobSet's success policy on the chief would stop them.
    const [chief] = await runCluster(python, TfStrategy.PARAMETER_SERVER, pods, (p) => p.tfConfig.task.type === 'chief');
    expect(chief.output).toMatchObject({ steps: 6, counter: 6, fetched_sum: 6 });
    expect(chief.output.counter_device).toMatch(/^\/job:ps\/replica:0\/task:0\//);
  }, 180_000);
});
