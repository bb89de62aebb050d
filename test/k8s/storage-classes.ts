import { parse } from 'yaml';

/**
 * Which StorageClasses exist on a cluster once its Terraform is applied, and which one is the
 * default, so that a claim naming a class nothing creates, or naming none where no class is the
 * default, is caught offline (either would stay Pending for ever). Three sources:
 * - what the cloud ships, as its docs say, given the cluster settings in the cluster stack;
 * - what Helm releases of the add-ons stack create from their values;
 * - StorageClass objects in the Kubernetes output.
 * And two sources of claims: the Kubernetes output, and the Helm releases whose values ask for persistence.
 */

type TfJson = { resource?: Record<string, Record<string, any>> };

/** A StorageClass, and whether it carries the default-class annotation. */
export interface StorageClassInfo {
  readonly name: string;
  readonly isDefault: boolean;
}

/** A claim: where it comes from, and the spec fields that pick its class. */
export interface ClaimInfo {
  readonly at: string;
  readonly spec: { readonly storageClassName?: string; readonly volumeName?: string };
}

const DEFAULT_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const bodies = (stack: TfJson, type: string): any[] => Object.values(stack.resource?.[type] ?? {});
const block = (value: any): any => (Array.isArray(value) ? value[0] : value) ?? {};
const named = (names: string[], defaultName?: string): StorageClassInfo[] => names.map((name) => ({ name, isDefault: name === defaultName }));

/** Classes the cloud creates with the cluster. */
export function cloudStorageClasses(cloud: string, clusterStack: TfJson): StorageClassInfo[] {
  switch (cloud) {
    case 'gke': {
      // GKE: Compute Engine PD CSI classes always, `standard-rwo` the default; `standard-rwx` and friends only with the Filestore CSI driver.
      const filestore = bodies(clusterStack, 'google_container_cluster').some((c) => block(block(c.addons_config).gcp_filestore_csi_driver_config).enabled === true);
      return named(['standard', 'standard-rwo', 'premium-rwo', ...(filestore ? ['standard-rwx', 'premium-rwx', 'enterprise-rwx', 'enterprise-multishare-rwx'] : [])], 'standard-rwo');
    }
    case 'aks': {
      // AKS: the Azure Disk and Azure Files CSI drivers are on unless storage_profile turns them off; `default` (Standard SSD disk) is the default.
      const profile = block(bodies(clusterStack, 'azurerm_kubernetes_cluster').map((c) => block(c.storage_profile))[0]);
      const disk = profile.disk_driver_enabled !== false ? ['default', 'managed', 'managed-premium', 'managed-csi', 'managed-csi-premium'] : [];
      const file = profile.file_driver_enabled !== false ? ['azurefile', 'azurefile-premium', 'azurefile-csi', 'azurefile-csi-premium'] : [];
      return named([...disk, ...file], 'default');
    }
    case 'eks':
      // EKS from Kubernetes 1.30 on marks no class default, and its `gp2` class provisions nothing
      // without the EBS CSI driver: as good as none.
      return [];
    default:
      return [];
  }
}

/** Charts known to create StorageClasses, and how to read them from the values. */
const CHART_CLASSES: Record<string, (values: any) => StorageClassInfo[]> = {
  'aws-efs-csi-driver': (values) => (values?.storageClasses ?? []).map((c: any) => ({ name: c.name, isDefault: c.annotations?.[DEFAULT_ANNOTATION] === 'true' })),
  // The chart's `defaultStorageClass.enabled` adds `ebs-csi-default-sc`, marked default.
  'aws-ebs-csi-driver': (values) => [
    ...(values?.storageClasses ?? []).map((c: any) => ({ name: c.name, isDefault: c.annotations?.[DEFAULT_ANNOTATION] === 'true' })),
    ...(values?.defaultStorageClass?.enabled === true ? [{ name: 'ebs-csi-default-sc', isDefault: true }] : []),
  ],
};

/**
 * Charts known to create claims, and how to read them from the values (the charts' own defaults
 * ask for none: kube-prometheus-stack 70.x gives Prometheus and Alertmanager an emptyDir, and
 * Grafana's `persistence.enabled` is false).
 */
const CHART_CLAIMS: Record<string, (values: any, release: string) => ClaimInfo[]> = {
  'kube-prometheus-stack': (values, release) => [
    ...claimTemplate(values?.prometheus?.prometheusSpec?.storageSpec?.volumeClaimTemplate, `${release}/prometheus`),
    ...claimTemplate(values?.alertmanager?.alertmanagerSpec?.storage?.volumeClaimTemplate, `${release}/alertmanager`),
    ...(values?.grafana?.persistence?.enabled === true ? [{ at: `${release}/grafana`, spec: { storageClassName: values.grafana.persistence.storageClassName } }] : []),
  ],
};

function claimTemplate(template: any, at: string): ClaimInfo[] {
  return template ? [{ at, spec: template.spec ?? {} }] : [];
}

function releaseValues(addonsStack: TfJson): { release: any; values: any }[] {
  return bodies(addonsStack, 'helm_release').flatMap((release) => (release.values ?? []).map((v: string) => ({ release, values: parse(v) })));
}

/** Classes Helm releases of the add-ons stack create. */
export function releaseStorageClasses(addonsStack: TfJson): StorageClassInfo[] {
  return releaseValues(addonsStack).flatMap(({ release, values }) => CHART_CLASSES[release.chart]?.(values) ?? []);
}

/** Claims Helm releases of the add-ons stack create. */
export function releaseClaims(addonsStack: TfJson): ClaimInfo[] {
  return releaseValues(addonsStack).flatMap(({ release, values }) => CHART_CLAIMS[release.chart]?.(values, `${release.namespace}/${release.name}`) ?? []);
}

/** Classes created by StorageClass objects in the Kubernetes output. */
export function manifestStorageClasses(docs: any[]): StorageClassInfo[] {
  return docs.filter((d) => d?.kind === 'StorageClass').map((d) => ({ name: d.metadata.name, isDefault: d.metadata.annotations?.[DEFAULT_ANNOTATION] === 'true' }));
}

/** Claims (and StatefulSet claim templates) in the Kubernetes output. */
export function manifestClaims(docs: any[]): ClaimInfo[] {
  return docs.flatMap((d) => {
    if (d?.kind === 'PersistentVolumeClaim') return [{ at: `${d.metadata.namespace}/${d.metadata.name}`, spec: d.spec }];
    if (d?.kind === 'StatefulSet') return (d.spec.volumeClaimTemplates ?? []).map((t: any) => ({ at: `${d.metadata.namespace}/${d.metadata.name}/${t.metadata.name}`, spec: t.spec }));
    return [];
  });
}

/**
 * Claims that would never bind: those naming a class nobody creates, and those naming none when
 * no class is the default. A claim with `storageClassName: ""` binds a named volume only and needs no class.
 */
export function unboundClaims(claims: readonly ClaimInfo[], classes: readonly StorageClassInfo[]): string[] {
  const defaults = classes.filter((c) => c.isDefault);
  return claims.flatMap((c) => {
    const name = c.spec.storageClassName;
    if (name === '') return [];
    if (name === undefined) return defaults.length > 0 ? [] : [`${c.at} names no StorageClass and no class is the default`];
    return classes.some((k) => k.name === name) ? [] : [`${c.at} names StorageClass "${name}"`];
  });
}
