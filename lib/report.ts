import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ManagedCluster } from './clusters/managed-cluster';
import { Accelerator } from './core/accelerator';
import { ClusterProfile, NodePoolProfile } from './core/cluster-profile';
import { Tenant } from './platform/tenant';
import { TfServing } from './serving/tf-serving';
import type { PlatformApps } from './synth';
import { TfTrainingJob } from './training/tf-training-job';
import { isPlatformWorkload, PlatformWorkload } from './core/workload';
import { WorkloadKinds } from './core/workload-kinds';

/** What one program built, gathered from its apps. */
export interface PlatformInventory {
  readonly clusters: readonly ClusterProfile[];
  readonly tenants: readonly Tenant[];
  readonly trainingJobs: readonly TfTrainingJob[];
  readonly servingStacks: readonly TfServing[];
  /** Workloads of kinds the library does not ship (registered with `WorkloadKinds`). */
  readonly otherWorkloads: readonly PlatformWorkload[];
}

/** A group of files one synth wrote, for the summary: `Terraform  cdktf.out/stacks/{a,b}/cdk.tf.json`. */
export interface WrittenOutput {
  readonly what: string;
  readonly paths: readonly string[];
}

const all = <T>(root: IConstruct | undefined, type: abstract new (...args: any[]) => T): T[] =>
  (root ? root.node.findAll().filter((c): c is T & IConstruct => c instanceof type) : []);

export function inventory(apps: PlatformApps): PlatformInventory {
  const tenants = all(apps.kubernetes, Tenant);
  const trainingJobs = all(apps.kubernetes, TfTrainingJob);
  const servingStacks = all(apps.kubernetes, TfServing);
  // Clusters built in this program, else the profiles the Kubernetes side was given.
  const profiles = new Map<string, ClusterProfile>();
  for (const cluster of all(apps.terraform, ManagedCluster)) profiles.set(cluster.clusterName, cluster.profile);
  for (const tenant of tenants) if (!profiles.has(tenant.cluster.name)) profiles.set(tenant.cluster.name, tenant.cluster);
  const otherWorkloads = apps.kubernetes
    ? apps.kubernetes.node.findAll().filter((c): c is PlatformWorkload => isPlatformWorkload(c) && !(c instanceof TfTrainingJob) && !(c instanceof TfServing))
    : [];
  return { clusters: [...profiles.values()], tenants, trainingJobs, servingStacks, otherWorkloads };
}

function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string[] {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}

function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

interface Section {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: Array<Array<string | number>>;
}

/** `L4` for `nvidia-l4`: the catalogue's name without the vendor; a hand-written profile's id as it is. */
function gpuName(id: string): string {
  return Accelerator.fromId(id)?.displayName.replace(/^NVIDIA /, '') ?? id;
}

/** `0–8 nodes × 1 L4`: the node range first, so 8 reads as nodes, then what each node carries. */
export function poolSize(pool: NodePoolProfile): string {
  const nodes = `${pool.minNodes}–${pool.maxNodes} node${pool.maxNodes === 1 ? '' : 's'}`;
  return pool.accelerator && pool.gpusPerNode > 0 ? `${nodes} × ${pool.gpusPerNode} ${gpuName(pool.accelerator)}` : nodes;
}

