// Validates Kubernetes manifests against the Kubernetes OpenAPI schemas compiled into
// kubernetes-models, which ships only as ES modules; hence a worker thread, which schema.ts starts
// once per test file and calls synchronously. Custom resources are checked through the Kubernetes
// types they embed.
import { workerData } from 'node:worker_threads';

const MODELS = {
  'v1/Service': ['kubernetes-models/v1/Service', 'Service'],
  'v1/Namespace': ['kubernetes-models/v1/Namespace', 'Namespace'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'ServiceAccount'],
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'ConfigMap'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'Secret'],
  'v1/PersistentVolume': ['kubernetes-models/v1/PersistentVolume', 'PersistentVolume'],
  'v1/PersistentVolumeClaim': ['kubernetes-models/v1/PersistentVolumeClaim', 'PersistentVolumeClaim'],
  'v1/ResourceQuota': ['kubernetes-models/v1/ResourceQuota', 'ResourceQuota'],
  'v1/LimitRange': ['kubernetes-models/v1/LimitRange', 'LimitRange'],
  'batch/v1/Job': ['kubernetes-models/batch/v1/Job', 'Job'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'Deployment'],
  'apps/v1/DaemonSet': ['kubernetes-models/apps/v1/DaemonSet', 'DaemonSet'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'NetworkPolicy'],
  'networking.k8s.io/v1/Ingress': ['kubernetes-models/networking.k8s.io/v1/Ingress', 'Ingress'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'PodDisruptionBudget'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'HorizontalPodAutoscaler'],
  'scheduling.k8s.io/v1/PriorityClass': ['kubernetes-models/scheduling.k8s.io/v1/PriorityClass', 'PriorityClass'],
  'rbac.authorization.k8s.io/v1/Role': ['kubernetes-models/rbac.authorization.k8s.io/v1/Role', 'Role'],
  'rbac.authorization.k8s.io/v1/RoleBinding': ['kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding', 'RoleBinding'],
  'rbac.authorization.k8s.io/v1/ClusterRole': ['kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole', 'ClusterRole'],
  // prometheus-operator's models are generated from its CRD schemas.
  'monitoring.coreos.com/v1/ServiceMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', 'ServiceMonitor'],
  'monitoring.coreos.com/v1/PodMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor', 'PodMonitor'],
  'monitoring.coreos.com/v1/PrometheusRule': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', 'PrometheusRule'],
};

async function model(path, name) {
  return (await import(path))[name];
}

function check(errors, where, Model, data) {
  try {
    new Model(data).validate();
  } catch (error) {
    errors.push(`${where}: ${error.message}`);
  }
}

async function errorsOf(docs) {
  const errors = [];
  const JobTemplateSpec = await model('kubernetes-models/batch/v1/JobTemplateSpec', 'JobTemplateSpec');
  const PodTemplateSpec = await model('kubernetes-models/v1/PodTemplateSpec', 'PodTemplateSpec');
  for (const doc of docs) {
    const key = `${doc.apiVersion}/${doc.kind}`;
    const where = `${key} ${doc.metadata?.name}`;
    if (MODELS[key]) {
      check(errors, where, await model(...MODELS[key]), doc);
    } else if (key === 'jobset.x-k8s.io/v1alpha2/JobSet') {
      for (const job of doc.spec?.replicatedJobs ?? []) check(errors, `${where} replicatedJobs[${job.name}].template`, JobTemplateSpec, job.template);
    } else if (key === 'kubeflow.org/v1/TFJob') {
      for (const [type, spec] of Object.entries(doc.spec?.tfReplicaSpecs ?? {})) check(errors, `${where} tfReplicaSpecs.${type}.template`, PodTemplateSpec, spec.template);
    } else if (!key.startsWith('kueue.x-k8s.io/')) {
      // Kueue objects embed no Kubernetes type; schema.ts checks them against their CRDs.
      errors.push(`${where}: no schema known for ${key}`);
    }
  }
  return errors;
}

// Each request carries the flag the caller waits on; the reply is on the port before the flag is set.
const { port } = workerData;
port.on('message', async ({ docs, done }) => {
  try {
    port.postMessage({ errors: await errorsOf(docs) });
  } catch (error) {
    port.postMessage({ failure: String(error?.stack ?? error) });
  }
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
