/**
 * The Pod Security Standards "restricted" profile (which includes "baseline"), checked field by
 * field on pod specs, as the PodSecurity admission plugin would.
 */
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];

export function restrictedViolations(pod: any): string[] {
  const v: string[] = [];
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];
  const podSc = pod.securityContext ?? {};
  // baseline
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[field]) v.push(`${field} is true`);
  for (const volume of pod.volumes ?? []) {
    if (volume.hostPath) v.push(`volume ${volume.name} is a hostPath`);
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUME_TYPES.includes(type)) v.push(`volume ${volume.name} has type ${type}`);
  }
  for (const sysctl of podSc.sysctls ?? []) if (!SAFE_SYSCTLS.includes(sysctl.name)) v.push(`unsafe sysctl ${sysctl.name}`);
  if (podSc.seccompProfile && !['RuntimeDefault', 'Localhost'].includes(podSc.seccompProfile.type)) v.push(`pod seccomp ${podSc.seccompProfile.type}`);
  if (podSc.runAsUser === 0) v.push('pod runAsUser is 0');
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) v.push(`${at} is privileged`);
    if (sc.procMount && sc.procMount !== 'Default') v.push(`${at} procMount ${sc.procMount}`);
    for (const port of c.ports ?? []) if (port.hostPort) v.push(`${at} uses hostPort ${port.hostPort}`);
    // restricted
    if (sc.allowPrivilegeEscalation !== false) v.push(`${at} does not set allowPrivilegeEscalation: false`);
    if (!(sc.runAsNonRoot === true || (sc.runAsNonRoot === undefined && podSc.runAsNonRoot === true))) v.push(`${at} may run as root (runAsNonRoot)`);
    if (sc.runAsUser === 0) v.push(`${at} runAsUser is 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) v.push(`${at} has no RuntimeDefault or Localhost seccomp profile`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push(`${at} does not drop ALL capabilities`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') v.push(`${at} adds capability ${cap}`);
  }
  return v;
}

/** Every pod template in `docs`, with where it came from. */
export function podTemplates(docs: readonly any[]): Array<{ where: string; namespace: string; spec: any; labels: Record<string, string> }> {
  const out: Array<{ where: string; namespace: string; spec: any; labels: Record<string, string> }> = [];
  for (const doc of docs) {
    const where = `${doc.kind} ${doc.metadata?.namespace}/${doc.metadata?.name}`;
    const namespace = doc.metadata?.namespace;
    const push = (template: any, suffix = '') => out.push({ where: where + suffix, namespace, spec: template.spec, labels: template.metadata?.labels ?? {} });
    if (['Deployment', 'DaemonSet', 'Job', 'StatefulSet', 'ReplicaSet'].includes(doc.kind)) push(doc.spec.template);
    if (doc.kind === 'JobSet') for (const rj of doc.spec.replicatedJobs) push(rj.template.spec.template, ` ${rj.name}`);
    if (doc.kind === 'TFJob') for (const [type, spec] of Object.entries<any>(doc.spec.tfReplicaSpecs)) push(spec.template, ` ${type}`);
    if (doc.kind === 'Pod') out.push({ where, namespace, spec: doc.spec, labels: doc.metadata?.labels ?? {} });
  }
  return out;
}
