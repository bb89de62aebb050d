import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack } from 'cdktf';
import { Accelerator, EksCluster, EksVpc } from '../../lib';
import { replacementsBetween } from '../../lib/clusters/replacement-check';
import { Change, Day2Harness, Json, stackOf } from './day2-harness';

/** Version 1 of a program and the knobs its routine day-2 changes turn. */
interface Version {
  readonly kubernetesVersion: string;
  readonly gpuMaxNodes: number;
  readonly extraPool: boolean;
  readonly apiCidrs: string[];
  readonly gpuLabels: Record<string, string>;
  readonly gpuMachineType?: string;
  readonly gpuDiskGiB?: number;
  readonly gpuSpot?: boolean;
}

const V1: Version = { kubernetesVersion: '1.32', gpuMaxNodes: 8, extraPool: false, apiCidrs: ['203.0.113.0/24'], gpuLabels: { team: 'vision' } };

function program(v: Version): Json {
  return stackOf('ml-eks', (stack: TerraformStack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const network = new EksVpc(stack, 'network', { clusterName: 'ml-eks', availabilityZones: ['us-east-1a', 'us-east-1b'] });
    const cluster = new EksCluster(stack, 'cluster', {
      name: 'ml-eks',
      region: 'us-east-1',
      subnetIds: network.privateSubnetIds,
      vpcCidr: network.cidr,
      kubernetesVersion: v.kubernetesVersion,
      publicAccessCidrs: v.apiCidrs,
      admins: ['arn:aws:iam::111122223333:role/platform-admins'],
    });
    cluster.addNodePool('cpu', { machineType: 'm6i.2xlarge', minNodes: 1, maxNodes: 6 });
    cluster.addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: v.gpuMaxNodes, labels: v.gpuLabels, machineType: v.gpuMachineType, diskSizeGiB: v.gpuDiskGiB, spot: v.gpuSpot });
    if (v.extraPool) cluster.addNodePool('batch', { machineType: 'c6i.4xlarge', minNodes: 0, maxNodes: 10 });
  });
}

const changed = (changes: Change[]) => changes.filter((c) => c.actions.join() !== 'no-op');
const replaced = (changes: Change[]) => changes.filter((c) => c.actions.includes('delete')).map((c) => `${c.address} (${JSON.stringify(c.replacePaths)})`);
const actionsOf = (changes: Change[], type: string) => changed(changes).filter((c) => c.type === type).map((c) => c.actions.join());

/**
 * The routine day-2 changes of an EKS platform, planned by the real aws provider against the state
 * version 1 leaves: none may replace a cluster, a node group, or anything else.
 */
describe('EKS day 2 under real terraform', () => {
  let harness: Day2Harness;
  let state: Json;
  let settled: { rounds: number; overwritten: string[] };
  const plans: Record<string, Change[]> = {};
  const programs: Record<string, Json> = {};

  beforeAll(async () => {
    harness = await Day2Harness.start();
    programs.v1 = program(V1);
    const result = harness.settle(programs.v1);
    state = result.state;
    settled = result;
    const variants: Record<string, Partial<Version>> = {
      unchanged: {},
      'raise a pool\'s max': { gpuMaxNodes: 16 },
      'add a pool': { extraPool: true },
      'bump the Kubernetes version': { kubernetesVersion: '1.33' },
      'add an API CIDR': { apiCidrs: [...V1.apiCidrs, '198.51.100.0/24'] },
      'add a label': { gpuLabels: { ...V1.gpuLabels, accelerator_class: 'inference' } },
      'change a GPU pool\'s instance type': { gpuMachineType: 'g6.2xlarge' },
      'grow a GPU pool\'s disk': { gpuDiskGiB: 200 },
      'move a GPU pool to spot': { gpuSpot: true },
    };
    for (const [name, change] of Object.entries(variants)) programs[name] = program({ ...V1, ...change });
    Object.assign(plans, harness.planEach(Object.fromEntries(Object.keys(variants).map((name) => [name, programs[name]])), state));
  }, 900_000);

  afterAll(() => harness?.stop());

  test('trust: the unchanged program re-plans to no changes against its own synthetic state, and no known value was bent to get there', () => {
    expect(settled.overwritten).toEqual([]);
    expect(settled.rounds).toBeLessThan(6);
    expect(changed(plans.unchanged).map((c) => `${c.address}: ${c.actions.join()}`)).toEqual([]);
    expect(plans.unchanged.length).toBeGreaterThan(40);
  });

  test.each(['raise a pool\'s max', 'add a pool', 'bump the Kubernetes version', 'add an API CIDR', 'add a label'])('%s: nothing is replaced', (name) => {
    expect(changed(plans[name]).length).toBeGreaterThan(0);
    expect(replaced(plans[name])).toEqual([]);
  });

  test('raise a pool\'s max: the node group updates in place', () => {
    expect(actionsOf(plans['raise a pool\'s max'], 'aws_eks_node_group')).toEqual(['update']);
  });

  test('add a pool: one node group and its autoscaler tags are created', () => {
    expect(actionsOf(plans['add a pool'], 'aws_eks_node_group')).toEqual(['create']);
    expect(actionsOf(plans['add a pool'], 'aws_autoscaling_group_tag').every((a) => a === 'create')).toBe(true);
  });

  test('bump the Kubernetes version: the cluster, every node group and the add-ons move with it, in place', () => {
    const changes = plans['bump the Kubernetes version'];
    expect(actionsOf(changes, 'aws_eks_cluster')).toEqual(['update']);
    expect(actionsOf(changes, 'aws_eks_node_group')).toEqual(['update', 'update']);
    const addons = changed(changes).filter((c) => c.type === 'aws_eks_addon').map((c) => c.after.addon_name).sort();
    expect(addons).toEqual(expect.arrayContaining(['coredns', 'kube-proxy']));
  });

  test('add an API CIDR: the cluster updates in place', () => {
    expect(actionsOf(plans['add an API CIDR'], 'aws_eks_cluster')).toEqual(['update']);
  });

  test('add a label: the node group updates and one tag is created; no existing tag moves', () => {
    const changes = plans['add a label'];
    expect(actionsOf(changes, 'aws_eks_node_group')).toEqual(['update']);
    expect(actionsOf(changes, 'aws_autoscaling_group_tag')).toEqual(['create']);
  });

  test('a change that must replace is seen as one by the provider (the synth warning for it is tested in test/clusters)', () => {
    const changes = plans['change a GPU pool\'s instance type'];
    const groups = changed(changes).filter((c) => c.type === 'aws_eks_node_group');
    expect(groups.map((c) => c.actions.join())).toEqual(['delete,create']);
    expect(groups[0].replacePaths).toEqual([['instance_types']]);
  });

  test('the ForceNew table that drives the synth warnings predicts exactly what the real provider replaces', () => {
    for (const name of Object.keys(plans)) {
      const predicted = [...new Set(replacementsBetween(programs.v1, programs[name]).filter((r) => r.effect === 'replace').map((r) => r.address))].sort();
      const real = changed(plans[name]).filter((c) => c.actions.includes('delete')).map((c) => c.address).sort();
      expect({ name, predicted }).toEqual({ name, predicted: real });
    }
  });
});
