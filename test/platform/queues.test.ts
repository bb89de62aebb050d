import { App as K8sApp, Chart, Testing } from 'cdk8s';
import { App } from 'cdktf';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import {
  Accelerator, Cloud, ClusterProfile, collectWarnings, NodeLabels, PriorityClasses, Problems, QueueFlavors, usesKueue, Tenant, TfStrategy, TfTrainingJob, TfTrainingJobProps, TrainingBackend, TrainingCapacity,
} from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests, synthManifestsError } from '../k8s-helpers';
import { admit, quotaOverruns, schedule } from '../k8s/kueue';
import { schemaErrors } from '../k8s/schema';

const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;
const SPOT_TAINT = { key: 'ml-platform.io/spot', value: 'true', effect: 'NoSchedule' } as const;

/** A cluster with `nodes` on-demand nodes of 4 × L4 (and a spot pool when `spotNodes`). */
function cluster(nodes: number, spotNodes = 0): ClusterProfile {
  const labels = (spot: boolean) => ({ [NodeLabels.ACCELERATOR]: 'nvidia-l4', [NodeLabels.CAPACITY]: spot ? 'spot' : 'on-demand' });
  return new ClusterProfile({
    cloud: Cloud.EKS,
    name: 'gpu',
    kubernetesVersion: '1.33',
    capabilities: { devicePluginRequired: true, managedGpuDrivers: true, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: true },
    pools: [
      { name: 'l4', machineType: 'g6.12xlarge', accelerator: 'nvidia-l4', gpusPerNode: 4, minNodes: 0, maxNodes: nodes, spot: false, labels: labels(false), taints: [GPU_TAINT], devicePluginRequired: true },
      ...(spotNodes > 0 ? [{ name: 'l4spot', machineType: 'g6.12xlarge', accelerator: 'nvidia-l4', gpusPerNode: 4, minNodes: 0, maxNodes: spotNodes, spot: true, labels: labels(true), taints: [GPU_TAINT, SPOT_TAINT], devicePluginRequired: true }] : []),
    ],
  });
}

