import type { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { checkConstructArguments } from '../core/construct-arguments';
import { IN_STACK } from './cluster-props';
import { Construct } from 'constructs';
import { parseIpv4Cidr } from '../core/cidr';
import { Problems } from '../core/validation';
import { azurerm } from './bindings';
import { propsToBuild } from '../core/props-shape';
import { AKS_VNET_SHAPE } from './aks-input';
import { AKS_CLUSTER_NAME, checkName } from '../core/names';

export interface AksVnetProps {
  /** Name prefix of the network and its subnet. */
  readonly clusterName: string;
  readonly location: string;
  readonly resourceGroupName: string;
  /**
   * The network's range; the node subnet is its first /20.
   * @default '10.20.0.0/16'
   */
  readonly cidr?: string;
}

/**
 * A virtual network for one AKS cluster: a /20 node subnet. Pods take addresses from the cluster's
 * overlay range, not from the network, so one /20 holds thousands of nodes.
 */
export class AksVnet extends Construct {
  public readonly vnet: VirtualNetwork;
  public readonly cidr: string;
  /** The node subnet: pass it as `vnetSubnetId`. */
  public readonly nodeSubnetId: string;
  /** The node subnet's range: pass it as `nodeCidr`. */
  public readonly nodeCidr: string;

  constructor(scope: Construct, id: string, props: AksVnetProps) {
    checkConstructArguments('AksVnet', scope, id, IN_STACK);
    super(scope, id);
    const { Subnet, VirtualNetwork } = azurerm();
    props = propsToBuild((p) => Problems.of(this).add(p), props, AKS_VNET_SHAPE, ['clusterName', 'location', 'resourceGroupName'], { clusterName: 'invalid', location: 'invalid', resourceGroupName: 'invalid' });
    checkName(props.clusterName, AKS_CLUSTER_NAME, 'CLUSTER_NAME_INVALID').forEach((p) => Problems.of(this).add(p));
    this.cidr = props.cidr ?? '10.20.0.0/16';
    const block = parseIpv4Cidr(this.cidr);
    if (!block || block.last - block.first + 1 < 2 ** 12) {
      Problems.of(this).add({ code: 'CIDR_INVALID', message: 'The virtual network must be a /20 or larger to hold the node subnet.', received: this.cidr, fix: 'use a range such as 10.20.0.0/16.' });
    }
    const first = block ? block.first : 0;
    this.nodeCidr = `${[24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.')}/20`;
    this.vnet = new VirtualNetwork(this, 'vnet', {
      name: `${props.clusterName}-vnet`,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      addressSpace: [this.cidr],
    });
    this.nodeSubnetId = new Subnet(this, 'nodes', {
      name: `${props.clusterName}-nodes`,
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: this.vnet.name,
      addressPrefixes: [this.nodeCidr],
    }).id;
  }
}
