import { Chart } from 'cdk8s';
import {
  Accelerator, Cloud, ClusterProfile, MlPlatform, NodeLabels, PriorityClasses, QueueFlavors, Tenant, TfStrategy, TfTrainingJob, TfTrainingJobProps, TrainingBackend,
} from '../../lib';
import { byKind, synthManifests } from '../k8s-helpers';
import { admit, schedule } from '../k8s/kueue';

// What Kueue v0.11 does with the ClusterQueues' preemption policy (withinClusterQueue LowerPriority,
// reclaimWithinCohort Any, borrowWithinCohort Never), fed with the library's own objects: the
// PriorityClasses of MlPlatform, the tenants' queues and training jobs created one after another.

const ON_DEMAND = { [NodeLabels.ACCELERATOR]: 'nvidia-l4', [NodeLabels.CAPACITY]: 'on-demand' };

/** An EKS cluster with `nodes` on-demand nodes of 4 × L4. */
function cluster(nodes: number): ClusterProfile {
  return new ClusterProfile({
    cloud: Cloud.EKS,
    name: 'gpu',
    kubernetesVersion: '1.33',
    capabilities: { devicePluginRequired: true, managedGpuDrivers: true, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: true },
    pools: [{
      name: 'l4', machineType: 'g6.12xlarge', accelerator: 'nvidia-l4', gpusPerNode: 4, minNodes: 0, maxNodes: nodes, spot: false,
      labels: ON_DEMAND, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }], devicePluginRequired: true,
    }],
  });
}

interface Spec { tenant: string; name: string; gpus: number; priorityClassName?: string; backend?: TrainingBackend }

