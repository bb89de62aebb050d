import type { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { checkConstructArguments } from '../core/construct-arguments';
import { IN_STACK } from './cluster-props';
import { Construct } from 'constructs';
import { parseIpv4Cidr } from '../core/cidr';
import { Problems } from '../core/validation';
import { aws } from './bindings';
import { propsToBuild } from '../core/props-shape';
import { EKS_VPC_SHAPE, zoneProblems } from './eks-input';
import { checkName, EKS_NAME } from '../core/names';

export interface EksVpcProps {
  /** Name prefix for the resources and the cluster the subnets are tagged for. */
  readonly clusterName: string;
  /** @default '10.0.0.0/16' */
  readonly cidr?: string;
  /**
   * Availability zones, at least two; named here rather than looked up so the stack plans offline.
   */
  readonly availabilityZones: readonly string[];
}

/**
 * A VPC for one EKS cluster: a private /19 per zone for nodes and pods, a small public subnet per
 * zone for load balancers, and one NAT gateway for the nodes' egress.
 */
export class EksVpc extends Construct {
  public readonly vpc: Vpc;
  public readonly cidr: string;
  public readonly privateSubnetIds: string[];

  constructor(scope: Construct, id: string, props: EksVpcProps) {
    checkConstructArguments('EksVpc', scope, id, IN_STACK);
    super(scope, id);
    const { Eip, InternetGateway, NatGateway, Route, RouteTable, RouteTableAssociation, Subnet, Vpc } = aws();
    props = propsToBuild((p) => Problems.of(this).add(p), props, EKS_VPC_SHAPE, ['clusterName', 'availabilityZones'], { clusterName: 'invalid', availabilityZones: [] });
    checkName(props.clusterName, EKS_NAME, 'CLUSTER_NAME_INVALID').forEach((p) => Problems.of(this).add(p));
    this.cidr = props.cidr ?? '10.0.0.0/16';
    const block = parseIpv4Cidr(this.cidr);
    const zones = props.availabilityZones;
    if (!block || block.last - block.first + 1 !== 2 ** 16) {
      Problems.of(this).add({ code: 'CIDR_INVALID', message: 'The VPC CIDR must be a /16 so each zone gets a /19 private subnet.', received: this.cidr, fix: 'use a /16 such as 10.0.0.0/16.' });
    }
    if (zones.length < 2 || zones.length > 4) {
      Problems.of(this).add({ code: 'ZONES_COUNT_INVALID', message: 'EKS needs two zones, and this layout fits four at most.', received: zones, fix: 'list two to four availability zones of the region.' });
    }
    const invalidZones = zoneProblems(zones);
    invalidZones.forEach((p) => Problems.of(this).add(p));
    const [a, b] = this.cidr.split('.').map(Number);
    if (zones.length === 0 || invalidZones.length > 0) {
      // Nothing to build a network in; the problem above stops synth.
      this.vpc = new Vpc(this, 'vpc', { cidrBlock: this.cidr });
      this.privateSubnetIds = [];
      return;
    }
    const name = (suffix: string) => ({ Name: `${props.clusterName}-${suffix}` });

    this.vpc = new Vpc(this, 'vpc', { cidrBlock: this.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: name('vpc') });
    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: name('igw') });
    const publicRoutes = new RouteTable(this, 'public-rt', { vpcId: this.vpc.id, tags: name('public') });
    new Route(this, 'public-default', { routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });

    const publicSubnets = zones.map((zone, i) => {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: `${a}.${b}.${128 + i * 4}.0/22`,
        mapPublicIpOnLaunch: false,
        tags: { ...name(`public-${zone}`), 'kubernetes.io/role/elb': '1' },
      });
      new RouteTableAssociation(this, `public-${i}-rt`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return subnet;
    });

    const nat = new NatGateway(this, 'nat', {
      allocationId: new Eip(this, 'nat-ip', { domain: 'vpc', tags: name('nat') }).allocationId,
      subnetId: publicSubnets[0].id,
      tags: name('nat'),
      dependsOn: [igw],
    });
    const privateRoutes = new RouteTable(this, 'private-rt', { vpcId: this.vpc.id, tags: name('private') });
    new Route(this, 'private-default', { routeTableId: privateRoutes.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.id });

    this.privateSubnetIds = zones.map((zone, i) => {
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: `${a}.${b}.${i * 32}.0/19`,
        tags: { ...name(`private-${zone}`), 'kubernetes.io/role/internal-elb': '1' },
      });
      new RouteTableAssociation(this, `private-${i}-rt`, { subnetId: subnet.id, routeTableId: privateRoutes.id });
      return subnet.id;
    });
  }
}
