import { ApiObject, Duration, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { Accelerator, NodeLabels, TfStrategy, TfTrainingJob, TfTrainingJobProps, TrainingBackend, TrainingCapacity, TrainingCheckpoint } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests, synthManifestsError, testChart } from '../k8s-helpers';
import { schemaErrors } from '../k8s/schema';

const CLUSTER = EKS_PROFILE;

type Props = Partial<TfTrainingJobProps>;
const BASE: TfTrainingJobProps = {
  namespace: 'team-a',
  image: 'tensorflow/tensorflow:2.21.0-gpu',
  command: ['python', '/app/train.py'],
  strategy: TfStrategy.MULTI_WORKER_MIRRORED,
  workers: { replicas: 4, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
  cluster: CLUSTER,
};

const synthJob = (props: Props = {}) => synthManifests((chart) => new TfTrainingJob(chart, 'mnist', { ...BASE, ...props }));
const failJob = (props: Props) => synthManifestsError((chart) => new TfTrainingJob(chart, 'mnist', { ...BASE, ...props }));
const containerOf = (podTemplate: any) => podTemplate.spec.containers[0];

describe('TfTrainingJob', () => {
  describe('indexed-job backend', () => {
    const docs = synthJob({ chief: { cpu: 4, memoryGiB: 16 }, checkpoint: TrainingCheckpoint.bucket('s3://acme-ml/ckpt/mnist', { imageReadsScheme: true }), cloudIdentity: 'arn:aws:iam::111122223333:role/trainer', activeDeadline: Duration.hours(6), retryableExitCodes: [137, 143] });
    const jobs = byKind(docs, 'Job');
    const worker = jobs.find((j) => j.metadata.name === 'mnist-worker');

    test('emits a headless Service, one Indexed Job per role, a NetworkPolicy and its own ServiceAccount', () => {
      expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual(['Job/mnist-chief', 'Job/mnist-worker', 'NetworkPolicy/mnist-tasks', 'Service/mnist', 'ServiceAccount/mnist']);
      expect(byKind(docs, 'ServiceAccount')[0].automountServiceAccountToken).toBe(false);
      expect(jobs.every((j) => j.spec.template.spec.serviceAccountName === 'mnist')).toBe(true);
      const [service] = byKind(docs, 'Service');
      expect(service.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: { 'ml-platform.io/training-job': 'mnist' }, ports: [{ port: 2222 }] });
      expect(worker.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4, backoffLimit: 3, activeDeadlineSeconds: 21600 });
      // Kept once finished: deleted, it would be created again by whatever applies the manifests next.
      expect(worker.spec.ttlSecondsAfterFinished).toBeUndefined();
      expect(worker.spec.template.spec.subdomain).toBe('mnist');
    });

    test('TF_TASK_INDEX comes from the completion index and is declared before TF_CONFIG, which uses it', () => {
      const env = containerOf(worker.spec.template).env;
      const names = env.map((e: any) => e.name);
      expect(names.indexOf('TF_TASK_INDEX')).toBeLessThan(names.indexOf('TF_CONFIG'));
      expect(env[names.indexOf('TF_TASK_INDEX')].valueFrom.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
      const tfConfig = env[names.indexOf('TF_CONFIG')].value;
      expect(tfConfig).toContain('"task":{"type":"worker","index":$(TF_TASK_INDEX)}');
      expect(JSON.parse(tfConfig.replace('$(TF_TASK_INDEX)', '0')).cluster).toEqual({
        chief: ['mnist-chief-0.mnist.team-a.svc:2222'],
        worker: [0, 1, 2, 3].map((i) => `mnist-worker-${i}.mnist.team-a.svc:2222`),
      });
      expect(env.find((e: any) => e.name === 'CHECKPOINT_DIR').value).toBe('s3://acme-ml/ckpt/mnist');
    });

    test('GPU roles request whole GPUs (request = limit) and are placed from the profile', () => {
      const pod = worker.spec.template.spec;
      expect(containerOf(worker.spec.template).resources).toEqual({
        requests: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' },
        limits: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' },
      });
      expect(pod.nodeSelector).toEqual({ [NodeLabels.ACCELERATOR]: 'nvidia-l4' });
      expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
      const chief = jobs.find((j) => j.metadata.name === 'mnist-chief').spec.template.spec;
      expect(chief.nodeSelector).toBeUndefined();
      expect(containerOf({ spec: chief }).resources.limits).toEqual({ cpu: '4', memory: '16Gi' });
    });

    test('pods meet Pod Security "restricted" with a writable /tmp', () => {
      const pod = worker.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(containerOf(worker.spec.template).securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
      expect(containerOf(worker.spec.template).volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.automountServiceAccountToken).toBe(false);
    });

    test('failure semantics: disruptions and preemption exits never count, only the listed exit codes retry', () => {
      expect(worker.spec.podFailurePolicy.rules).toEqual([
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'Ignore', onExitCodes: { containerName: 'tensorflow', operator: 'In', values: [143] } },
        { action: 'FailJob', onExitCodes: { containerName: 'tensorflow', operator: 'NotIn', values: [137, 143] } },
      ]);
      expect(worker.spec.template.spec.restartPolicy).toBe('Never');
      expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBe(120);
      expect(containerOf(worker.spec.template).env).toContainEqual({ name: 'PREEMPTION_EXIT_CODE', value: '143' });
    });

    test('without a chief, worker 0 succeeding ends the worker Job', () => {
      const [onlyWorkers] = byKind(synthJob(), 'Job');
      expect(onlyWorkers.spec.successPolicy).toEqual({ rules: [{ succeededIndexes: '0' }] });
      expect(worker.spec.successPolicy).toBeUndefined();
    });

    test('the NetworkPolicy opens the task port between the job\'s own pods, and DNS', () => {
      const [policy] = byKind(docs, 'NetworkPolicy');
      const self = [{ podSelector: { matchLabels: { 'ml-platform.io/training-job': 'mnist' } } }];
      expect(policy.spec).toEqual({
        podSelector: { matchLabels: { 'ml-platform.io/training-job': 'mnist' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: self, ports: [{ protocol: 'TCP', port: 2222 }] }],
        egress: [
          { to: self, ports: [{ protocol: 'TCP', port: 2222 }] },
          { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
        ],
      });
    });

    test('every manifest passes the Kubernetes schemas', () => {
      expect(schemaErrors(docs)).toEqual([]);
    });

    test('the schema check catches a wrong type', () => {
      const broken = JSON.parse(JSON.stringify(worker));
      broken.spec.completions = 'four';
      expect(schemaErrors([broken]).join()).toContain('completions must be integer');
    });
  });

  describe('JobSet backend', () => {
    const docs = synthJob({
      backend: TrainingBackend.JOBSET,
      strategy: TfStrategy.PARAMETER_SERVER,
      chief: {},
      workers: { replicas: 3, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
      parameterServers: { replicas: 2, cpu: 4, memoryGiB: 32 },
      evaluator: {},
      retryableExitCodes: [137],
    });
    const [jobSet] = byKind(docs, 'JobSet');

    test('one ReplicatedJob per role, success on the chief, the whole set restarts on failure', () => {
      expect(docs.map((d) => d.kind).sort()).toEqual(['JobSet', 'NetworkPolicy', 'ServiceAccount']);
      expect(jobSet.spec.replicatedJobs.map((r: any) => [r.name, r.replicas, r.template.spec.completions])).toEqual([
        ['chief', 1, 1], ['worker', 1, 3], ['ps', 1, 2], ['evaluator', 1, 1],
      ]);
      expect(jobSet.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['chief'] });
      expect(jobSet.spec.failurePolicy).toEqual({ maxRestarts: 3, rules: [{ name: 'permanent-exit-code', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'] }] });
      expect(jobSet.spec.network).toEqual({ enableDNSHostnames: true, publishNotReadyAddresses: true });
      expect(jobSet.spec.replicatedJobs.every((r: any) => r.template.spec.backoffLimit === 0)).toBe(true);
    });

    test('TF_CONFIG uses JobSet\'s pod hostnames and leaves the evaluator out of the cluster', () => {
      const env = containerOf(jobSet.spec.replicatedJobs[3].template.spec.template).env;
      const tfConfig = JSON.parse(env.find((e: any) => e.name === 'TF_CONFIG').value.replace('$(TF_TASK_INDEX)', '0'));
      expect(tfConfig).toEqual({
        cluster: {
          chief: ['mnist-chief-0-0.mnist.team-a.svc:2222'],
          worker: [0, 1, 2].map((i) => `mnist-worker-0-${i}.mnist.team-a.svc:2222`),
          ps: [0, 1].map((i) => `mnist-ps-0-${i}.mnist.team-a.svc:2222`),
        },
        task: { type: 'evaluator', index: 0 },
      });
    });

    test('passes the Kubernetes schemas and the JobSet CRD fields', () => {
      expect(schemaErrors(docs)).toEqual([]);
    });

    test('the CRD field check catches an unknown field', () => {
      const broken = JSON.parse(JSON.stringify(jobSet));
      broken.spec.sucessPolicy = broken.spec.successPolicy;
      expect(schemaErrors([broken])).toEqual(['jobset.x-k8s.io/v1alpha2/JobSet mnist.spec.sucessPolicy: unknown field (the API server would drop it)']);
    });
  });

  describe('Kubeflow TFJob backend', () => {
    const docs = synthManifests((chart) => {
      new ApiObject(chart, 'priority', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'training-high' }, value: 10000 });
      new TfTrainingJob(chart, 'mnist', { ...BASE, backend: TrainingBackend.KUBEFLOW_TFJOB, strategy: TfStrategy.PARAMETER_SERVER, chief: {}, parameterServers: { replicas: 1 }, priorityClassName: 'training-high' });
    });
    const [tfJob] = byKind(docs, 'TFJob');

    test('replica specs with the operator\'s container and port names, and no TF_CONFIG of ours', () => {
      expect(Object.keys(tfJob.spec.tfReplicaSpecs).sort()).toEqual(['Chief', 'PS', 'Worker']);
      expect(tfJob.spec.tfReplicaSpecs.Worker.replicas).toBe(4);
      for (const spec of Object.values<any>(tfJob.spec.tfReplicaSpecs)) {
        const container = containerOf(spec.template);
        expect(container.name).toBe('tensorflow');
        expect(container.ports).toEqual([{ name: 'tfjob-port', containerPort: 2222, protocol: 'TCP' }]);
        expect(container.env.map((e: any) => e.name)).not.toContain('TF_CONFIG');
        expect(spec.template.spec.subdomain).toBeUndefined();
      }
      expect(tfJob.spec.runPolicy).toEqual({ cleanPodPolicy: 'Running', backoffLimit: 3, schedulingPolicy: { minAvailable: 6, priorityClass: 'training-high' } });
      expect(Object.values<any>(tfJob.spec.tfReplicaSpecs).map((s) => s.restartPolicy)).toEqual(['ExitCode', 'ExitCode', 'ExitCode']);
    });

    test('passes the Kubernetes schemas and the TFJob CRD fields', () => {
      expect(schemaErrors(docs)).toEqual([]);
    });
  });

  describe('scale', () => {
    const sizes: Record<number, { objects: number; yamlBytes: number; tfConfigBytes: number }> = {};
    for (const workers of [10, 100, 1000]) {
      const chart = testChart(Testing.app(), 'scale');
      new TfTrainingJob(chart, 'big', { ...BASE, chief: {}, workers: { replicas: workers } });
      const docs = chart.toJson();
      const tfConfig = containerOf(docs.find((d: any) => d.metadata.name === 'big-worker').spec.template).env.find((e: any) => e.name === 'TF_CONFIG').value;
      sizes[workers] = { objects: docs.length, yamlBytes: Buffer.byteLength(docs.map((d: any) => stringify(d)).join('---\n')), tfConfigBytes: Buffer.byteLength(tfConfig) };
    }

    test('the object count does not grow with workers; bytes grow linearly; 1000 workers stay under 150 KB', () => {
      // Recorded for the issue and the benchmark: TF_CONFIG bytes at 10, 100 and 1000 workers.
      console.log(`TF_CONFIG bytes by workers: ${JSON.stringify(Object.fromEntries(Object.entries(sizes).map(([n, s]) => [n, s.tfConfigBytes])))}; YAML bytes: ${JSON.stringify(Object.fromEntries(Object.entries(sizes).map(([n, s]) => [n, s.yamlBytes])))}`);
      expect(new Set(Object.values(sizes).map((s) => s.objects))).toEqual(new Set([5]));
      expect(sizes[1000].yamlBytes).toBeLessThan(150 * 1024);
      const slope = (from: number, to: number) => (sizes[to].tfConfigBytes - sizes[from].tfConfigBytes) / (to - from);
      expect(slope(100, 1000) / slope(10, 100)).toBeGreaterThan(0.9);
      expect(slope(100, 1000) / slope(10, 100)).toBeLessThan(1.1);
    });
  });

  describe('fails when', () => {
    test.each<[string, Props, string]>([
      ['two chiefs', { chief: { replicas: 2 } }, 'CHIEF_NOT_SINGLE'],
      ['two evaluators', { backend: TrainingBackend.JOBSET, evaluator: { replicas: 2 } }, 'EVALUATOR_NOT_SINGLE'],
      ['parameter servers with MultiWorkerMirrored', { backend: TrainingBackend.JOBSET, parameterServers: { replicas: 1 } }, 'PS_WITH_MIRRORED'],
      ['ParameterServer without ps', { backend: TrainingBackend.JOBSET, strategy: TfStrategy.PARAMETER_SERVER, chief: {} }, 'PS_MISSING'],
      ['ParameterServer without chief', { backend: TrainingBackend.JOBSET, strategy: TfStrategy.PARAMETER_SERVER, parameterServers: {} }, 'CHIEF_MISSING'],
      ['ParameterServer on the indexed-job backend', { strategy: TfStrategy.PARAMETER_SERVER, chief: {}, parameterServers: {} }, 'ROLE_NEVER_EXITS'],
      ['zero workers', { workers: { replicas: 0 } }, 'REPLICAS_INVALID'],
      ['a port out of range', { port: 70000 }, 'PORT_INVALID'],
      ['an unpinned image', { image: 'tensorflow/tensorflow:latest' }, 'IMAGE_NOT_PINNED'],
      ['a GPU count without an accelerator', { workers: { replicas: 2, gpus: 1 } }, 'GPU_ACCELERATOR_MISSING'],
      ['an accelerator the profile does not offer', { workers: { replicas: 2, gpus: 1, accelerator: Accelerator.NVIDIA_H100_80GB } }, 'ACCELERATOR_NOT_IN_CLUSTER'],
      ['more GPUs per pod than any node has', { workers: { replicas: 1, gpus: 8, accelerator: Accelerator.NVIDIA_L4 } }, 'GPUS_EXCEED_NODE'],
      ['a fractional GPU', { workers: { replicas: 1, gpus: 0.5, accelerator: Accelerator.NVIDIA_L4 } }, 'GPU_COUNT_INVALID'],
      ['reserved env names', { env: { TF_CONFIG: '{}' } }, 'ENV_RESERVED'],
      ['exit codes below 128 on TFJob', { backend: TrainingBackend.KUBEFLOW_TFJOB, retryableExitCodes: [1, 137] }, 'EXIT_CODES_UNSUPPORTED'],
      ['exit codes out of range', { retryableExitCodes: [0, 300] }, 'EXIT_CODES_INVALID'],
      ['a bad checkpoint URI', { checkpoint: TrainingCheckpoint.bucket('/data/ckpt') }, 'CHECKPOINT_URI_INVALID'],
      ['a namespace that is not a DNS label', { namespace: 'Team_A' }, 'NAMESPACE_INVALID'],
    ])('%s', (_, props, code) => {
      const message = failJob(props);
      expect(message).toContain(`[test/mnist] ${code}:`);
      expect(message).toMatch(/Received: .+\. Fix: .+/);
    });

    test('GPU demand exceeds what the pools can ever hold, naming the job and the pools', () => {
      const message = failJob({ workers: { replicas: 9, gpus: 1, accelerator: Accelerator.NVIDIA_L4 } });
      expect(message).toContain('GPU_DEMAND_EXCEEDS_CAPACITY: Training job "mnist" needs 9 × NVIDIA L4 at once, but pools l4 (2 × 4) of cluster "ml-eks" hold at most 8.');
      // With spot allowed the spot pool counts too, and 9 fit.
      expect(() => synthJob({ capacity: TrainingCapacity.ON_DEMAND_THEN_SPOT, backend: TrainingBackend.JOBSET, workers: { replicas: 9, gpus: 1, accelerator: Accelerator.NVIDIA_L4 } })).not.toThrow();
    });

    test('a derived pod hostname is longer than DNS allows', () => {
      const name = `a${'b'.repeat(52)}`;
      const message = failJob({ name, workers: { replicas: 1000 } });
      expect(message).toContain(`DERIVED_NAME_TOO_LONG: The worker role derives the name "${name}-worker-999" (64 characters), which DNS refuses.`);
      expect(message).toContain(`Fix: shorten the job name "${name}" by at least 1 characters.`);
      // JobSet pod names carry the child Job index too; its 62-character Job name is still fine.
      const jobSet = failJob({ name, backend: TrainingBackend.JOBSET, workers: { replicas: 1000 } });
      expect(jobSet).toContain(`"${name}-worker-0-999" (66 characters)`);
      expect(jobSet).not.toContain(`"${name}-worker-0" (`);
    });

    test('TF_CONFIG would exceed the 128 KiB limit of one environment string', () => {
      const message = failJob({ name: 'j', namespace: `n${'s'.repeat(62)}`, workers: { replicas: 1600 } });
      expect(message).toContain('TF_CONFIG_TOO_LARGE');
      expect(message).toContain('131072');
    });

    test.each<[string, Props, string]>([
      ['a ServiceAccount', { serviceAccountName: 'trainer' }, 'uses ServiceAccount "trainer" in namespace team-a'],
      ['a checkpoint PVC', { checkpoint: TrainingCheckpoint.volume('ckpt') }, 'uses PersistentVolumeClaim "ckpt" in namespace team-a'],
      ['a priority class', { priorityClassName: 'urgent' }, 'uses PriorityClass "urgent", which this program never defines'],
    ])('%s it references is defined nowhere', (_, props, text) => {
      expect(failJob(props)).toContain(`REFERENCE_UNDEFINED: "mnist" ${text}`);
    });

    test('every problem is listed at once', () => {
      const message = failJob({ chief: { replicas: 2 }, port: 0, image: 'tf' });
      expect(message).toMatch(/CHIEF_NOT_SINGLE[\s\S]*PORT_INVALID[\s\S]*IMAGE_NOT_PINNED|IMAGE_NOT_PINNED[\s\S]*CHIEF_NOT_SINGLE/);
      expect(message).toContain('PORT_INVALID');
    });
  });
});