/** The platform (priority classes, flavors), tenants (name → GPUs) with queues, and `jobs` in document order. */
function synth(nodes: number, tenants: Record<string, number>, jobs: Spec[]): any[] {
  const profile = cluster(nodes);
  return synthManifests((chart: Chart) => {
    new MlPlatform(chart, 'platform', { cluster: profile });
    new QueueFlavors(chart, 'flavors', { cluster: profile });
    const built = Object.fromEntries(Object.entries(tenants).map(([name, gpus]) => [name, new Tenant(chart, name, { name, cluster: profile, quota: { gpus }, queue: {} })]));
    for (const j of jobs) {
      const props: TfTrainingJobProps = {
        name: j.name,
        namespace: j.tenant,
        cluster: profile,
        image: 'tensorflow/tensorflow:2.21.0-gpu',
        strategy: TfStrategy.MULTI_WORKER_MIRRORED,
        workers: { replicas: j.gpus, cpu: 1, memoryGiB: 4, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
        queueName: built[j.tenant].queueName,
        priorityClassName: j.priorityClassName,
        backend: j.backend,
      };
      new TfTrainingJob(chart, `${j.tenant}-${j.name}`, props);
    }
  });
}

const gpusRunning = (outcome: ReturnType<typeof admit>) => outcome.pods.reduce((sum, p) => sum + (p.requests['nvidia.com/gpu'] ?? 0), 0);

describe('Kueue preemption with the library\'s queues, simulated', () => {
  describe.each([
    [TrainingBackend.INDEXED_JOB, 'Job', '-worker'],
    [TrainingBackend.JOBSET, 'JobSet', ''],
    [TrainingBackend.KUBEFLOW_TFJOB, 'TFJob', ''],
  ])('withinClusterQueue LowerPriority (%s)', (backend, kind, suffix) => {
    const id = (name: string) => `${kind}/team-a/${name}${suffix}`;

    test('a higher-priority job in a full queue evicts a lower-priority one of the same ClusterQueue', () => {
      const docs = synth(1, { 'team-a': 4 }, [
        { tenant: 'team-a', name: 'sweep', gpus: 3, priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE, backend },
        { tenant: 'team-a', name: 'release', gpus: 3, priorityClassName: PriorityClasses.TRAINING_HIGH, backend },
      ]);
      const outcome = admit(docs, { arrival: 'one by one' });
      expect(outcome.admitted.map((a) => a.job)).toEqual([id('release')]);
      expect(outcome.evicted).toEqual([{ job: id('sweep'), by: id('release'), reason: 'InClusterQueue' }]);
      expect(outcome.pending.map((p) => p.job)).toEqual([id('sweep')]);
      // Only the preemptor's pods exist, all of them on the node.
      expect(schedule(outcome.pods, [{ labels: ON_DEMAND, gpus: 4 }])).toEqual(new Map([[id('release'), 3]]));
    });

    test('at equal priority the later job waits and nothing is evicted', () => {
      const docs = synth(1, { 'team-a': 4 }, [
        { tenant: 'team-a', name: 'sweep', gpus: 3, priorityClassName: PriorityClasses.TRAINING_HIGH, backend },
        { tenant: 'team-a', name: 'release', gpus: 3, priorityClassName: PriorityClasses.TRAINING_HIGH, backend },
      ]);
      const outcome = admit(docs, { arrival: 'one by one' });
      expect(outcome.admitted.map((a) => a.job)).toEqual([id('sweep')]);
      expect(outcome.evicted).toEqual([]);
    });
  });

  describe.each([TrainingBackend.INDEXED_JOB, TrainingBackend.JOBSET, TrainingBackend.KUBEFLOW_TFJOB])('a "preemptible" job never evicts another training job (%s)', (backend) => {
    // Kueue ignores the PriorityClass's preemptionPolicy (Never): the class's value alone would let a
    // preemptible job (1000) evict one with no class (0).
    test('it waits behind a job with no priority class, which keeps running', () => {
      const docs = synth(1, { 'team-a': 4 }, [
        { tenant: 'team-a', name: 'plain', gpus: 3, backend },
        { tenant: 'team-a', name: 'sweep', gpus: 3, priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE, backend },
      ]);
      expect(byKind(docs, 'PriorityClass').find((c) => c.metadata.name === PriorityClasses.TRAINING_PREEMPTIBLE).preemptionPolicy).toBe('Never');
      const outcome = admit(docs, { arrival: 'one by one' });
      expect(outcome.evicted).toEqual([]);
      expect(outcome.admitted.map((a) => a.job)).toEqual([expect.stringMatching(/\/team-a\/plain/)]);
      expect(outcome.pending.map((p) => p.job)).toEqual([expect.stringMatching(/\/team-a\/sweep/)]);
    });

    test('a job with no priority class still evicts it, and so does a high-priority one', () => {
      for (const priorityClassName of [undefined, PriorityClasses.TRAINING_HIGH]) {
        const docs = synth(1, { 'team-a': 4 }, [
          { tenant: 'team-a', name: 'sweep', gpus: 3, priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE, backend },
          { tenant: 'team-a', name: 'other', gpus: 3, priorityClassName, backend },
        ]);
        const outcome = admit(docs, { arrival: 'one by one' });
        expect(outcome.evicted).toEqual([{ job: expect.stringMatching(/\/team-a\/sweep/), by: expect.stringMatching(/\/team-a\/other/), reason: 'InClusterQueue' }]);
      }
    });

    test('two preemptible jobs: the later one waits', () => {
      const docs = synth(1, { 'team-a': 4 }, [
        { tenant: 'team-a', name: 'sweep-1', gpus: 3, priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE, backend },
        { tenant: 'team-a', name: 'sweep-2', gpus: 3, priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE, backend },
      ]);
      const outcome = admit(docs, { arrival: 'one by one' });
      expect(outcome.evicted).toEqual([]);
      expect(outcome.admitted.map((a) => a.job)).toEqual([expect.stringMatching(/\/team-a\/sweep-1/)]);
    });
  });

  test('reclaimWithinCohort Any: a queue takes back its nominal quota from a sibling that borrowed it, whatever the priorities', () => {
    const docs = synth(2, { 'team-a': 4, 'team-b': 4 }, [
      // team-a borrows 2 of team-b's GPUs while team-b is idle.
      { tenant: 'team-a', name: 'big', gpus: 6, priorityClassName: PriorityClasses.TRAINING_HIGH, backend: TrainingBackend.JOBSET },
      { tenant: 'team-b', name: 'own', gpus: 4, priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE, backend: TrainingBackend.JOBSET },
    ]);
    const outcome = admit(docs, { arrival: 'one by one' });
    expect(outcome.admitted.map((a) => [a.job, a.borrowed])).toEqual([['JobSet/team-b/own', false]]);
    expect(outcome.evicted).toEqual([{ job: 'JobSet/team-a/big', by: 'JobSet/team-b/own', reason: 'InCohortReclamation' }]);
    expect(outcome.pending.map((p) => p.job)).toEqual(['JobSet/team-a/big']);
    expect(gpusRunning(outcome)).toBeLessThanOrEqual(8);
  });

  test('borrowWithinCohort Never: within its nominal quota a queue reclaims; a job that needs to borrow never evicts another queue\'s job', () => {
    // team-b borrows 2 of team-a's GPUs with a low-priority job; team-a then asks with a high-priority one.
    const borrower: Spec = { tenant: 'team-b', name: 'wide', gpus: 6, priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE, backend: TrainingBackend.JOBSET };
    const withinNominal = admit(synth(2, { 'team-a': 4, 'team-b': 4 }, [
      borrower,
      { tenant: 'team-a', name: 'urgent', gpus: 4, priorityClassName: PriorityClasses.TRAINING_HIGH, backend: TrainingBackend.JOBSET },
    ]), { arrival: 'one by one' });
    expect(withinNominal.admitted.map((a) => a.job)).toEqual(['JobSet/team-a/urgent']);
    expect(withinNominal.evicted).toEqual([{ job: 'JobSet/team-b/wide', by: 'JobSet/team-a/urgent', reason: 'InCohortReclamation' }]);
    expect(gpusRunning(withinNominal)).toBeLessThanOrEqual(8);

    const needsToBorrow = admit(synth(2, { 'team-a': 4, 'team-b': 4 }, [
      borrower,
      { tenant: 'team-a', name: 'urgent', gpus: 6, priorityClassName: PriorityClasses.TRAINING_HIGH, backend: TrainingBackend.JOBSET },
    ]), { arrival: 'one by one' });
    expect(needsToBorrow.admitted.map((a) => a.job)).toEqual(['JobSet/team-b/wide']);
    expect(needsToBorrow.evicted).toEqual([]);
    expect(needsToBorrow.pending).toEqual([{ job: 'JobSet/team-a/urgent', reason: 'insufficient quota for nvidia.com/gpu in ClusterQueue team-a (pod set worker needs 6)' }]);
  });
});
