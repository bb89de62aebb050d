import { PropsShape } from '../core/props-shape';
import { Problem } from '../core/validation';
import { AksClusterProps, AksGpuDriver, AksUpgradeChannel } from './aks-props';
import { enumShape, listEntryProblems } from './cluster-props';

/** The shape of AksClusterProps, checked before anything is built (JavaScript callers, JSON config). */
export const AKS_PROPS_SHAPE: PropsShape = {
  name: 'string', location: 'string', resourceGroupName: 'string', vnetSubnetId: 'string',
  nodeCidr: 'string', podCidr: 'string', serviceCidr: 'string', dnsPrefix: 'string', kubernetesVersion: 'string',
  tenantId: 'string', adminGroupObjectIds: { arrayOf: 'string' }, privateCluster: 'boolean', authorizedIpRanges: { arrayOf: 'string' },
  upgradeChannel: enumShape(AksUpgradeChannel, 'AksUpgradeChannel'),
  systemPool: { fields: { machineType: 'string', minNodes: 'number', maxNodes: 'number' } },
  logAnalyticsWorkspaceId: 'string',
  secretsEncryption: { fields: { keyId: 'string', keyVaultId: 'string' }, required: ['keyId', 'keyVaultId'] },
  diskEncryptionSetId: 'string', hostEncryption: 'boolean', ephemeralOsDisks: 'boolean', maxPodsPerNode: 'number', objectStorageCsiDriver: 'boolean',
};
export const AKS_REQUIRED = ['name', 'location', 'resourceGroupName', 'vnetSubnetId', 'tenantId', 'adminGroupObjectIds'];
export const AKS_PLACEHOLDERS = { name: 'invalid', location: 'invalid', resourceGroupName: 'invalid', vnetSubnetId: 'invalid', tenantId: 'invalid', adminGroupObjectIds: ['invalid'] };

/** AKS GPU pool options beyond the common ones. */
export const AKS_GPU_POOL_SHAPE: PropsShape = { driver: enumShape(AksGpuDriver, 'AksGpuDriver') };

/** The system pool's size, the admin groups and the pod density, which the shape alone does not catch. */
export function aksValueProblems(props: AksClusterProps): Problem[] {
  const problems = listEntryProblems('adminGroupObjectIds', props.adminGroupObjectIds, 'ADMIN_INVALID');
  const minNodes = props.systemPool?.minNodes ?? 2;
  const maxNodes = props.systemPool?.maxNodes ?? 5;
  for (const [field, value] of [['minNodes', minNodes], ['maxNodes', maxNodes]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 1000) {
      problems.push({ code: 'POOL_SIZE_INVALID', message: `systemPool.${field} must be a whole number from 1 to 1000: the system pool runs the cluster's own pods.`, received: value, fix: `set systemPool.${field} between 1 and 1000 (2 or more for availability).` });
    }
  }
  if (minNodes > maxNodes) {
    problems.push({ code: 'POOL_MIN_GT_MAX', message: `systemPool has minNodes (${minNodes}) greater than maxNodes (${maxNodes}).`, received: { minNodes, maxNodes }, fix: 'make minNodes less than or equal to maxNodes.' });
  }
  const maxPods = props.maxPodsPerNode ?? 110;
  if (!Number.isInteger(maxPods) || maxPods < 10 || maxPods > 250) {
    problems.push({ code: 'MAX_PODS_INVALID', message: 'maxPodsPerNode must be a whole number from 10 to 250, the range AKS accepts.', received: maxPods, fix: 'use 110 (the default) or another value from 10 to 250.' });
  }
  return problems;
}

/** The shape of AksVnetProps. */
export const AKS_VNET_SHAPE: PropsShape = { clusterName: 'string', location: 'string', resourceGroupName: 'string', cidr: 'string' };
