import { parse } from 'yaml';

/**
 * Which StorageClasses exist on a cluster once its Terraform is applied, so that a claim naming a
 * class nothing creates (it would stay Pending for ever) is caught offline. Three sources:
 * - what the cloud ships, as its docs say, given the cluster settings in the cluster stack;
 * - what Helm releases of the add-ons stack create from their values;
 * - StorageClass objects in the Kubernetes output.
 */

type TfJson = { resource?: Record<string, Record<string, any>> };

const bodies = (stack: TfJson, type: string): any[] => Object.values(stack.resource?.[type] ?? {});
const block = (value: any): any => (Array.isArray(value) ? value[0] : value) ?? {};

/** Classes the cloud creates with the cluster. */
export function cloudStorageClasses(cloud: string, clusterStack: TfJson): string[] {
  switch (cloud) {
    case 'gke': {
      // GKE: Compute Engine PD CSI classes always; `standard-rwx` and friends only with the Filestore CSI driver.
      const filestore = bodies(clusterStack, 'google_container_cluster').some((c) => block(block(c.addons_config).gcp_filestore_csi_driver_config).enabled === true);
      return ['standard', 'standard-rwo', 'premium-rwo', ...(filestore ? ['standard-rwx', 'premium-rwx', 'enterprise-rwx', 'enterprise-multishare-rwx'] : [])];
    }
    case 'aks': {
      // AKS: the Azure Disk and Azure Files CSI drivers are on unless storage_profile turns them off.
      const profile = block(bodies(clusterStack, 'azurerm_kubernetes_cluster').map((c) => block(c.storage_profile))[0]);
      const disk = profile.disk_driver_enabled !== false ? ['default', 'managed', 'managed-premium', 'managed-csi', 'managed-csi-premium'] : [];
      const file = profile.file_driver_enabled !== false ? ['azurefile', 'azurefile-premium', 'azurefile-csi', 'azurefile-csi-premium'] : [];
      return [...disk, ...file];
    }
    case 'eks':
      // EKS clusters from Kubernetes 1.30 on ship no StorageClass at all.
      return [];
    default:
      return [];
  }
}

/** Charts known to create StorageClasses, and how to read their names from the values. */
const CHART_CLASSES: Record<string, (values: any) => string[]> = {
  'aws-efs-csi-driver': (values) => (values?.storageClasses ?? []).map((c: any) => c.name),
};

/** Classes Helm releases of the add-ons stack create. */
export function releaseStorageClasses(addonsStack: TfJson): string[] {
  return bodies(addonsStack, 'helm_release').flatMap((release) => {
    const read = CHART_CLASSES[release.chart];
    return read ? (release.values ?? []).flatMap((v: string) => read(parse(v))) : [];
  });
}

/** Classes created by StorageClass objects in the Kubernetes output. */
export function manifestStorageClasses(docs: any[]): string[] {
  return docs.filter((d) => d?.kind === 'StorageClass').map((d) => d.metadata.name);
}

/** Claims (and StatefulSet claim templates) that name a class nobody creates: they would never bind. */
export function unboundClaims(docs: any[], classes: readonly string[]): string[] {
  const claims = docs.flatMap((d) => {
    if (d?.kind === 'PersistentVolumeClaim') return [{ at: `${d.metadata.namespace}/${d.metadata.name}`, spec: d.spec }];
    if (d?.kind === 'StatefulSet') return (d.spec.volumeClaimTemplates ?? []).map((t: any) => ({ at: `${d.metadata.namespace}/${d.metadata.name}/${t.metadata.name}`, spec: t.spec }));
    return [];
  });
  return claims.filter((c) => c.spec.storageClassName !== undefined && c.spec.storageClassName !== '' && !classes.includes(c.spec.storageClassName))
    .map((c) => `${c.at} names StorageClass "${c.spec.storageClassName}"`);
}
