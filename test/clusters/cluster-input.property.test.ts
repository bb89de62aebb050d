/**
 * The cluster constructs under hostile input, typed and untyped: synth either fails listing
 * problems (each with construct path, code, value and fix) or writes Terraform JSON with no
 * `undefined`, `NaN`, `Infinity` or `[object Object]`, pool names valid for their cloud, and a
 * profile that ClusterProfile.fromJson accepts (what the workloads will read). Half the typed runs
 * are clean (only values the clouds take), and those must write output.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import fc from 'fast-check';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { Accelerator, AksCluster, AksVnet, ClusterAddons, ClusterHelmRelease, ClusterProfile, collectValidationErrors, EksBlockStorage, EksCluster, EksSharedFileSystem, EksVpc, GkeCluster } from '../../lib';
import { anyValue, expectRefusedSynthWritesNothing, hostileNumber, hostileString, mostly, PROBLEM_LINE, runs, untypedProps } from '../property-helpers';

type Cloud = 'gke' | 'eks' | 'aks';
const MACHINES: Record<Cloud, string[]> = { gke: ['e2-standard-4', 'n2-standard-8'], eks: ['m6i.large', 'm7g.xlarge'], aks: ['Standard_D4ds_v5', 'Standard_D8ds_v5'] };
const ACCELERATORS: Record<Cloud, Accelerator[]> = { gke: [Accelerator.NVIDIA_L4, Accelerator.NVIDIA_T4], eks: [Accelerator.NVIDIA_L4, Accelerator.NVIDIA_A10G], aks: [Accelerator.NVIDIA_T4, Accelerator.NVIDIA_A100_80GB] };
const ZONES: Record<Cloud, string[]> = { gke: ['europe-west4-a', 'europe-west4-b'], eks: [], aks: ['1', '2'] };
const ADMINS = ['arn:aws:iam::111122223333:role/admin', 'arn:aws:iam::111122223333:user/alice'];
const few = <T>(all: T) => fc.subarray(Object.keys(all as object), { maxLength: 3 }).map((keys) => keys);

/**
 * The generators, hostile (a bad value in about one field in nine) or clean (only values the
 * clouds take): hostile runs rarely get every field right, so clean runs keep the output side covered.
 */
