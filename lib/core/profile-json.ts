import { Accelerator } from './accelerator';
import { parseIpv4Cidr } from './cidr';
import { labelKeyProblems, labelValueProblems } from './labels';
import { DNS_LABEL, STORAGE_CLASS_NAME } from './names';
import { Problem } from './validation';

/**
 * The rules of a profile's JSON form (`ClusterProfile.fromJson`, `fromFile`): a hand-written
 * profile is the one input no construct built, and every workload places pods, writes network
 * policies and picks storage from it. Each problem names its JSON path (`profile.pools[0].taints[1].effect`).
 */

const TOP = ['cloud', 'name', 'kubernetesVersion', 'pools', 'capabilities', 'facts'];
const POOL = ['name', 'machineType', 'accelerator', 'gpusPerNode', 'minNodes', 'maxNodes', 'spot', 'labels', 'taints', 'devicePluginRequired'];
const CAPABILITIES = ['devicePluginRequired', 'managedGpuDrivers', 'extendedResourceToleration', 'networkPolicyEnforced', 'workloadIdentity'];
const FACTS = ['workloadIdentity', 'loadBalancer', 'metadata', 'objectStores', 'readWriteManyStorageClass'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const SCHEME = /^[a-z][a-z0-9+.-]*$/;
const FROM_TO_JSON = 'compare with a profile ClusterProfile.toJson() writes (cdktf.out/profiles/<cluster>.json)';

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;

class Checker {
  public readonly problems: Problem[] = [];

  public add(code: string, at: string, message: string, received: unknown, fix: string): void {
    this.problems.push({ code, message: `${at} ${message}`, received, fix });
  }

  /** Whether `value` is an object; if not, lists it under `code`. */
  public object(value: unknown, at: string, code: string, fix: string): value is Json {
    if (isRecord(value)) return true;
    this.add(code, at, 'must be an object.', value, fix);
    return false;
  }

  /** Fields that would be ignored: usually a misspelling, which would silently mean the default. */
  public unknown(value: Json, at: string, known: readonly string[]): void {
    for (const field of Object.keys(value).filter((f) => !known.includes(f))) {
      this.add('PROFILE_FIELD_UNKNOWN', `${at}.${field}`, 'is not a field of the profile; it would be ignored.', field, `use one of ${known.join(', ')}.`);
    }
  }

  /** A map of label keys to label values, of annotation keys to strings, or of any keys to strings. */
  public stringMap(value: unknown, at: string, code: string, kind: 'label' | 'annotation' | 'string'): void {
    const fix = {
      label: 'use a qualified name (optional DNS prefix and "/") as the key and at most 63 letters, digits, "-", "_" or "." as the value.',
      annotation: 'use a qualified name (optional DNS prefix and "/") as the key and a string as the value.',
      string: 'write each value as a string.',
    }[kind];
    if (!this.object(value, at, code, fix)) return;
    for (const [key, v] of Object.entries(value)) {
      const found = [
        ...(kind === 'string' ? [] : labelKeyProblems(key, code)),
        ...(typeof v !== 'string' ? [{ message: 'The value is not a string.' }] : kind === 'label' ? labelValueProblems(v, code) : []),
      ];
      if (found.length > 0) this.add(code, `${at}["${key}"]`, `must be a valid ${kind === 'string' ? 'entry' : kind}: ${found.map((p) => p.message).join(' ')}`, v, fix);
    }
  }
}

/** Every problem of a profile's JSON form; empty when `ClusterProfile.fromJson` may take it. */
export function profileJsonProblems(json: unknown): Problem[] {
  const c = new Checker();
  if (!c.object(json, 'profile', 'PROFILE_INVALID', `pass the JSON object of a profile; ${FROM_TO_JSON}.`)) return c.problems;
  c.unknown(json, 'profile', TOP);
  if (!(typeof json.cloud === 'string' && DNS_LABEL.pattern.test(json.cloud) && json.cloud.length <= DNS_LABEL.maxLength)) {
    c.add('PROFILE_CLOUD_INVALID', 'profile.cloud', 'must be a lower-case name such as gke, eks, aks or on-prem.', json.cloud, 'write gke, eks or aks for a managed cluster, or a lower-case name such as on-prem or kind.');
  }
  if (!(typeof json.name === 'string' && DNS_LABEL.pattern.test(json.name) && json.name.length <= DNS_LABEL.maxLength)) {
    c.add('PROFILE_NAME_INVALID', 'profile.name', 'must be a DNS label: it names the cluster\'s charts and labels.', json.name, `${DNS_LABEL.description}.`);
  }
  if (!(typeof json.kubernetesVersion === 'string' && /^1\.\d{2}$/.test(json.kubernetesVersion))) {
    c.add('PROFILE_VERSION_INVALID', 'profile.kubernetesVersion', 'must be a minor version such as "1.33".', json.kubernetesVersion, 'write major.minor, e.g. "1.33", without a patch number or an alias such as "latest".');
  }
  capabilityProblems(c, json.capabilities);
  if (json.facts !== undefined) factsProblems(c, json.facts);
  if (!Array.isArray(json.pools)) {
    c.add('PROFILE_POOLS_INVALID', 'profile.pools', 'must be an array of pools.', json.pools, `list the node pools, or write [] for none; ${FROM_TO_JSON}.`);
    return c.problems;
  }
  const names = new Set<unknown>();
  json.pools.forEach((pool: unknown, i: number) => {
    poolProblems(c, pool, `profile.pools[${i}]`, names);
    if (isRecord(pool)) names.add(pool.name);
  });
  return c.problems;
}

function capabilityProblems(c: Checker, capabilities: unknown): void {
  const fix = `write true or false for each of ${CAPABILITIES.join(', ')}.`;
  if (!c.object(capabilities, 'profile.capabilities', 'PROFILE_CAPABILITIES_INVALID', fix)) return;
  c.unknown(capabilities, 'profile.capabilities', CAPABILITIES);
  for (const key of CAPABILITIES.filter((k) => typeof capabilities[k] !== 'boolean')) {
    c.add('PROFILE_CAPABILITIES_INVALID', `profile.capabilities.${key}`, 'must be a boolean.', capabilities[key], fix);
  }
}

function poolProblems(c: Checker, pool: unknown, at: string, earlier: ReadonlySet<unknown>): void {
  if (!c.object(pool, at, 'PROFILE_POOL_INVALID', `write each pool as an object with ${POOL.join(', ')}.`)) return;
  c.unknown(pool, at, POOL);
  // Workloads select pools by name through a node label, so the name is a label value.
  if (typeof pool.name !== 'string' || pool.name === '' || labelValueProblems(pool.name, 'X').length > 0) {
    c.add('PROFILE_POOL_NAME_INVALID', `${at}.name`, 'must be a non-empty label value: workloads select the pool by it.', pool.name, 'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.');
  } else if (earlier.has(pool.name)) {
    c.add('PROFILE_POOL_NAME_DUPLICATE', `${at}.name`, 'is the name of an earlier pool.', pool.name, 'give each pool its own name.');
  }
  if (typeof pool.machineType !== 'string' || pool.machineType.trim() === '') {
    c.add('PROFILE_MACHINE_TYPE_INVALID', `${at}.machineType`, 'must be a non-empty string.', pool.machineType, 'write the machine type of the pool\'s nodes, e.g. g6.xlarge.');
  }
  if (pool.accelerator !== undefined && (typeof pool.accelerator !== 'string' || Accelerator.fromId(pool.accelerator) === undefined)) {
    c.add('PROFILE_ACCELERATOR_INVALID', `${at}.accelerator`, 'must be an accelerator catalogue id.', pool.accelerator, `use one of ${Accelerator.all().map((a) => a.id).join(', ')}, or leave it out on a CPU pool.`);
  }
  for (const key of ['gpusPerNode', 'minNodes', 'maxNodes'].filter((k) => !isCount(pool[k]))) {
    c.add('PROFILE_POOL_SIZE_INVALID', `${at}.${key}`, 'must be a non-negative integer.', pool[key], `write a whole number of ${key === 'gpusPerNode' ? 'GPUs' : 'nodes'}, 0 or more.`);
  }
  if (isCount(pool.minNodes) && isCount(pool.maxNodes) && (pool.minNodes as number) > (pool.maxNodes as number)) {
    c.add('PROFILE_POOL_SIZE_INVALID', `${at}.minNodes`, 'must not exceed maxNodes.', { minNodes: pool.minNodes, maxNodes: pool.maxNodes }, 'lower minNodes or raise maxNodes.');
  }
  if (isCount(pool.gpusPerNode) && (pool.accelerator === undefined) !== (pool.gpusPerNode === 0)) {
    c.add('PROFILE_ACCELERATOR_INVALID', at, 'must have an accelerator exactly when gpusPerNode is above 0.', { accelerator: pool.accelerator, gpusPerNode: pool.gpusPerNode }, 'give a GPU pool its accelerator id and GPUs per node; a CPU pool neither.');
  }
  for (const key of ['spot', 'devicePluginRequired'].filter((k) => typeof pool[k] !== 'boolean')) {
    c.add('PROFILE_POOL_FLAG_INVALID', `${at}.${key}`, 'must be a boolean.', pool[key], 'write true or false.');
  }
  c.stringMap(pool.labels, `${at}.labels`, 'PROFILE_LABEL_INVALID', 'label');
  if (!Array.isArray(pool.taints)) {
    c.add('PROFILE_TAINT_INVALID', `${at}.taints`, 'must be an array of taints.', pool.taints, 'list the taints the nodes carry as { key, value?, effect }, or write [] for none.');
    return;
  }
  pool.taints.forEach((taint: unknown, t: number) => taintProblems(c, taint, `${at}.taints[${t}]`));
}

function taintProblems(c: Checker, taint: unknown, at: string): void {
  const fix = `write { key, value?, effect } with a label-syntax key and value and effect ${TAINT_EFFECTS.join(', ')}.`;
  if (!c.object(taint, at, 'PROFILE_TAINT_INVALID', fix)) return;
  c.unknown(taint, at, ['key', 'value', 'effect']);
  if (typeof taint.key !== 'string' || labelKeyProblems(taint.key, 'X').length > 0) c.add('PROFILE_TAINT_INVALID', `${at}.key`, 'must be a qualified name, as label keys are.', taint.key, fix);
  if (taint.value !== undefined && (typeof taint.value !== 'string' || labelValueProblems(taint.value, 'X').length > 0)) c.add('PROFILE_TAINT_INVALID', `${at}.value`, 'must be a label value.', taint.value, fix);
  if (!TAINT_EFFECTS.includes(taint.effect as string)) c.add('PROFILE_TAINT_INVALID', `${at}.effect`, `must be one of ${TAINT_EFFECTS.join(', ')}.`, taint.effect, fix);
}

function factsProblems(c: Checker, facts: unknown): void {
  const code = 'PROFILE_FACTS_INVALID';
  if (!c.object(facts, 'profile.facts', code, `write the facts as ClusterProfile.toJson() does, or leave them out for the cloud's defaults.`)) return;
  c.unknown(facts, 'profile.facts', FACTS);
  const identity = facts.workloadIdentity;
  if (identity !== undefined && c.object(identity, 'profile.facts.workloadIdentity', code, 'write { serviceAccountAnnotation, podLabels }, or leave it out when pods take no cloud identity.')) {
    c.unknown(identity, 'profile.facts.workloadIdentity', ['serviceAccountAnnotation', 'podLabels']);
    if (typeof identity.serviceAccountAnnotation !== 'string' || labelKeyProblems(identity.serviceAccountAnnotation, code).length > 0) {
      c.add(code, 'profile.facts.workloadIdentity.serviceAccountAnnotation', 'must be an annotation key.', identity.serviceAccountAnnotation, 'write the ServiceAccount annotation that names the identity, e.g. eks.amazonaws.com/role-arn.');
    }
    c.stringMap(identity.podLabels, 'profile.facts.workloadIdentity.podLabels', code, 'label');
  }
  const lb = facts.loadBalancer;
  if (c.object(lb, 'profile.facts.loadBalancer', code, 'write { internalAnnotations, externalAnnotations }, each an object of Service annotations.')) {
    c.unknown(lb, 'profile.facts.loadBalancer', ['internalAnnotations', 'externalAnnotations']);
    c.stringMap(lb.internalAnnotations, 'profile.facts.loadBalancer.internalAnnotations', code, 'annotation');
    c.stringMap(lb.externalAnnotations, 'profile.facts.loadBalancer.externalAnnotations', code, 'annotation');
  }
  metadataProblems(c, facts.metadata);
  objectStoreProblems(c, facts.objectStores);
  const rwx = facts.readWriteManyStorageClass;
  if (rwx !== undefined && !(typeof rwx === 'string' && STORAGE_CLASS_NAME.pattern.test(rwx) && rwx.length <= STORAGE_CLASS_NAME.maxLength)) {
    c.add(code, 'profile.facts.readWriteManyStorageClass', 'must be a StorageClass name (a DNS subdomain such as "efs").', rwx, 'name the cluster\'s ReadWriteMany class, or leave it out when the cluster has none.');
  }
}

function metadataProblems(c: Checker, metadata: unknown): void {
  const code = 'PROFILE_FACTS_INVALID';
  const at = 'profile.facts.metadata';
  if (!c.object(metadata, at, code, 'write { blockedCidrs, identityEndpoints }.')) return;
  c.unknown(metadata, at, ['blockedCidrs', 'identityEndpoints']);
  const cidrFix = 'write an IPv4 block such as 169.254.169.254/32.';
  if (!Array.isArray(metadata.blockedCidrs)) c.add(code, `${at}.blockedCidrs`, 'must be an array of IPv4 CIDRs.', metadata.blockedCidrs, cidrFix);
  else metadata.blockedCidrs.forEach((cidr: unknown, i: number) => {
    if (typeof cidr !== 'string' || !parseIpv4Cidr(cidr)) c.add(code, `${at}.blockedCidrs[${i}]`, 'must be an IPv4 CIDR: network policies leave it out of egress.', cidr, cidrFix);
  });
  if (!Array.isArray(metadata.identityEndpoints)) {
    c.add(code, `${at}.identityEndpoints`, 'must be an array of { cidr, port }.', metadata.identityEndpoints, 'list the endpoints pods need for their identity, or write [].');
    return;
  }
  metadata.identityEndpoints.forEach((endpoint: unknown, i: number) => {
    const where = `${at}.identityEndpoints[${i}]`;
    if (!c.object(endpoint, where, code, 'write { cidr, port }.')) return;
    c.unknown(endpoint, where, ['cidr', 'port']);
    if (typeof endpoint.cidr !== 'string' || !parseIpv4Cidr(endpoint.cidr)) c.add(code, `${where}.cidr`, 'must be an IPv4 CIDR.', endpoint.cidr, cidrFix);
    if (!Number.isInteger(endpoint.port) || (endpoint.port as number) < 1 || (endpoint.port as number) > 65535) c.add(code, `${where}.port`, 'must be a port from 1 to 65535.', endpoint.port, 'write the TCP port the endpoint listens on.');
  });
}

function objectStoreProblems(c: Checker, stores: unknown): void {
  const code = 'PROFILE_FACTS_INVALID';
  if (!Array.isArray(stores)) {
    c.add(code, 'profile.facts.objectStores', 'must be an array of { scheme, csiDriver?, volumeAttributes?, podAnnotations? }.', stores, 'list the stores pods can read, or write [] for none.');
    return;
  }
  const schemes = new Set<unknown>();
  stores.forEach((store: unknown, i: number) => {
    const at = `profile.facts.objectStores[${i}]`;
    if (!c.object(store, at, code, 'write { scheme, csiDriver?, volumeAttributes?, podAnnotations? }.')) return;
    c.unknown(store, at, ['scheme', 'csiDriver', 'volumeAttributes', 'podAnnotations']);
    if (typeof store.scheme !== 'string' || !SCHEME.test(store.scheme)) c.add(code, `${at}.scheme`, 'must be a URI scheme such as gs or s3.', store.scheme, 'write the scheme without "://".');
    else if (schemes.has(store.scheme)) c.add(code, `${at}.scheme`, 'is the scheme of an earlier store; only the first would be read.', store.scheme, 'list each scheme once.');
    schemes.add(store.scheme);
    if (store.csiDriver !== undefined && (typeof store.csiDriver !== 'string' || !STORAGE_CLASS_NAME.pattern.test(store.csiDriver.toLowerCase()) || store.csiDriver.length > 63)) {
      c.add(code, `${at}.csiDriver`, 'must be a CSI driver name (a DNS subdomain of at most 63 characters, as Kubernetes checks it in a pod\'s csi volume).', store.csiDriver, 'write the driver\'s name, e.g. s3.csi.aws.com, or leave it out.');
    }
    if (store.volumeAttributes !== undefined) c.stringMap(store.volumeAttributes, `${at}.volumeAttributes`, code, 'string');
    if (store.podAnnotations !== undefined) c.stringMap(store.podAnnotations, `${at}.podAnnotations`, code, 'annotation');
  });
}
