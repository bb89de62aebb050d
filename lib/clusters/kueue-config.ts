import { yaml } from './bindings';

/**
 * How long an admitted job's pods may take to all be running (GPU nodes scaled up from zero,
 * multi-gigabyte images pulled), and to recover after one is lost (a spot reclaim), before Kueue
 * suspends the job, frees its quota and queues it again.
 */
export const KUEUE_PODS_READY_TIMEOUT = '15m';

/**
 * Kueue's manager configuration: the chart's default (kueue 0.11.4, `managerConfig.
 * controllerManagerConfigYaml`, which the chart takes only as one string) plus `waitForPodsReady`.
 * Without it, a job admitted on quota whose pods cannot all be placed (no spot capacity, a node
 * lost for good) keeps its quota and its running pods for ever while its peers wait for the rest.
 */
export function kueueValues(): Record<string, unknown> {
  const config = {
    apiVersion: 'config.kueue.x-k8s.io/v1beta1',
    kind: 'Configuration',
    health: { healthProbeBindAddress: ':8081' },
    metrics: { bindAddress: ':8443' },
    webhook: { port: 9443 },
    leaderElection: { leaderElect: true, resourceName: 'c1f6bfd2.kueue.x-k8s.io' },
    controller: {
      groupKindConcurrency: {
        'Job.batch': 5, 'Pod': 5, 'Workload.kueue.x-k8s.io': 5, 'LocalQueue.kueue.x-k8s.io': 1, 'ClusterQueue.kueue.x-k8s.io': 1, 'ResourceFlavor.kueue.x-k8s.io': 1,
      },
    },
    clientConnection: { qps: 50, burst: 100 },
    waitForPodsReady: {
      enable: true,
      timeout: KUEUE_PODS_READY_TIMEOUT,
      recoveryTimeout: KUEUE_PODS_READY_TIMEOUT,
      // Kueue's default with waitForPodsReady is to admit nothing else until the job is ready: one
      // tenant's slow start would hold every other queue of the cluster.
      blockAdmission: false,
      requeuingStrategy: { timestamp: 'Eviction', backoffBaseSeconds: 60, backoffMaxSeconds: 3600 },
    },
    integrations: {
      frameworks: [
        'batch/job', 'kubeflow.org/mpijob', 'ray.io/rayjob', 'ray.io/raycluster', 'jobset.x-k8s.io/jobset',
        'kubeflow.org/paddlejob', 'kubeflow.org/pytorchjob', 'kubeflow.org/tfjob', 'kubeflow.org/xgboostjob', 'workload.codeflare.dev/appwrapper',
      ],
    },
  };
  return { managerConfig: { controllerManagerConfigYaml: yaml().stringify(config) } };
}
