import { PropsShape } from '../core/props-shape';
import { enumShape } from './cluster-props';
import { GkeGpuDriverVersion, GkeReleaseChannel } from './gke-props';

/** The shape of GkeClusterProps, checked before anything is built (JavaScript callers, JSON config). */
export const GKE_PROPS_SHAPE: PropsShape = {
  name: 'string', project: 'string', location: 'string', network: 'string', subnetwork: 'string',
  nodeCidr: 'string', podCidr: 'string', serviceCidr: 'string', masterCidr: 'string', kubernetesVersion: 'string',
  releaseChannel: enumShape(GkeReleaseChannel, 'GkeReleaseChannel'),
  authorizedNetworks: { arrayOf: { fields: { cidr: 'string', displayName: 'string' }, required: ['cidr'] } },
  publicEndpoint: 'boolean', secretsEncryptionKey: 'string', deletionProtection: 'boolean', resourceLabels: { mapOf: 'string' },
  binaryAuthorization: 'boolean', rbacSecurityGroup: 'string', objectStorageCsiDriver: 'boolean',
};
export const GKE_REQUIRED = ['name', 'project', 'location', 'network', 'subnetwork'];
export const GKE_PLACEHOLDERS = { name: 'invalid', project: 'invalid', location: 'invalid', network: 'invalid', subnetwork: 'invalid' };

/** GKE GPU pool options beyond the common ones. */
export const GKE_GPU_POOL_SHAPE: PropsShape = {
  driverVersion: enumShape(GkeGpuDriverVersion, 'GkeGpuDriverVersion'),
  sharing: { fields: { strategy: { oneOf: ['TIME_SHARING', 'MPS'], name: 'sharing strategy' }, maxSharedClientsPerGpu: 'number' }, required: ['strategy', 'maxSharedClientsPerGpu'] },
};