const job = (profile: ClusterProfile, namespace: string, name: string, gpus: number, extra: Partial<TfTrainingJobProps> = {}): TfTrainingJobProps => ({
  name,
  namespace,
  cluster: profile,
  image: 'tensorflow/tensorflow:2.21.0-gpu',
  strategy: TfStrategy.MULTI_WORKER_MIRRORED,
  workers: { replicas: gpus, cpu: 1, memoryGiB: 4, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
  ...extra,
});

/** Tenants (name → GPUs) with queues, the cluster's flavors, and `jobs` built in the tenants' namespaces. */
function platform(profile: ClusterProfile, tenants: Record<string, number>, jobs: (chart: Chart, queue: (tenant: string) => string | undefined) => void, withFlavors = true) {
  return (chart: Chart) => {
    if (withFlavors) new QueueFlavors(chart, 'flavors', { cluster: profile });
    const built = Object.fromEntries(Object.entries(tenants).map(([name, gpus]) => [name, new Tenant(chart, name, { name, cluster: profile, quota: { gpus }, queue: {} })]));
    jobs(chart, (tenant) => built[tenant].queueName);
  };
}

describe('Kueue queues', () => {
  describe('objects', () => {
    const profile = cluster(1, 2);
    const docs = synthManifests(platform(profile, { 'team-a': 6 }, () => undefined));

    test('one ResourceFlavor per accelerator and capacity type, with the pools\' labels and taints, and one for CPU and memory', () => {
      expect(byKind(docs, 'ResourceFlavor').map((f) => [f.metadata.name, f.spec])).toEqual([
        ['any-node', {}],
        ['nvidia-l4-on-demand', { nodeLabels: { 'ml-platform.io/accelerator': 'nvidia-l4', 'ml-platform.io/capacity': 'on-demand' }, nodeTaints: [GPU_TAINT] }],
        ['nvidia-l4-spot', { nodeLabels: { 'ml-platform.io/accelerator': 'nvidia-l4', 'ml-platform.io/capacity': 'spot' }, nodeTaints: [GPU_TAINT, SPOT_TAINT] }],
      ]);
    });

    test('a ClusterQueue per tenant: its GPU quota on on-demand first, a cohort, preemption, and only its own namespace', () => {
      const [cq] = byKind(docs, 'ClusterQueue');
      expect(cq.metadata.name).toBe('team-a');
      expect(cq.spec).toMatchObject({
        cohort: 'ml-platform',
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } },
        preemption: { reclaimWithinCohort: 'Any', withinClusterQueue: 'LowerPriority' },
      });
      expect(cq.spec.resourceGroups[1].flavors).toEqual([
        // Alone in its cohort, nobody can lend it anything: no borrowing limit that Kueue could never use.
        { name: 'nvidia-l4-on-demand', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 4, borrowingLimit: 0 }] },
        { name: 'nvidia-l4-spot', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 2, borrowingLimit: 0 }] },
      ]);
      expect(byKind(docs, 'LocalQueue')).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ name: 'training', namespace: 'team-a' }), spec: { clusterQueue: 'team-a' } })]);
    });

    test('tenants of one cohort share the pools: nominal quotas never add up to more than a flavor holds', () => {
      const shared = synthManifests(platform(cluster(1, 1), { 'team-a': 6, 'team-b': 4 }, () => undefined));
      const nominal = (cq: any) => cq.spec.resourceGroups[1].flavors.map((f: any) => [f.name, f.resources[0].nominalQuota]);
      expect(byKind(shared, 'ClusterQueue').map((cq) => [cq.metadata.name, nominal(cq)])).toEqual([
        ['team-a', [['nvidia-l4-on-demand', 4], ['nvidia-l4-spot', 2]]],
        ['team-b', [['nvidia-l4-on-demand', 0], ['nvidia-l4-spot', 2]]],
      ]);
    });

    test('GPUs that workloads outside the queues may hold come off the on-demand flavor first', () => {
      // An unqueued 3-GPU job (as a serving stack at its largest would) holds part of the on-demand pool.
      const docs2 = synthManifests(platform(cluster(1, 1), { 'team-a': 6 }, (chart) => {
        new TfTrainingJob(chart, 'outside', job(cluster(1, 1), 'team-a', 'outside', 3));
      }));
      const [cq] = byKind(docs2, 'ClusterQueue');
      expect(cq.spec.resourceGroups[1].flavors.map((f: any) => [f.name, f.resources[0].nominalQuota])).toEqual([['nvidia-l4-on-demand', 1], ['nvidia-l4-spot', 4]]);
    });

    test('a workload added after a synth changes the quotas of the next: the same ClusterQueue as a program built with it from the start', () => {
      const profile2 = cluster(1, 1);
      const outside = (chart: Chart) => new TfTrainingJob(chart, 'outside', job(profile2, 'team-a', 'outside', 3));
      const clusterQueue = (chart: Chart) => chart.toJson().find((d: any) => d.kind === 'ClusterQueue');
      const app = Testing.app();
      const chart = new Chart(app, 'test');
      platform(profile2, { 'team-a': 6 }, () => undefined)(chart);
      app.synth();
      outside(chart);
      const fresh = new Chart(Testing.app(), 'test');
      platform(profile2, { 'team-a': 6 }, outside)(fresh);
      expect(clusterQueue(chart)).toEqual(clusterQueue(fresh));
      expect(clusterQueue(chart).spec.resourceGroups[1].flavors.map((f: any) => [f.name, f.resources[0].nominalQuota])).toEqual([['nvidia-l4-on-demand', 1], ['nvidia-l4-spot', 4]]);
    });

    test('warnings read after a change made after a synth are those of a program built with the change', () => {
      // team-b, added to the first chart after a synth, comes before team-c in the app and takes the GPUs team-c had.
      const profile1 = cluster(1);
      const tenant = (chart: Chart, name: string) => new Tenant(chart, name, { name, cluster: profile1, quota: { gpus: 2 }, queue: {} });
      const twoCharts = () => {
        const app = Testing.app();
        const [one, two] = [new Chart(app, 'one'), new Chart(app, 'two')];
        new QueueFlavors(one, 'flavors', { cluster: profile1 });
        tenant(one, 'team-a');
        tenant(two, 'team-c');
        return { app, one };
      };
      const changed = twoCharts();
      changed.app.synth();
      expect(collectWarnings(changed.app)).toEqual([]);
      tenant(changed.one, 'team-b');
      const fresh = twoCharts();
      tenant(fresh.one, 'team-b');
      expect(collectWarnings(fresh.app)).toEqual([expect.stringMatching(/^\[two\/team-c\/queue\] QUEUE_QUOTA_BEYOND_POOLS/)]);
      expect(collectWarnings(changed.app)).toEqual(collectWarnings(fresh.app));
    });

    test('warns when a tenant\'s GPUs cannot all be nominal quota, with the figures', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'test');
      platform(cluster(1), { 'team-a': 4, 'team-b': 2 }, () => undefined)(chart);
      const warnings = Problems.of(chart.node.findChild('team-b').node.findChild('queue')).warnings;
      expect(warnings.map((w) => w.code)).toEqual(['QUEUE_QUOTA_BEYOND_POOLS']);
      expect(warnings[0].message).toBe('Tenant "team-b" may use 2 GPUs, but the pools of cluster "gpu" have only 0 left for its queue after serving and the other queues of cohort "ml-platform"; 2 can only be borrowed.');
    });

    test('the tenant\'s roles may read its LocalQueue and Workloads, not write them', () => {
      for (const role of byKind(docs, 'Role')) {
        expect(role.rules).toContainEqual({ apiGroups: ['kueue.x-k8s.io'], resources: ['localqueues', 'workloads'], verbs: ['get', 'list', 'watch'] });
        expect(role.rules.filter((r: any) => r.apiGroups.includes('kueue.x-k8s.io'))).toHaveLength(1);
      }
    });

    test('the ResourceQuota lets borrowed GPUs in', () => {
      expect(byKind(docs, 'ResourceQuota')[0].spec.hard['requests.nvidia.com/gpu']).toBe('12');
    });

    test('every object passes the Kueue v0.11.4 CRD schemas', () => {
      expect(schemaErrors(docs.filter((d) => d.apiVersion.startsWith('kueue')))).toEqual([]);
    });

    test('the CRD\'s CEL rules hold: every flavor lists each covered resource, borrowing only within a cohort', () => {
      for (const cq of byKind(docs, 'ClusterQueue')) {
        for (const group of cq.spec.resourceGroups) {
          for (const flavor of group.flavors) expect(flavor.resources.map((r: any) => r.name)).toEqual(group.coveredResources);
        }
        expect(cq.spec.cohort).toBeTruthy();
        expect(cq.spec.preemption.reclaimWithinCohort === 'Never' && cq.spec.preemption.borrowWithinCohort.policy !== 'Never').toBe(false);
      }
    });

    test('the CRD schema check catches a wrong field', () => {
      const [cq] = JSON.parse(JSON.stringify(byKind(docs, 'ClusterQueue')));
      cq.spec.preemption.reclaimWithinCohort = 'Sometimes';
      cq.spec.cohorts = 'x';
      expect(schemaErrors([cq])).toEqual([
        'kueue.x-k8s.io/v1beta1/ClusterQueue team-a.spec.preemption.reclaimWithinCohort: "Sometimes" is not one of Never, LowerPriority, Any',
        'kueue.x-k8s.io/v1beta1/ClusterQueue team-a.spec.cohorts: unknown field (the API server would drop it)',
      ]);
    });

    test('queued jobs carry the queue label and start suspended on every backend', () => {
      const jobs = synthManifests(platform(profile, { 'team-a': 8 }, (chart, queue) => {
        new TfTrainingJob(chart, 'a', job(profile, 'team-a', 'a', 2, { queueName: queue('team-a') }));
        new TfTrainingJob(chart, 'b', job(profile, 'team-a', 'b', 2, { queueName: queue('team-a'), backend: TrainingBackend.JOBSET }));
        new TfTrainingJob(chart, 'c', job(profile, 'team-a', 'c', 2, { queueName: queue('team-a'), backend: TrainingBackend.KUBEFLOW_TFJOB }));
      }));
      const [indexed] = byKind(jobs, 'Job');
      const [jobSet] = byKind(jobs, 'JobSet');
      const [tfJob] = byKind(jobs, 'TFJob');
      for (const doc of [indexed, jobSet, tfJob]) expect(doc.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('training');
      expect([indexed.spec.suspend, jobSet.spec.suspend, tfJob.spec.runPolicy.suspend]).toEqual([true, true, true]);
      expect(tfJob.spec.runPolicy.schedulingPolicy).toEqual({ minAvailable: 2, queue: 'training' });
      expect(schemaErrors(jobs)).toEqual([]);
    });

    test('serving stays outside queues and keeps its priority class (default example)', () => {
      const dir = path.join(__dirname, '..', 'golden', 'multi-cloud', 'dist');
      const all = fs.readdirSync(dir).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()));
      const deployments = byKind(all, 'Deployment').filter((d) => d.metadata.namespace?.startsWith('team-'));
      expect(deployments.length).toBeGreaterThan(0);
      for (const d of deployments) {
        expect(d.metadata.labels?.['kueue.x-k8s.io/queue-name']).toBeUndefined();
        expect(d.spec.template.spec.priorityClassName).toBe('ml-serving-critical');
      }
      expect(byKind(all, 'JobSet').every((j) => j.metadata.labels['kueue.x-k8s.io/queue-name'] === 'training')).toBe(true);
    });
  });

  describe('admission, simulated', () => {
    const profile = cluster(1);
    const node = [{ labels: { 'ml-platform.io/accelerator': 'nvidia-l4', 'ml-platform.io/capacity': 'on-demand' }, gpus: 4 }];

    test('two jobs of 3 of 4 GPUs in one ClusterQueue: one is admitted, the other stays suspended with no pod', () => {
      const docs = synthManifests(platform(profile, { 'team-a': 4 }, (chart, queue) => {
        new TfTrainingJob(chart, 'first', job(profile, 'team-a', 'first', 3, { queueName: queue('team-a') }));
        new TfTrainingJob(chart, 'second', job(profile, 'team-a', 'second', 3, { queueName: queue('team-a') }));
      }));
      const outcome = admit(docs);
      expect(outcome.admitted.map((a) => a.job)).toEqual(['Job/team-a/first-worker']);
      expect(outcome.pending).toEqual([{ job: 'Job/team-a/second-worker', reason: 'insufficient quota for nvidia.com/gpu in ClusterQueue team-a (pod set main needs 3)' }]);
      expect(outcome.pods.filter((p) => p.job === 'Job/team-a/second-worker')).toEqual([]);
      // The admitted job gets all its pods placed; nothing is half-started.
      expect(schedule(outcome.pods, node)).toEqual(new Map([['Job/team-a/first-worker', 3]]));
      expect(outcome.pods[0].nodeSelector).toEqual({ 'ml-platform.io/accelerator': 'nvidia-l4', 'ml-platform.io/capacity': 'on-demand' });
    });

    test('without queues (the output before this change) both jobs start partially and deadlock', () => {
      const docs = synthManifests(platform(profile, { 'team-a': 6 }, (chart) => {
        new TfTrainingJob(chart, 'first', job(profile, 'team-a', 'first', 3));
        new TfTrainingJob(chart, 'second', job(profile, 'team-a', 'second', 3));
      }));
      const outcome = admit(docs);
      expect(outcome.admitted).toEqual([]);
      expect(schedule(outcome.pods, node)).toEqual(new Map([['Job/team-a/first-worker', 2], ['Job/team-a/second-worker', 2]]));
    });

    test('a job borrows idle GPUs from a sibling queue of its cohort, and waits when the sibling uses them', () => {
      const two = cluster(2);
      const idle = synthManifests(platform(two, { 'team-a': 4, 'team-b': 4 }, (chart, queue) => {
        new TfTrainingJob(chart, 'big', job(two, 'team-a', 'big', 6, { queueName: queue('team-a') }));
      }));
      expect(admit(idle).admitted).toEqual([expect.objectContaining({ job: 'Job/team-a/big-worker', borrowed: true })]);
      const busy = synthManifests(platform(two, { 'team-a': 4, 'team-b': 4 }, (chart, queue) => {
        new TfTrainingJob(chart, 'own', job(two, 'team-b', 'own', 4, { queueName: queue('team-b') }));
        new TfTrainingJob(chart, 'big', job(two, 'team-a', 'big', 6, { queueName: queue('team-a') }));
      }));
      const outcome = admit(busy);
      expect(outcome.admitted.map((a) => a.job)).toEqual(['Job/team-b/own-worker']);
      expect(outcome.pending.map((p) => p.job)).toEqual(['Job/team-a/big-worker']);
    });

    test('on-demand first, then spot: the whole job goes to spot when on-demand quota is used, never split', () => {
      const mixed = cluster(1, 1);
      const docs = synthManifests(platform(mixed, { 'team-a': 8 }, (chart, queue) => {
        const props = { queueName: queue('team-a'), backend: TrainingBackend.JOBSET, capacity: TrainingCapacity.ON_DEMAND_THEN_SPOT };
        new TfTrainingJob(chart, 'first', job(mixed, 'team-a', 'first', 3, props));
        new TfTrainingJob(chart, 'second', job(mixed, 'team-a', 'second', 3, props));
      }));
      const outcome = admit(docs);
      expect(outcome.admitted.map((a) => [a.job, a.flavors.worker['nvidia.com/gpu']])).toEqual([
        ['JobSet/team-a/first', 'nvidia-l4-on-demand'],
        ['JobSet/team-a/second', 'nvidia-l4-spot'],
      ]);
      const capacities = (j: string) => new Set(outcome.pods.filter((p) => p.job === j).map((p) => p.nodeSelector['ml-platform.io/capacity']));
      expect(capacities('JobSet/team-a/second')).toEqual(new Set(['spot']));
    });
  });

  describe('ClusterQueue quotas agree with the tenants\' ResourceQuotas', () => {
    test('a tenant with GPUs on two flavors never gets admitted more than its ResourceQuota lets in', () => {
      const mixed = cluster(1, 1);
      const docs = synthManifests(platform(mixed, { 'team-a': 6, 'team-b': 3 }, () => undefined));
      expect(quotaOverruns(docs)).toEqual([]);
    });

    test('the model sees an overrun: borrowing on two flavors against one quota', () => {
      const mixed = cluster(1, 1);
      const docs = synthManifests(platform(mixed, { 'team-a': 6, 'team-b': 3 }, () => undefined));
      const queue = docs.find((d) => d.kind === 'ClusterQueue' && d.metadata.name === 'team-b');
      for (const flavor of queue.spec.resourceGroups[1].flavors) flavor.resources[0].borrowingLimit = 3;
      expect(quotaOverruns(docs)).toContainEqual(expect.stringMatching(/^team-b nvidia\.com\/gpu: Kueue may admit \d+ and pods outside the queue request 0, over the ResourceQuota's 6$/));
    });

    test('every queue of the default example', () => {
      const root = fs.mkdtempSync(path.join(require('os').tmpdir(), 'mlpc-quota-'));
      const kubernetes = new K8sApp({ outdir: root });
      buildMultiCloud(new App({ outdir: path.join(root, 'tf') }), kubernetes);
      kubernetes.synth();
      for (const cluster of ['ml-gke', 'ml-eks', 'ml-aks']) {
        const docs = fs.readdirSync(root).filter((f) => f.startsWith(`${cluster}-`)).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(root, f), 'utf8')).map((d) => d.toJS()));
        expect({ cluster, overruns: quotaOverruns(docs) }).toEqual({ cluster, overruns: [] });
      }
    });
  });

  describe('fails when', () => {
    const profile = cluster(1);
    test('a tenant has a queue but the program defines no flavors', () => {
      const message = synthManifestsError(platform(profile, { 'team-a': 4 }, () => undefined, false));
      expect(message).toContain('QUEUE_FLAVORS_MISSING: The queue of tenant "team-a" uses ResourceFlavors any-node, nvidia-l4-on-demand, which this program never defines');
      expect(message).toContain("Fix: add new QueueFlavors(charts.platform, 'queues') for cluster \"gpu\".");
    });

    test('a queued preemptible job and no flavors: the WorkloadPriorityClass that orders it is missing too', () => {
      const message = synthManifestsError(platform(profile, { 'team-a': 4 }, (chart, queue) => {
        new TfTrainingJob(chart, 'sweep', job(profile, 'team-a', 'sweep', 2, { queueName: queue('team-a'), priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE }));
      }, false));
      expect(message).toContain('QUEUE_PRIORITY_UNDEFINED: Training job "sweep" is ordered in its queue by WorkloadPriorityClass "ml-training-preemptible", which this program never defines');
      expect(message).toContain("Fix: add new QueueFlavors(charts.platform, 'queues') for cluster \"gpu\" (it defines the class).");
    });

    test('a queued job is larger than its queue can ever admit, naming the job, the queue and the figures', () => {
      const message = synthManifestsError(platform(cluster(2), { 'team-a': 2 }, (chart, queue) => {
        new TfTrainingJob(chart, 'huge', job(cluster(2), 'team-a', 'huge', 6, { queueName: queue('team-a') }));
      }));
      expect(message).toContain('JOB_EXCEEDS_QUEUE: Training job "huge" needs 6 × NVIDIA L4 at once, but queue "team-a" can admit at most 2 (nvidia-l4-on-demand: 2 nominal + up to 0 borrowed, 2 at most)');
    });

    test('a job names a LocalQueue the program does not define', () => {
      const message = synthManifestsError(platform(profile, { 'team-a': 4 }, (chart) => {
        new TfTrainingJob(chart, 'lost', job(profile, 'team-a', 'lost', 2, { queueName: 'gpu-queue' }));
      }));
      expect(message).toContain('QUEUE_UNDEFINED: Training job "lost" waits in LocalQueue "gpu-queue" of namespace team-a, which this program never defines');
    });

    test('a queued indexed-job has two roles, which Kueue would admit apart', () => {
      const message = synthManifestsError(platform(profile, { 'team-a': 4 }, (chart, queue) => {
        new TfTrainingJob(chart, 'two', job(profile, 'team-a', 'two', 2, { queueName: queue('team-a'), chief: {} }));
      }));
      expect(message).toContain('QUEUE_NOT_ONE_UNIT: Training job "two" runs as 2 Jobs (chief, worker)');
      expect(message).toContain('Fix: use backend: TrainingBackend.JOBSET or TrainingBackend.KUBEFLOW_TFJOB');
    });

    test('the borrowing limit is not a whole number', () => {
      const message = synthManifestsError((chart) => {
        new QueueFlavors(chart, 'flavors', { cluster: profile });
        new Tenant(chart, 't', { name: 'team-a', cluster: profile, quota: { gpus: 4 }, queue: { borrowingLimitGpus: -1 } });
      });
      expect(message).toContain('QUEUE_BORROWING_INVALID');
    });
  });

  test('Kueue is needed where a cluster has queues, and only there', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    platform(cluster(1), { 'team-a': 4 }, () => undefined)(chart);
    expect(usesKueue(chart, 'gpu')).toBe(true);
    expect(usesKueue(chart, 'other')).toBe(false);
    expect(usesKueue(new Chart(Testing.app(), 'empty'), 'gpu')).toBe(false);
  });

  test('the EKS fixture gets its flavors in pool order, on-demand first', () => {
    const docs = synthManifests((chart) => new QueueFlavors(chart, 'f', { cluster: EKS_PROFILE }));
    expect(byKind(docs, 'ResourceFlavor').map((f) => f.metadata.name)).toEqual(['any-node', 'nvidia-l4-on-demand', 'nvidia-l4-spot']);
  });
});
