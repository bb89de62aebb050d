/**
 * The pods and Services that the Job and JobSet controllers would create from synthesized
 * manifests, with the names, labels and annotations those controllers give them.
 */
export interface ModelPod {
  readonly name: string;
  readonly namespace: string;
  readonly hostname: string;
  readonly subdomain?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: any;
}

export interface ModelService {
  readonly name: string;
  readonly namespace: string;
  readonly headless: boolean;
  readonly selector: Record<string, string>;
  readonly ports: readonly number[];
}

const INDEX_KEY = 'batch.kubernetes.io/job-completion-index';

/** Pods of an Indexed Job: hostname `<job>-<index>`, the index as annotation and label. */
function indexedJobPods(jobName: string, namespace: string, jobSpec: any, extraLabels: Record<string, string> = {}, subdomain?: string): ModelPod[] {
  if (jobSpec.completionMode !== 'Indexed') throw new Error(`Job ${jobName} is not Indexed`);
  return Array.from({ length: jobSpec.completions }, (_, index) => ({
    name: `${jobName}-${index}-abcde`,
    namespace,
    hostname: `${jobName}-${index}`,
    subdomain: subdomain ?? jobSpec.template.spec.subdomain,
    labels: { ...jobSpec.template.metadata?.labels, ...extraLabels, 'job-name': jobName, [INDEX_KEY]: String(index) },
    annotations: { ...jobSpec.template.metadata?.annotations, [INDEX_KEY]: String(index) },
    spec: jobSpec.template.spec,
  }));
}

export function modelCluster(docs: readonly any[]): { pods: ModelPod[]; services: ModelService[] } {
  const pods: ModelPod[] = [];
  const services: ModelService[] = [];
  for (const doc of docs) {
    const namespace = doc.metadata.namespace ?? 'default';
    if (doc.kind === 'Job') {
      pods.push(...indexedJobPods(doc.metadata.name, namespace, doc.spec));
    } else if (doc.kind === 'Service') {
      services.push({
        name: doc.metadata.name,
        namespace,
        headless: doc.spec.clusterIP === 'None',
        selector: doc.spec.selector ?? {},
        ports: (doc.spec.ports ?? []).map((p: any) => p.port),
      });
    } else if (doc.kind === 'JobSet') {
      // The JobSet controller: child Jobs `<jobset>-<replicatedJob>-<jobIndex>`, the jobset-name
      // label on every pod, and one headless Service named after the subdomain selecting them.
      const jobSet = doc.metadata.name;
      const subdomain = doc.spec.network?.subdomain ?? jobSet;
      const label = { 'jobset.sigs.k8s.io/jobset-name': jobSet };
      for (const replicated of doc.spec.replicatedJobs) {
        for (let jobIndex = 0; jobIndex < (replicated.replicas ?? 1); jobIndex++) {
          pods.push(...indexedJobPods(`${jobSet}-${replicated.name}-${jobIndex}`, namespace, replicated.template.spec, label, subdomain));
        }
      }
      services.push({ name: subdomain, namespace, headless: true, selector: label, ports: [] });
    }
  }
  return { pods, services };
}

/**
 * Why `address` (`host.subdomain.namespace.svc:port`) would not reach a pod serving `port`, or
 * undefined when cluster DNS serves it: a pod with that hostname and subdomain, and a headless
 * Service of that name in its namespace that selects it and, when it lists ports, lists this one.
 */
export function unreachable(address: string, pods: readonly ModelPod[], services: readonly ModelService[]): string | undefined {
  const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc:(\d+)$/.exec(address);
  if (!match) return `${address} is not <host>.<subdomain>.<namespace>.svc:<port>`;
  const [, hostname, subdomain, namespace, portText] = match;
  const port = Number(portText);
  const pod = pods.find((p) => p.hostname === hostname && p.subdomain === subdomain && p.namespace === namespace);
  if (!pod) return `no pod has hostname ${hostname} and subdomain ${subdomain} in ${namespace}`;
  if (hostname.length > 63) return `hostname ${hostname} is longer than 63 characters`;
  const service = services.find((s) => s.name === subdomain && s.namespace === namespace);
  if (!service) return `no Service ${subdomain} in ${namespace}`;
  if (!service.headless) return `Service ${subdomain} is not headless`;
  if (!Object.entries(service.selector).every(([k, v]) => pod.labels[k] === v)) return `Service ${subdomain} does not select pod ${pod.name}`;
  if (service.ports.length > 0 && !service.ports.includes(port)) return `Service ${subdomain} does not expose port ${port}`;
  const containerPorts = pod.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort));
  if (!containerPorts.includes(port)) return `pod ${pod.name} does not declare port ${port}`;
  return undefined;
}
