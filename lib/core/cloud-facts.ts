import { Cloud } from './cloud';

/** How pods take a cloud identity through their ServiceAccount. */
export interface WorkloadIdentityFacts {
  /** The ServiceAccount annotation whose value names the cloud identity. */
  readonly serviceAccountAnnotation: string;
  /** Labels the identity webhook needs on the pod itself (AKS injects tokens only into labelled pods). */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** Service annotations that make the cloud's load balancer internal or external. */
export interface LoadBalancerFacts {
  readonly internalAnnotations: Readonly<Record<string, string>>;
  readonly externalAnnotations: Readonly<Record<string, string>>;
}

/** An address pods must reach, such as a workload identity metadata server. */
export interface EndpointFacts {
  /** A single address as a /32 CIDR. */
  readonly cidr: string;
  readonly port: number;
}

/** The node metadata endpoints: one that pods must never reach, and those identity needs. */
export interface MetadataFacts {
  /** CIDRs of node metadata endpoints that hand out the node's credentials. */
  readonly blockedCidrs: readonly string[];
  /** Endpoints pods need for their own cloud identity. */
  readonly identityEndpoints: readonly EndpointFacts[];
}

/** An object store that pods of this cluster can read with their workload identity. */
export interface ObjectStoreFacts {
  /** URI scheme, e.g. `gs` for `gs://bucket/path`. */
  readonly scheme: string;
  /**
   * The CSI driver the cluster runs that mounts a bucket of this store into pods.
   * @default - none: only images that open the scheme natively can read it
   */
  readonly csiDriver?: string;
  /**
   * Volume attributes that make the driver mount with the pod's own identity.
   * @default - none needed
   */
  readonly volumeAttributes?: Readonly<Record<string, string>>;
  /**
   * Annotations a pod that mounts the store needs (GKE injects its FUSE sidecar on one).
   * @default - none needed
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
}

/**
 * What workloads need to know of the cloud under a cluster, so that no workload names a cloud.
 * Cluster constructs write them into the profile; a hand-written profile states its own.
 */
export interface CloudFacts {
  /** @default - pods cannot take a cloud identity */
  readonly workloadIdentity?: WorkloadIdentityFacts;
  readonly loadBalancer: LoadBalancerFacts;
  readonly metadata: MetadataFacts;
  /** Stores the cluster's pods can read, with how. */
  readonly objectStores: readonly ObjectStoreFacts[];
  /**
   * The StorageClass that provisions ReadWriteMany volumes (checkpoints every worker writes);
   * claims for such volumes that name no class get it.
   * @default - none: a ReadWriteMany claim must name its class
   */
  readonly readWriteManyStorageClass?: string;
}

const LINK_LOCAL_METADATA = '169.254.169.254/32';

/** Facts of a cluster the library knows nothing about: no identity, no store, plain load balancers. */
export const GENERIC_CLOUD_FACTS: CloudFacts = {
  loadBalancer: { internalAnnotations: {}, externalAnnotations: {} },
  metadata: { blockedCidrs: [LINK_LOCAL_METADATA], identityEndpoints: [] },
  objectStores: [],
};

const MANAGED: Record<Cloud, CloudFacts> = {
  [Cloud.GKE]: {
    workloadIdentity: { serviceAccountAnnotation: 'iam.gke.io/gcp-service-account', podLabels: {} },
    loadBalancer: { internalAnnotations: { 'networking.gke.io/load-balancer-type': 'Internal' }, externalAnnotations: {} },
    // GKE Workload Identity answers on the node's metadata server, 169.254.169.252:988, not on .254.
    metadata: { blockedCidrs: [LINK_LOCAL_METADATA], identityEndpoints: [{ cidr: '169.254.169.252/32', port: 988 }] },
    objectStores: [{ scheme: 'gs', csiDriver: 'gcsfuse.csi.storage.gke.io', podAnnotations: { 'gke-gcsfuse/volumes': 'true' } }],
  },
  [Cloud.EKS]: {
    workloadIdentity: { serviceAccountAnnotation: 'eks.amazonaws.com/role-arn', podLabels: {} },
    loadBalancer: {
      internalAnnotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      },
      externalAnnotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      },
    },
    metadata: { blockedCidrs: [LINK_LOCAL_METADATA], identityEndpoints: [] },
    // The driver holds no S3 permission of its own: each volume reads with its pod's IAM role.
    objectStores: [{ scheme: 's3', csiDriver: 's3.csi.aws.com', volumeAttributes: { authenticationSource: 'pod' } }],
    // The class of EksCluster's shared EFS file system (EKS itself ships none).
    readWriteManyStorageClass: 'efs',
  },
  [Cloud.AKS]: {
    workloadIdentity: { serviceAccountAnnotation: 'azure.workload.identity/client-id', podLabels: { 'azure.workload.identity/use': 'true' } },
    loadBalancer: { internalAnnotations: { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' }, externalAnnotations: {} },
    metadata: { blockedCidrs: [LINK_LOCAL_METADATA], identityEndpoints: [] },
    objectStores: [{ scheme: 'az', csiDriver: 'blob.csi.azure.com' }],
    // Built in: the Azure Files CSI driver is on unless the cluster turns it off.
    readWriteManyStorageClass: 'azurefile-csi',
  },
};

/** The facts of a managed cloud as the library's cluster constructs set it up. */
export function managedCloudFacts(cloud: Cloud): CloudFacts {
  return MANAGED[cloud];
}

/** The facts a profile without its own gets: the managed cloud's, or the generic ones. */
export function defaultCloudFacts(cloud: string): CloudFacts {
  return MANAGED[cloud as Cloud] ?? GENERIC_CLOUD_FACTS;
}