function generators(hostile: boolean) {
  const maybe = <T, U>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<U>): fc.Arbitrary<T | U> => (hostile ? mostly(valid, bad) : valid);
  const count = (min: number, max: number) => maybe(fc.integer({ min, max }), hostileNumber);
  const text = (valid: fc.Arbitrary<string>) => maybe(valid, hostileString);
  const version = maybe(fc.constantFrom('1.32', '1.33'), fc.constantFrom('', 'latest', '1.33.1', '1.3', 'v1.33', ' 1.33'));

  const pool = (cloud: Cloud, gpu: boolean): fc.Arbitrary<Record<string, unknown>> => fc.record({
    // Clean: one name per pool, a GPU count every cloud sells for these accelerators.
    name: hostile ? text(fc.constantFrom('cpu', 'gpu', 'pool1')) : fc.constant(gpu ? 'gpu' : 'cpu'),
    ...(gpu ? { accelerator: fc.constantFrom(...ACCELERATORS[cloud]), gpusPerNode: hostile ? count(1, 2) : fc.constantFrom(1, 4) } : { machineType: text(fc.constantFrom(...MACHINES[cloud])) }),
    minNodes: count(0, hostile ? 2 : 1),
    maxNodes: count(1, 5),
    spot: fc.boolean(),
    labels: fc.dictionary(text(fc.constantFrom('team', 'example.com/tier')), text(fc.constantFrom('ml', 'a-b')), { maxKeys: 2 }),
    taints: fc.array(fc.record({ key: text(fc.constant('dedicated')), value: text(fc.constant('ml')), effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute') as fc.Arbitrary<'NoSchedule'> }, { requiredKeys: ['key', 'effect'] }), { maxLength: 1 }),
    diskSizeGiB: count(20, 500),
    ...(cloud === 'eks' ? { subnetIds: fc.array(text(fc.constantFrom('subnet-a', 'subnet-b')), { maxLength: 2 }) } : { zones: hostile ? fc.array(text(fc.constantFrom(...ZONES[cloud])), { maxLength: 2 }) : fc.uniqueArray(fc.constantFrom(...ZONES[cloud]), { minLength: 1 }) }),
  } as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: gpu ? ['accelerator', 'maxNodes'] : ['machineType', 'maxNodes'] });

  const cidr = (valid: string) => (hostile ? text(fc.constantFrom(valid, '10.0.0.0/8', '0.0.0.0/0', '10.0.0.1/33')) : fc.constant(valid));

  // Clean: each storage construct its own class name, subnets listed once.
  const storageClass = (clean: string) => (hostile ? text(fc.constantFrom('efs', 'gp3', 'fast.ssd')) : fc.constantFrom(clean, `fast.${clean}`));
  const subnets = hostile ? fc.array(text(fc.constantFrom('subnet-a', 'subnet-b', 'subnet-c')), { maxLength: 3 }) : fc.uniqueArray(fc.constantFrom('subnet-a', 'subnet-b', 'subnet-c'), { minLength: 1 });
  const efsOptions = fc.record({ storageClassName: storageClass('efs'), subnetIds: subnets, kmsKeyArn: text(fc.constantFrom('arn:aws:kms:us-east-1:111122223333:key/k', 'arn:aws:kms:us-east-1:111122223333:alias/a')) }, { requiredKeys: [] });
  const ebsOptions = fc.record({ storageClassName: storageClass('gp3') }, { requiredKeys: [] });

  const clusters = {
    gke: fc.record({
      name: text(fc.constantFrom('ml', 'ml-gke')), project: text(fc.constant('p')), location: text(fc.constant('europe-west4')), network: text(fc.constant('n')), subnetwork: text(fc.constant('s')),
      nodeCidr: cidr('10.10.0.0/20'), podCidr: cidr('10.64.0.0/14'), kubernetesVersion: version, publicEndpoint: fc.boolean(),
      // Clean: a public endpoint always has a network to admit.
      authorizedNetworks: fc.array(fc.record({ cidr: cidr('192.168.0.0/24') }), { minLength: hostile ? 0 : 1, maxLength: hostile ? 2 : 1 }), secretsEncryptionKey: text(fc.constant('k')),
      resourceLabels: fc.dictionary(text(fc.constant('team')), text(fc.constant('ml')), { maxKeys: 2 }),
    }, { requiredKeys: ['name', 'project', 'location', 'network', 'subnetwork', ...(hostile ? [] : ['authorizedNetworks' as const])] }),
    eks: fc.record({
      name: text(hostile ? fc.constantFrom('ml', 'ml_eks') : fc.constantFrom('ml', 'ml-eks')), region: text(fc.constant('us-east-1')),
      // Mostly lists EKS takes (two subnets or more, an admin or more), so runs reach the output side too.
      subnetIds: maybe(fc.shuffledSubarray(['subnet-a', 'subnet-b', 'subnet-c'], { minLength: 2 }), subnets),
      vpcCidr: cidr('10.0.0.0/16'), serviceCidr: cidr('172.20.0.0/16'), kubernetesVersion: version,
      admins: maybe(fc.shuffledSubarray(ADMINS, { minLength: 1 }), fc.array(text(fc.constantFrom(...ADMINS)), { maxLength: 2 })),
      publicAccessCidrs: fc.array(cidr('192.168.0.0/24'), { maxLength: 2 }), objectStorageCsiDriver: fc.boolean(),
      sharedFileSystem: fc.oneof(fc.constant(false), efsOptions), blockStorage: fc.oneof(fc.constant(false), ebsOptions),
    }, { requiredKeys: ['name', 'region', 'subnetIds', 'admins'] }),
    aks: fc.record({
      name: text(fc.constantFrom('ml', 'ml-aks')), location: text(fc.constant('westeurope')), resourceGroupName: text(fc.constant('rg')), vnetSubnetId: text(fc.constant('s')),
      nodeCidr: cidr('10.20.0.0/20'), kubernetesVersion: version, tenantId: text(fc.constant('t')),
      adminGroupObjectIds: hostile ? fc.array(text(fc.constantFrom('g1', 'g2')), { maxLength: 2 }) : fc.uniqueArray(fc.constantFrom('g1', 'g2'), { minLength: 1 }),
      systemPool: fc.record({ machineType: text(fc.constant('Standard_D4ds_v5')), minNodes: count(1, hostile ? 3 : 2), maxNodes: count(hostile ? 1 : 2, 6) }, { requiredKeys: [] }),
      maxPodsPerNode: count(hostile ? 10 : 50, 250), logAnalyticsWorkspaceId: text(fc.constant('w')), secretsEncryption: fc.record({ keyId: text(fc.constant('k')), keyVaultId: text(fc.constant('v')) }),
    }, { requiredKeys: ['name', 'location', 'resourceGroupName', 'vnetSubnetId', 'tenantId', 'adminGroupObjectIds'] }),
  };
  return { text, cidr, pool, clusters, subnets, efsOptions, ebsOptions };
}
const HOSTILE = generators(true);
const CLEAN = generators(false);
const { text, cidr, subnets, efsOptions, ebsOptions } = HOSTILE;

/** Only a few optional fields at a time, so runs reach the output side as well as the refusals. */
function trimmed<T extends Record<string, unknown>>(arb: fc.Arbitrary<T>, required: readonly string[]): fc.Arbitrary<T> {
  return arb.chain((all) => few(all).map((keys) => Object.fromEntries(Object.entries(all).filter(([k]) => required.includes(k) || keys.includes(k))) as T));
}

function stack(): { app: App; stack: TerraformStack } {
  // cdktf keeps every token of every app in one global map, for the life of the process: a long
  // campaign (thousands of apps) filled a 4 GB heap. No earlier run's token is read again, so
  // each run empties the map (in place: cdktf's modules hold on to the instance).
  const tokens = (globalThis as { __cdktfTokenMap?: Record<string, unknown> }).__cdktfTokenMap ?? {};
  for (const value of Object.values(tokens)) if (value instanceof Map) value.clear();
  const app = Testing.app();
  const s = new TerraformStack(app, 'test');
  new AwsProvider(s, 'aws', { region: 'us-east-1' });
  new GoogleProvider(s, 'google', { project: 'p' });
  new AzurermProvider(s, 'azurerm', { features: [{}] });
  return { app, stack: s };
}

const BAD_TEXT = /undefined|NaN|Infinity|\[object Object\]/;
const POOL_NAMES: Record<string, [string, RegExp]> = {
  google_container_node_pool: ['name', /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/],
  aws_eks_node_group: ['node_group_name', /^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$/],
  azurerm_kubernetes_cluster_node_pool: ['name', /^[a-z][a-z0-9]{0,11}$/],
};

/** Builds, then checks: only listed problems, or clean Terraform JSON and a profile fromJson accepts. */
interface Built {
  readonly profile?: ClusterProfile;
  requiredReleases?(): ClusterHelmRelease[];
  /** Constructs whose releases a cluster would install (the EKS storage constructs built on their own). */
  readonly releases?: ReadonlyArray<{ release(): ClusterHelmRelease }>;
}

/** `mustFail`: only listed problems will do; `mustWrite`: the input is one the clouds take, so output must be written. */
function holds(build: (stack: TerraformStack) => Built | void, mustFail = false, mustWrite = false): boolean {
  const { app, stack: s } = stack();
  let built: Built | void;
  try {
    built = build(s);
  } catch (error) {
    throw new Error(`raw exception while building: ${(error as Error).stack}`);
  }
  const errors = collectValidationErrors(app);
  if (errors.length > 0) {
    expect(errors.filter((e) => !PROBLEM_LINE.test(e))).toEqual([]);
    expect(mustWrite ? errors : []).toEqual([]);
    expectRefusedSynthWritesNothing({ terraform: app });
    return false;
  }
  expect(mustFail).toBe(false);
  const text = Testing.synth(s);
  expect(BAD_TEXT.test(text) ? text.match(/.{0,80}(undefined|NaN|Infinity|\[object Object\]).{0,40}/)?.[0] : undefined).toBeUndefined();
  const json = JSON.parse(text);
  for (const [type, [field, rule]] of Object.entries(POOL_NAMES)) {
    for (const resource of Object.values(json.resource?.[type] ?? {}) as any[]) expect(resource[field]).toMatch(rule);
  }
  if (built && built.profile) ClusterProfile.fromJson(built.profile.toJson());
  // A file system nodes can mount, encrypted with a key Terraform can name.
  const fileSystems = Object.values(json.resource?.aws_efs_file_system ?? {}) as any[];
  if (fileSystems.length > 0) expect(Object.keys(json.resource?.aws_efs_mount_target ?? {}).length).toBeGreaterThan(0);
  for (const fs of fileSystems) if (fs.kms_key_id !== undefined) expect(fs.kms_key_id).toMatch(/^arn:aws:kms:[a-z0-9-]+:[^:\s]+:(key|alias)\/\S+$/);
  // The Helm releases the cluster needs: clean values, StorageClass names Kubernetes takes, each class made once.
  const releases = [...(built?.requiredReleases?.() ?? []), ...(built?.releases ?? []).map((r) => r.release())];
  expect(releases.map((r) => JSON.stringify(r.values)).filter((v) => BAD_TEXT.test(v))).toEqual([]);
  const classes = releases.flatMap((r) => ((r.values as any).storageClasses ?? []).map((c: any) => c.name));
  expect(classes.filter((name) => typeof name !== 'string' || name.length > 253 || !SUBDOMAIN.test(name))).toEqual([]);
  expect(new Set(classes).size).toBe(classes.length);
  return true;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function cluster(cloud: Cloud, s: TerraformStack, props: any) {
  return cloud === 'gke' ? new GkeCluster(s, 'c', props) : cloud === 'eks' ? new EksCluster(s, 'c', props) : new AksCluster(s, 'c', props);
}

const REQUIRED = { gke: ['name', 'project', 'location', 'network', 'subnetwork'], eks: ['name', 'region', 'subnetIds', 'admins'], aks: ['name', 'location', 'resourceGroupName', 'vnetSubnetId', 'tenantId', 'adminGroupObjectIds'] };

describe.each(['gke', 'eks', 'aks'] as const)('%s cluster under hostile input', (cloud) => {
  test('type-correct props and pools: listed problems, or clean Terraform and a valid profile', () => {
    const written = { clean: 0, hostile: 0 };
    // Clean GKE runs keep their authorized networks: a public endpoint without them is refused.
    const kept = (g: typeof HOSTILE) => (g === CLEAN && cloud === 'gke' ? [...REQUIRED.gke, 'authorizedNetworks'] : REQUIRED[cloud]);
    const input = (g: typeof HOSTILE) => fc.tuple(trimmed(g.clusters[cloud] as fc.Arbitrary<Record<string, unknown>>, kept(g)), fc.option(g.pool(cloud, false)), fc.option(g.pool(cloud, true)));
    const either = fc.oneof(input(CLEAN).map((i) => ['clean', ...i] as const), input(HOSTILE).map((i) => ['hostile', ...i] as const));
    fc.assert(fc.property(either, ([mode, props, cpu, gpu]) => {
      if (holds((s) => {
        const c = cluster(cloud, s, props);
        if (cpu) c.addNodePool('cpu', cpu as any);
        if (gpu) c.addGpuPool('gpu', gpu as any);
        return c;
      }, false, mode === 'clean')) written[mode]++;
    }), runs(40));
    expect(written.hostile).toBeGreaterThan(0);
  });

  test('untyped props and pool options: only listed problems, never a crash', () => {
    const fields = [...REQUIRED[cloud], 'kubernetesVersion', 'nodeCidr'];
    fc.assert(fc.property(untypedProps(fields), untypedProps(['machineType', 'maxNodes', 'accelerator', 'taints']), (props, options) => {
      holds((s) => {
        const c = cluster(cloud, s, props);
        c.addNodePool('cpu', options as any);
      }, true);
    }), runs(40));
  });
});

describe('network and add-on constructs under hostile input', () => {
  test('EksVpc with typed zones and CIDRs', () => {
    const props = fc.record({ clusterName: text(fc.constant('ml')), cidr: cidr('10.0.0.0/16'), availabilityZones: fc.array(text(fc.constantFrom('us-east-1a', 'us-east-1b', 'us-east-1c')), { maxLength: 5 }) }, { requiredKeys: ['clusterName', 'availabilityZones'] });
    fc.assert(fc.property(props, (p) => { holds((s) => { new EksVpc(s, 'vpc', p); }); }), runs(40));
  });

  const eksResource = (s: TerraformStack) => new EksClusterResource(s, 'eks', { name: 'ml', roleArn: 'arn:aws:iam::1:role/eks', vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'] } });

  test('EksBlockStorage and EksSharedFileSystem with typed names, subnets and options', () => {
    let written = 0;
    fc.assert(fc.property(text(fc.constantFrom('ml', 'ml-eks')), subnets, efsOptions, ebsOptions, (clusterName, subnetIds, efs, ebs) => {
      if (holds((s) => {
        const cluster = eksResource(s);
        return { releases: [new EksSharedFileSystem(s, 'efs', cluster, clusterName, subnetIds, efs), new EksBlockStorage(s, 'ebs', cluster, clusterName, ebs)] };
      })) written++;
    }), runs(40));
    expect(written).toBeGreaterThan(0);
  });

  test('EksBlockStorage and EksSharedFileSystem with untyped arguments', () => {
    const withCluster = fc.oneof(fc.constant('resource'), anyValue);
    fc.assert(fc.property(fc.boolean(), withCluster, anyValue, anyValue, untypedProps(['storageClassName', 'subnetIds', 'kmsKeyArn']), (efs, cluster, clusterName, subnetIds, options) => {
      // Arguments that happen to be well typed may build (holds checks the output then); others must be listed.
      const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
      const optionTyped = ([key, v]: [string, unknown]) => v === undefined || (key === 'subnetIds' ? efs && strings(v) : (key === 'storageClassName' || (efs && key === 'kmsKeyArn')) && typeof v === 'string');
      const wellTyped = cluster === 'resource' && typeof clusterName === 'string' && (!efs || strings(subnetIds))
        && (options === undefined || (typeof options === 'object' && options !== null && !Array.isArray(options) && Object.entries(options).every(optionTyped)));
      holds((s) => {
        const resource: any = cluster === 'resource' ? eksResource(s) : cluster;
        if (efs) new EksSharedFileSystem(s, 'efs', resource, clusterName as any, subnetIds as any, options as any);
        else new EksBlockStorage(s, 'ebs', resource, clusterName as any, options as any);
      }, !wellTyped);
    }), runs(40));
  });

  test('EksVpc, AksVnet and ClusterAddons with untyped props', () => {
    fc.assert(fc.property(untypedProps(['clusterName', 'availabilityZones', 'cidr']), untypedProps(['clusterName', 'location', 'resourceGroupName']), untypedProps(['cluster', 'ingress', 'monitoring', 'kueue']), (vpc, vnet, addons) => {
      holds((s) => { new EksVpc(s, 'vpc', vpc as any); }, true);
      holds((s) => { new AksVnet(s, 'vnet', vnet as any); }, true);
      holds((s) => { new ClusterAddons(s, 'addons', addons as any); }, true);
    }), runs(40));
  });
});