function sections(inv: PlatformInventory, cluster: ClusterProfile): Section[] {
  const onCluster = <T extends { describe(): { cluster: string } }>(items: readonly T[]) => items.filter((i) => i.describe().cluster === cluster.name);
  return [
    {
      title: 'Pools',
      header: ['pool', 'machine', 'size', 'GPU capacity', 'spot'],
      rows: cluster.pools.map((p) => [p.name, p.machineType, poolSize(p), p.accelerator && p.gpusPerNode > 0 ? `${p.maxNodes * p.gpusPerNode} ${gpuName(p.accelerator)}` : '-', p.spot ? 'yes' : 'no']),
    },
    {
      title: 'Tenants',
      header: ['tenant', 'CPU', 'memory', 'GPUs', 'storage', 'load balancers'],
      rows: inv.tenants.filter((t) => t.cluster.name === cluster.name).map((t) => [t.name, t.quota['requests.cpu'], t.quota['requests.memory'], t.quota['requests.nvidia.com/gpu'], t.quota['requests.storage'], t.quota['services.loadbalancers']]),
    },
    {
      title: 'Training jobs',
      header: ['job', 'namespace', 'backend', 'strategy', 'replicas', 'GPUs'],
      rows: onCluster(inv.trainingJobs).map((j) => j.describe()).map((j) => [
        j.name, j.namespace, j.backend, j.strategy,
        Object.entries(j.replicas).map(([role, n]) => `${role} ${n}`).join(', '),
        Object.entries(j.gpus).map(([a, n]) => `${n} × ${a}`).join(', ') || '0',
      ]),
    },
    {
      title: 'Serving',
      header: ['stack', 'namespace', 'models', 'ports', 'endpoint', 'paths', 'replicas', 'GPUs/pod', 'canary'],
      rows: onCluster(inv.servingStacks).map((s) => s.describe()).map((s) => [
        s.name, s.namespace, s.models.join(', '), `grpc ${s.ports.grpc}, http ${s.ports.http}`, s.endpoint, s.paths.join(' ') || '-',
        s.minReplicas === s.maxReplicas ? String(s.minReplicas) : `${s.minReplicas}-${s.maxReplicas}`, s.gpusPerPod, s.canaryWeight === undefined ? '-' : `${s.canaryWeight}%`,
      ]),
    },
    {
      title: 'Routes',
      header: ['stack', 'host and path', 'Service', 'track', 'model', 'version or label'],
      rows: onCluster(inv.servingStacks).flatMap((s) => s.describe().routes.map((r) => [
        s.name, `${r.host ?? '(Service)'}${r.path}${r.rewrite ? ` → ${r.rewrite}` : ''}`, r.service, `${r.track} ${r.weight}%`, r.model ?? '-',
        r.label !== undefined ? `label ${r.label}` : r.version !== undefined ? `version ${r.version}` : 'latest',
      ])),
    },
    {
      title: 'Other workloads',
      header: ['workload', 'kind', 'namespace', 'GPUs held'],
      rows: inv.otherWorkloads.filter((w) => w.clusterName === cluster.name).map((w) => [w.name, workloadKinds(w).join(', ') || '-', w.namespace, w.fixedGpuDemand()]),
    },
  ];
}

/** A short text summary per cluster, for the end of a synth run, after the files it wrote. */
export function summaryText(inv: PlatformInventory, warnings: readonly string[], waivers: readonly string[] = [], written: readonly WrittenOutput[] = []): string {
  const lines: string[] = [];
  if (written.length > 0) {
    lines.push('Wrote', ...table(['', ''], written.map((w) => [w.what, w.paths.join(', ')])).slice(1).map((l) => `  ${l}`), '');
  }
  for (const cluster of inv.clusters) {
    lines.push(`Cluster ${cluster.name} (${cluster.cloud}, Kubernetes ${cluster.kubernetesVersion})`);
    for (const section of sections(inv, cluster)) {
      if (section.rows.length === 0) continue;
      lines.push(`  ${section.title}`, ...table(section.header, section.rows).map((l) => `    ${l}`));
    }
    lines.push('');
  }
  lines.push(warnings.length === 0 ? 'Warnings: none' : `Warnings (${warnings.length}):`, ...warnings.map((w) => `  ${w}`));
  lines.push(waivers.length === 0 ? 'Policy waivers: none' : `Waivers (${waivers.length}):`, ...waivers.map((w) => `  ${w}`));
  return lines.join('\n');
}

/** The registered workload kinds of the objects below `scope`. */
function workloadKinds(scope: IConstruct): string[] {
  return [...new Set(scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && WorkloadKinds.of(c.kind) !== undefined).map((o) => o.kind))];
}

/** The pod specs of every workload object below `scope`, read through the workload-kind registry. */
function podSpecs(scope: IConstruct): any[] {
  return scope.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && WorkloadKinds.of(c.kind) !== undefined)
    .flatMap((o) => WorkloadKinds.of(o.kind)!.podTemplates(o.toJson()).map((t) => t.template?.spec))
    .filter((s) => s !== undefined);
}

const matchesExpression = (labels: Readonly<Record<string, string>>, e: { key: string; operator: string; values?: string[] }) => {
  const value = labels[e.key];
  switch (e.operator) {
    case 'In': return value !== undefined && (e.values ?? []).includes(value);
    case 'NotIn': return value === undefined || !(e.values ?? []).includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    default: return false;
  }
};

/**
 * Whether the scheduler may put `pod` on a node of `pool`, as Kubernetes decides it: every
 * nodeSelector label, one required node-affinity term, and a toleration for every NoSchedule or
 * NoExecute taint.
 */
