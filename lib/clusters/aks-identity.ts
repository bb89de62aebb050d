import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { azurerm } from './bindings';

/** The Key Vault key that encrypts Secrets in etcd, and the vault that holds it. */
export interface AksSecretsEncryption {
  /** The key's versioned id (`https://<vault>.vault.azure.net/keys/<name>/<version>`). */
  readonly keyId: string;
  /** The Key Vault's resource id, where the control plane's identity gets Key Vault Crypto User. */
  readonly keyVaultId: string;
}

/**
 * KMS etcd encryption checks at creation that the control plane's identity may use the key. A
 * system-assigned identity does not exist before the cluster, so the cluster runs as a
 * user-assigned identity that is granted Key Vault Crypto User on the vault first. AKS also
 * refuses a user-assigned identity that cannot manage the node subnet, so it gets Network
 * Contributor there.
 */
export function controlPlaneIdentity(scope: Construct, props: { name: string; location: string; resourceGroupName: string; vnetSubnetId: string }, encryption: AksSecretsEncryption): { identityId: string; grants: RoleAssignment[] } {
  const { RoleAssignment, UserAssignedIdentity } = azurerm();
  const identity = new UserAssignedIdentity(scope, 'control-plane-identity', {
    name: `${props.name}-control-plane`,
    location: props.location,
    resourceGroupName: props.resourceGroupName,
  });
  const grant = new RoleAssignment(scope, 'control-plane-key-access', {
    scope: encryption.keyVaultId,
    roleDefinitionName: 'Key Vault Crypto User',
    principalId: identity.principalId,
    principalType: 'ServicePrincipal',
  });
  const subnet = new RoleAssignment(scope, 'control-plane-subnet-access', {
    scope: props.vnetSubnetId,
    roleDefinitionName: 'Network Contributor',
    principalId: identity.principalId,
    principalType: 'ServicePrincipal',
  });
  return { identityId: identity.id, grants: [grant, subnet] };
}
