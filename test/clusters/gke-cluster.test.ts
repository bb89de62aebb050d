import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Accelerator, collectWarnings, GkeCluster, waivePolicy, GkeClusterProps, GkeGpuDriverVersion, NodeLabels } from '../../lib';
import { resource, resources, synthStack, synthStackError } from '../tf-helpers';

const BASE: GkeClusterProps = {
  name: 'ml-gke',
  project: 'acme-ml',
  location: 'europe-west4',
  network: 'vpc',
  subnetwork: 'nodes',
  nodeCidr: '10.10.0.0/20',
  secretsEncryptionKey: 'projects/acme-ml/locations/europe-west4/keyRings/k/cryptoKeys/secrets',
};

function gke(stack: TerraformStack, props: Partial<GkeClusterProps> = {}): GkeCluster {
  new GoogleProvider(stack, 'google', { project: 'acme-ml' });
  return new GkeCluster(stack, 'gke', { ...BASE, ...props });
}

describe('GkeCluster', () => {
  test('the cluster ignores the node_config GKE reports back from its oldest pool (spot there would force a new cluster)', () => {
    const tf = synthStack((stack) => { gke(stack).addGpuPool('spot', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2, spot: true, zones: ['europe-west4-a'] }); });
    expect(resource(tf, 'google_container_cluster').lifecycle).toEqual({ ignore_changes: ['node_config'] });
  });

  test('CMEK: GKE\'s service agent is granted the key before the cluster is created', () => {
    const tf = synthStack((stack) => gke(stack));
    const [grant] = Object.keys(tf.resource.google_kms_crypto_key_iam_member);
    const [project] = Object.keys(tf.data.google_project);
    expect(resource(tf, 'google_kms_crypto_key_iam_member')).toEqual(expect.objectContaining({
      crypto_key_id: BASE.secretsEncryptionKey,
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: `serviceAccount:service-\${data.google_project.${project}.number}@container-engine-robot.iam.gserviceaccount.com`,
    }));
    expect(tf.data.google_project[project].project_id).toBe('acme-ml');
    expect(resource(tf, 'google_container_cluster').depends_on).toEqual([`google_kms_crypto_key_iam_member.${grant}`]);
    expect(synthStack((stack) => gke(stack, { secretsEncryptionKey: undefined })).resource.google_kms_crypto_key_iam_member).toBeUndefined();
  });

  test('benchmark rows: network_policy block beside Dataplane V2, labels, intranode visibility, Binary Authorization, Google Groups when given', () => {
    const cluster = resource(synthStack((stack) => gke(stack, { rbacSecurityGroup: 'gke-security-groups@acme.example', resourceLabels: { team: 'ml' } })), 'google_container_cluster');
    expect(cluster).toMatchObject({
      network_policy: { enabled: false },
      datapath_provider: 'ADVANCED_DATAPATH',
      enable_intranode_visibility: true,
      resource_labels: { 'managed-by': 'ml-platform-constructs', team: 'ml' },
      binary_authorization: { evaluation_mode: 'PROJECT_SINGLETON_POLICY_ENFORCE' },
      authenticator_groups_config: { security_group: 'gke-security-groups@acme.example' },
    });
    // The opt-out is explicit twice: the prop, and a waiver of the gate's rule.
    const off = synthStack((stack) => waivePolicy(gke(stack, { binaryAuthorization: false }), 'CLUSTER_BINARY_AUTHORIZATION', 'images come from a registry that is scanned on push'));
    expect(resource(off, 'google_container_cluster').binary_authorization).toBeUndefined();
    expect(synthStackError((stack) => gke(stack, { binaryAuthorization: false }))).toContain('POLICY_CLUSTER_BINARY_AUTHORIZATION');
  });

  test('the Cloud Storage FUSE CSI driver is on, and gs is an object store only while it is', () => {
    let on!: GkeCluster;
    let off!: GkeCluster;
    expect(resource(synthStack((stack) => { on = gke(stack); }), 'google_container_cluster').addons_config).toEqual({ gcs_fuse_csi_driver_config: { enabled: true } });
    expect(on.profile.facts.objectStores).toEqual([{ scheme: 'gs', csiDriver: 'gcsfuse.csi.storage.gke.io', podAnnotations: { 'gke-gcsfuse/volumes': 'true' } }]);
    expect(resource(synthStack((stack) => { off = gke(stack, { objectStorageCsiDriver: false }); }), 'google_container_cluster').addons_config).toEqual({ gcs_fuse_csi_driver_config: { enabled: false } });
    expect(off.profile.facts.objectStores).toEqual([]);
  });

  test('warns when a GPU pool may land in zones without its GPU', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-')) });
    const cluster = gke(new TerraformStack(app, 's'));
    cluster.addGpuPool('l4', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2 });
    cluster.addGpuPool('l4z', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2, zones: ['europe-west4-a'] });
    const warnings = collectWarnings(app).filter((w) => w.includes('GPU_POOL_ZONES_UNSET'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('GPU_POOL_ZONES_UNSET: Pool "l4" may place NVIDIA L4 nodes in any zone of the cluster');
  });

  test('secure defaults on the cluster', () => {
    const tf = synthStack((stack) => gke(stack));
    const cluster = resource(tf, 'google_container_cluster');
    expect(cluster).toMatchObject({
      remove_default_node_pool: true,
      deletion_protection: true,
      networking_mode: 'VPC_NATIVE',
      datapath_provider: 'ADVANCED_DATAPATH',
      enable_shielded_nodes: true,
      enable_legacy_abac: false,
      release_channel: { channel: 'REGULAR' },
      master_auth: { client_certificate_config: { issue_client_certificate: false } },
      private_cluster_config: { enable_private_nodes: true, enable_private_endpoint: true, master_ipv4_cidr_block: '172.16.0.0/28' },
      master_authorized_networks_config: { gcp_public_cidrs_access_enabled: false, cidr_blocks: [] },
      workload_identity_config: { workload_pool: 'acme-ml.svc.id.goog' },
      database_encryption: { state: 'ENCRYPTED', key_name: BASE.secretsEncryptionKey },
      ip_allocation_policy: { cluster_ipv4_cidr_block: '10.64.0.0/14', services_ipv4_cidr_block: '10.68.0.0/20' },
      node_config: { workload_metadata_config: { mode: 'GKE_METADATA' }, shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true } },
    });
    expect(cluster.logging_config.enable_components).toEqual(expect.arrayContaining(['SYSTEM_COMPONENTS', 'APISERVER', 'WORKLOADS']));
    expect(cluster.node_config.service_account).toContain('google_service_account');
  });

  test('a dedicated node service account with only the logging, monitoring and registry roles', () => {
    const tf = synthStack((stack) => gke(stack));
    expect(resource(tf, 'google_service_account').account_id).toBe('ml-gke-nodes');
    const roles = resources(tf, 'google_project_iam_member').map((m) => m.role).sort();
    expect(roles).toEqual([
      'roles/artifactregistry.reader', 'roles/autoscaling.metricsWriter', 'roles/logging.logWriter',
      'roles/monitoring.metricWriter', 'roles/monitoring.viewer', 'roles/stackdriver.resourceMetadata.writer',
    ]);
  });

  test('long cluster names get a stable, valid service account id', () => {
    const tf = synthStack((stack) => gke(stack, { name: 'a-very-long-cluster-name-for-training' }));
    const id = resource(tf, 'google_service_account').account_id;
    expect(id).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
    expect(id).toMatch(/-nodes$/);
  });

  test('GPU pool: accelerator with managed driver, autoscaling from zero, spot, shielded nodes', () => {
    const tf = synthStack((stack) => {
      const cluster = gke(stack);
      cluster.addGpuPool('l4', { accelerator: Accelerator.NVIDIA_L4, gpusPerNode: 2, maxNodes: 3, spot: true, driverVersion: GkeGpuDriverVersion.LATEST });
    });
    const pool = resource(tf, 'google_container_node_pool');
    expect(pool.autoscaling).toEqual({ total_min_node_count: 0, total_max_node_count: 3, location_policy: 'ANY' });
    expect(pool.management).toEqual({ auto_repair: true, auto_upgrade: true });
    expect(pool.node_config).toMatchObject({
      machine_type: 'g2-standard-24',
      spot: true,
      guest_accelerator: [{ type: 'nvidia-l4', count: 2, gpu_driver_installation_config: { gpu_driver_version: 'LATEST' } }],
      shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true },
      workload_metadata_config: { mode: 'GKE_METADATA' },
      labels: { [NodeLabels.ACCELERATOR]: 'nvidia-l4', [NodeLabels.POOL]: 'l4', [NodeLabels.CAPACITY]: 'spot' },
    });
    // GKE taints GPU nodes itself; only the spot taint is ours to declare.
    expect(pool.node_config.taint).toEqual([{ key: 'ml-platform.io/spot', value: 'true', effect: 'NO_SCHEDULE' }]);
  });

  test('a GPU pool can be kept to the zones that have its accelerator', () => {
    const tf = synthStack((stack) => { gke(stack).addGpuPool('l4', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2, zones: ['europe-west4-a', 'europe-west4-b'] }); });
    expect(resource(tf, 'google_container_node_pool').node_locations).toEqual(['europe-west4-a', 'europe-west4-b']);
  });

  test('GPU sharing is passed to the accelerator', () => {
    const tf = synthStack((stack) => {
      gke(stack).addGpuPool('shared', { accelerator: Accelerator.NVIDIA_T4, maxNodes: 2, sharing: { strategy: 'TIME_SHARING', maxSharedClientsPerGpu: 4 } });
    });
    expect(resource(tf, 'google_container_node_pool').node_config.guest_accelerator[0]).toMatchObject({
      type: 'nvidia-tesla-t4',
      gpu_sharing_config: { gpu_sharing_strategy: 'TIME_SHARING', max_shared_clients_per_gpu: 4 },
    });
  });

  test('profile records what GKE adds: the GPU taint and its accelerator label', () => {
    let cluster!: GkeCluster;
    synthStack((stack) => {
      cluster = gke(stack);
      cluster.addNodePool('cpu', { machineType: 'e2-standard-8', maxNodes: 3 });
      cluster.addGpuPool('t4', { accelerator: Accelerator.NVIDIA_T4, maxNodes: 2, machineType: 'n1-standard-8', gpusPerNode: 2 });
    });
    const profile = cluster.profile;
    expect(profile.capabilities).toMatchObject({ devicePluginRequired: false, extendedResourceToleration: true });
    const t4 = profile.pools.find((p) => p.name === 't4')!;
    expect(t4).toMatchObject({ accelerator: 'nvidia-t4', gpusPerNode: 2, minNodes: 0, maxNodes: 2 });
    expect(t4.labels['cloud.google.com/gke-accelerator']).toBe('nvidia-tesla-t4');
    expect(t4.taints).toContainEqual({ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' });
    expect(profile.gpuCapacity(Accelerator.NVIDIA_T4)).toBe(4);
  });

  test('public endpoint opt-out keeps authorized networks', () => {
    const tf = synthStack((stack) => gke(stack, { publicEndpoint: true, authorizedNetworks: [{ cidr: '203.0.113.0/24' }] }));
    const cluster = resource(tf, 'google_container_cluster');
    expect(cluster.private_cluster_config.enable_private_endpoint).toBe(false);
    expect(cluster.master_authorized_networks_config.cidr_blocks).toEqual([{ cidr_block: '203.0.113.0/24', display_name: '203.0.113.0/24' }]);
  });

  test('warns when Secrets are not encrypted with a customer key', () => {
    let cluster!: GkeCluster;
    synthStack((stack) => { cluster = gke(stack, { secretsEncryptionKey: undefined }); });
    const warnings = cluster.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
    expect(warnings.join()).toContain('GKE_SECRETS_NOT_CMEK');
  });

  test('credentials command uses the internal endpoint', () => {
    synthStack((stack) => {
      expect(gke(stack).credentialsCommand()).toBe('gcloud container clusters get-credentials ml-gke --location europe-west4 --project acme-ml --internal-ip');
    });
  });

  describe('fails when', () => {
    test('the cluster name is not one GKE accepts', () => {
      const message = synthStackError((stack) => gke(stack, { name: 'ML_Cluster' }));
      expect(message).toContain('[test/gke] CLUSTER_NAME_INVALID');
      expect(message).toContain('Received: "ML_Cluster"');
      expect(message).toContain('Fix: use at most 40 lowercase letters');
    });

    test('a T4 is put on a G2 machine', () => {
      const message = synthStackError((stack) => gke(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_T4, machineType: 'g2-standard-8', maxNodes: 1 }));
      expect(message).toContain('ACCELERATOR_NOT_ON_MACHINE: g2-standard-8 cannot carry NVIDIA T4 (pool "gpu"); it comes with NVIDIA L4.');
      expect(message).toContain('Fix: use a machine of the nvidia-tesla-t4 offer, e.g. n1-standard-1');
    });

    test('an L4 is put on an N1 machine', () => {
      const message = synthStackError((stack) => gke(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, machineType: 'n1-standard-8', maxNodes: 1 }));
      expect(message).toContain('ACCELERATOR_NOT_ON_MACHINE: n1-standard-8 cannot carry NVIDIA L4');
    });

    test('the machine does not come with that many GPUs', () => {
      const message = synthStackError((stack) => gke(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, machineType: 'g2-standard-8', gpusPerNode: 2, maxNodes: 1 }));
      expect(message).toContain('GPU_COUNT_NOT_ON_MACHINE');
      expect(message).toContain('set gpusPerNode to 1 for g2-standard-8, or pick the machine that has 2 (g2-standard-24)');
    });

    test('GKE does not offer the accelerator', () => {
      const message = synthStackError((stack) => gke(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_A10G, maxNodes: 1 }));
      expect(message).toContain('ACCELERATOR_NOT_OFFERED: GKE does not offer NVIDIA A10G (pool "gpu").');
      expect(message).toContain('Accelerator.NVIDIA_L4');
    });

    test('a GPU machine is declared as a CPU pool', () => {
      const message = synthStackError((stack) => gke(stack).addNodePool('cpu', { machineType: 'a2-highgpu-1g', maxNodes: 1 }));
      expect(message).toContain('GPU_MACHINE_IN_CPU_POOL');
      expect(message).toContain('Accelerator.NVIDIA_A100_40GB');
    });

    test('minNodes exceeds maxNodes', () => {
      const message = synthStackError((stack) => gke(stack).addNodePool('cpu', { machineType: 'e2-standard-4', minNodes: 5, maxNodes: 2 }));
      expect(message).toContain('[test/gke] POOL_MIN_GT_MAX: Pool "cpu" has minNodes (5) greater than maxNodes (2).');
      expect(message).toContain('Received: {"minNodes":5,"maxNodes":2}');
    });

    test('an authorized network is the whole internet', () => {
      const message = synthStackError((stack) => gke(stack, { publicEndpoint: true, authorizedNetworks: [{ cidr: '0.0.0.0/0' }] }));
      expect(message).toContain('CIDR_OPEN_TO_WORLD');
      expect(message).toContain('Received: "0.0.0.0/0"');
    });

    test('a public endpoint has no authorized networks', () => {
      expect(synthStackError((stack) => gke(stack, { publicEndpoint: true }))).toContain('PUBLIC_ENDPOINT_UNRESTRICTED');
    });

    test('pod and node ranges overlap', () => {
      const message = synthStackError((stack) => gke(stack, { podCidr: '10.10.0.0/16' }));
      expect(message).toContain('CIDR_OVERLAP: The pod CIDR overlaps the node CIDR 10.10.0.0/20');
    });

    test('two pools share a name', () => {
      const message = synthStackError((stack) => {
        const cluster = gke(stack);
        cluster.addNodePool('a', { name: 'pool', machineType: 'e2-standard-4', maxNodes: 1 });
        cluster.addNodePool('b', { name: 'pool', machineType: 'e2-standard-4', maxNodes: 1 });
      });
      expect(message).toContain('POOL_NAME_DUPLICATE');
    });

    test('a pool zone lies outside the cluster\'s region', () => {
      const message = synthStackError((stack) => gke(stack).addGpuPool('l4', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 1, zones: ['us-central1-a'] }));
      expect(message).toContain('POOL_ZONE_INVALID: Pool "l4" names zones outside the cluster\'s location europe-west4.');
    });

    test('GPU sharing asks for an unsupported client count', () => {
      const message = synthStackError((stack) => gke(stack).addGpuPool('g', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 1, sharing: { strategy: 'MPS', maxSharedClientsPerGpu: 100 } }));
      expect(message).toContain('GPU_SHARING_INVALID');
    });

    test('every problem is reported at once', () => {
      const message = synthStackError((stack) => {
        const cluster = gke(stack, { name: 'Bad_Name', podCidr: '10.10.0.0/16' });
        cluster.addNodePool('cpu', { machineType: 'e2-standard-4', minNodes: 3, maxNodes: 1 });
        cluster.addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_A10G, maxNodes: 1 });
      });
      for (const code of ['CLUSTER_NAME_INVALID', 'CIDR_OVERLAP', 'POOL_MIN_GT_MAX', 'ACCELERATOR_NOT_OFFERED']) {
        expect(message).toContain(code);
      }
    });
  });
});