function landsOn(pod: any, pool: NodePoolProfile): boolean {
  const selected = Object.entries<string>(pod.nodeSelector ?? {}).every(([k, v]) => pool.labels[k] === v);
  const terms: any[] = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const affine = terms.length === 0 || terms.some((t) => (t.matchExpressions ?? []).every((e: any) => matchesExpression(pool.labels, e)));
  const tolerated = pool.taints.filter((t) => t.effect !== 'PreferNoSchedule').every((taint) => (pod.tolerations ?? []).some((tol: any) =>
    (tol.key === undefined || tol.key === taint.key) && (tol.effect === undefined || tol.effect === taint.effect)
    && (tol.operator === 'Exists' || (tol.value ?? '') === (taint.value ?? ''))));
  return selected && affine && tolerated;
}

/** The GPU pools some pod of `workload` can be scheduled on. */
function gpuPoolsReached(workload: IConstruct, cluster: ClusterProfile): NodePoolProfile[] {
  const pods = podSpecs(workload);
  return cluster.pools.filter((p) => p.gpusPerNode > 0 && pods.some((pod) => landsOn(pod, p)));
}

const id = (text: string) => text.replace(/[^A-Za-z0-9_]/g, '_');

/** PLATFORM.md: a Mermaid diagram of clusters → pools → tenants → workloads, and the same tables. */
export function platformMarkdown(inv: PlatformInventory, warnings: readonly string[], waivers: readonly string[] = []): string {
  const graph = ['```mermaid', 'graph LR'];
  for (const cluster of inv.clusters) {
    const c = id(`c_${cluster.name}`);
    graph.push(`  ${c}["${cluster.name} (${cluster.cloud})"]`);
    for (const pool of cluster.pools) {
      const label = `${pool.name}: ${pool.accelerator ? poolSize(pool) : pool.machineType}${pool.spot ? ', spot' : ''}`;
      graph.push(`  ${c} --> ${id(`p_${cluster.name}_${pool.name}`)}["${label}"]`);
    }
    for (const tenant of inv.tenants.filter((t) => t.cluster.name === cluster.name)) {
      const t = id(`t_${cluster.name}_${tenant.name}`);
      graph.push(`  ${c} --> ${t}(["${tenant.name}: ${tenant.gpuQuota} GPUs"])`);
      // Dotted edges: the GPU pools a workload's pods can be scheduled on, labelled when spot.
      const placedOn = (node: string, workload: IConstruct) => gpuPoolsReached(workload, cluster)
        .forEach((p) => graph.push(`  ${node} ${p.spot ? '-. spot .->' : '-.->'} ${id(`p_${cluster.name}_${p.name}`)}`));
      for (const job of inv.trainingJobs.filter((j) => j.clusterName === cluster.name && j.namespace === tenant.name)) {
        const node = id(`j_${cluster.name}_${tenant.name}_${job.name}`);
        graph.push(`  ${t} --> ${node}[/"train ${job.name}"/]`);
        placedOn(node, job);
      }
      for (const stack of inv.servingStacks.filter((s) => s.clusterName === cluster.name && s.namespace === tenant.name)) {
        const node = id(`s_${cluster.name}_${tenant.name}_${stack.name}`);
        graph.push(`  ${t} --> ${node}[["serve ${stack.describe().models.join(', ')}"]]`);
        placedOn(node, stack);
      }
      for (const workload of inv.otherWorkloads.filter((w) => w.clusterName === cluster.name && w.namespace === tenant.name)) {
        const node = id(`w_${cluster.name}_${tenant.name}_${workload.name}`);
        graph.push(`  ${t} --> ${node}["${workloadKinds(workload).join(', ')} ${workload.name}"]`);
        placedOn(node, workload);
      }
    }
  }
  graph.push('```');
  const body = inv.clusters.flatMap((cluster) => [
    `## ${cluster.name} (${cluster.cloud}, Kubernetes ${cluster.kubernetesVersion})`,
    '',
    ...sections(inv, cluster).filter((s) => s.rows.length > 0).flatMap((s) => [`### ${s.title}`, '', ...markdownTable(s.header, s.rows), '']),
  ]);
  return [
    '# Platform',
    '',
    ...graph,
    '',
    ...body,
    '## Warnings',
    '',
    ...(warnings.length === 0 ? ['None.'] : warnings.map((w) => `- ${w}`)),
    '',
    '## Policy waivers',
    '',
    ...(waivers.length === 0 ? ['None.'] : waivers.map((w) => `- ${w}`)),
    '',
  ].join('\n');
}
