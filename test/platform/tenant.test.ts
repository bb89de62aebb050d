import { Accelerator, ClusterProfile, collectWarnings, Tenant, TenantProps, TfServing, TfStrategy, TfTrainingJob, TrainingCheckpoint, waivePolicy } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests, synthManifestsError } from '../k8s-helpers';
import { schemaErrors } from '../k8s/schema';

type Props = Partial<TenantProps>;
const BASE: TenantProps = { name: 'team-a', cluster: EKS_PROFILE, quota: { gpus: 4 }, editorGroups: ['team-a-devs'], viewerGroups: ['auditors'] };
const synth = (props: Props = {}) => synthManifests((chart) => new Tenant(chart, 'tenant', { ...BASE, ...props }));
const fail = (props: Props) => synthManifestsError((chart) => new Tenant(chart, 'tenant', { ...BASE, ...props }));
const named = (docs: any[], kind: string, name: string) => byKind(docs, kind).find((d) => d.metadata.name === name);

describe('Tenant', () => {
  const docs = synth({ quota: { gpus: 4, gpusByPriorityClass: { 'ml-training-preemptible': 2 } }, identities: { trainer: 'arn:aws:iam::111122223333:role/trainer' } });

  test('namespace enforces, audits and warns Pod Security "restricted", pinned to the cluster version', () => {
    const [namespace] = byKind(docs, 'Namespace');
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.33',
      'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  test('quota covers CPU, memory, GPUs, pods, PVCs, storage and load balancers; GPUs per priority class are scoped', () => {
    expect(named(docs, 'ResourceQuota', 'tenant-quota').spec.hard).toEqual({
      'requests.cpu': '32', 'requests.memory': '128Gi', 'requests.nvidia.com/gpu': '4', pods: '200',
      persistentvolumeclaims: '20', 'requests.storage': '1Ti', 'services.loadbalancers': '2',
    });
    expect(named(docs, 'ResourceQuota', 'gpus-ml-training-preemptible').spec).toEqual({
      hard: { 'requests.nvidia.com/gpu': '2' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['ml-training-preemptible'] }] },
    });
  });

  test('a LimitRange gives containers default requests and limits', () => {
    expect(byKind(docs, 'LimitRange')[0].spec.limits).toEqual([{ type: 'Container', defaultRequest: { cpu: '250m', memory: '512Mi' }, default: { cpu: '1', memory: '2Gi' } }]);
  });

  test('network policies: default deny, DNS, same namespace, ingress controller to serving ports, HTTPS except metadata', () => {
    expect(byKind(docs, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual(['default-deny', 'allow-dns', 'allow-same-namespace', 'allow-ingress-controller', 'allow-https-egress']);
    expect(named(docs, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(named(docs, 'NetworkPolicy', 'allow-https-egress').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(named(docs, 'NetworkPolicy', 'allow-ingress-controller').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8500 }, { protocol: 'TCP', port: 8501 }]);
  });

  test('GKE tenants may reach the GKE metadata server that Workload Identity uses, from the profile facts', () => {
    const gke = synth({ cluster: ClusterProfile.fromJson({ ...EKS_PROFILE.toJson(), cloud: 'gke' }) });
    expect(byKind(docs, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('allow-identity-endpoints');
    expect(named(gke, 'NetworkPolicy', 'allow-identity-endpoints').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '169.254.169.252/32' } }], ports: [{ protocol: 'TCP', port: 988 }] }]);
  });

  test('editor role: least privilege, no wildcards, no exec, Secrets writable but not readable', () => {
    const rules = named(docs, 'Role', 'tenant-editor').rules;
    const flat = rules.flatMap((r: any) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${r.apiGroups[0]}/${res}:${v}`)));
    expect(flat.filter((x: string) => x.includes('*'))).toEqual([]);
    expect(flat.filter((x: string) => x.includes('pods/exec') || x.includes('pods/attach'))).toEqual([]);
    expect(flat.filter((x: string) => x.startsWith('/secrets:'))).toEqual(['/secrets:create', '/secrets:update', '/secrets:patch', '/secrets:delete']);
    expect(flat).toContain('jobset.x-k8s.io/jobsets:create');
    const withSecrets = named(synth({ allowSecretsRead: true }), 'Role', 'tenant-editor').rules.find((r: any) => r.resources.includes('secrets'));
    expect(withSecrets.verbs).toEqual(expect.arrayContaining(['get', 'list', 'watch']));
  });

  test('viewer role reads only, and never Secrets; bindings name the groups', () => {
    const rules = named(docs, 'Role', 'tenant-viewer').rules;
    expect(new Set(rules.flatMap((r: any) => r.verbs))).toEqual(new Set(['get', 'list', 'watch']));
    expect(rules.flatMap((r: any) => r.resources)).not.toContain('secrets');
    expect(named(docs, 'RoleBinding', 'tenant-viewer').subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'auditors' }]);
    expect(named(docs, 'RoleBinding', 'tenant-editor').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-editor' });
  });

  test.each([
    ['gke', { 'iam.gke.io/gcp-service-account': 'x' }],
    ['eks', { 'eks.amazonaws.com/role-arn': 'x' }],
    ['aks', { 'azure.workload.identity/client-id': 'x' }],
  ])('workload identity ServiceAccount on %s', (cloud, annotations) => {
    const sa = byKind(synth({ cluster: ClusterProfile.fromJson({ ...EKS_PROFILE.toJson(), cloud }), identities: { trainer: 'x' } }), 'ServiceAccount')[0];
    expect(sa.metadata.annotations).toEqual(annotations);
    expect(sa.automountServiceAccountToken).toBe(false);
  });

  test('every manifest passes the Kubernetes schemas', () => {
    expect(schemaErrors(docs)).toEqual([]);
  });

  test('a workload may use the ServiceAccounts and PVCs the tenant defines', () => {
    expect(() => synthManifests((chart) => {
      const tenant = new Tenant(chart, 'tenant', { ...BASE, identities: { trainer: 'arn:aws:iam::1:role/t' } });
      tenant.addVolumeClaim('ckpt', { storage: '100Gi', readWriteMany: true });
      new TfTrainingJob(chart, 'job', { namespace: 'team-a', image: 'tf:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 2 }, cluster: EKS_PROFILE, serviceAccountName: 'trainer', checkpoint: TrainingCheckpoint.volume('ckpt') });
    })).not.toThrow();
  });

  test('warns about memory in milli-units', () => {
    let tenant!: Tenant;
    synthManifests((chart) => { tenant = new Tenant(chart, 'tenant', { ...BASE, containerDefaults: { memoryRequest: '512m' } }); });
    expect(collectWarnings(tenant).join()).toContain('QUANTITY_SUSPICIOUS: default memory request "512m" means 512 thousandths of a byte.');
  });

  describe('fails when', () => {
    test.each<[string, Props, string]>([
      ['the name is not a DNS label', { name: 'Team_A' }, 'TENANT_NAME_INVALID'],
      ['a quota quantity is malformed', { quota: { memory: '1GB' } }, 'QUANTITY_INVALID'],
      ['a GPU quota is fractional', { quota: { gpus: 1.5 } }, 'QUOTA_COUNT_INVALID'],
      ['serving is opened to the world', { servingClientCidrs: ['0.0.0.0/0'] }, 'NETPOL_OPEN_TO_WORLD'],
    ])('%s', (_, props, code) => {
      const message = fail(props);
      expect(message).toContain(`[test/tenant] ${code}:`);
      expect(message).toMatch(/Received: .+\. Fix: .+/);
    });

    test('an extra rule uses a wildcard: the policy gate refuses it unless waived with a reason', () => {
      const wildcard = { extraRules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] };
      const message = fail(wildcard);
      expect(message).toContain('[test] POLICY_RBAC_WILDCARD: Role team-a/tenant-editor (test/tenant/role-editor): a rule uses "*".');
      expect(() => synthManifests((chart) => waivePolicy(new Tenant(chart, 'tenant', { ...BASE, ...wildcard }), 'RBAC_WILDCARD', 'read access to every core resource is audited by the platform team'))).not.toThrow();
    });

    test('its workloads hold more GPUs than its quota, naming them', () => {
      const message = synthManifestsError((chart) => {
        new Tenant(chart, 'tenant', BASE);
        new TfTrainingJob(chart, 'train', { namespace: 'team-a', image: 'tf:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 3, gpus: 1, accelerator: Accelerator.NVIDIA_L4 }, cluster: EKS_PROFILE });
        new TfServing(chart, 'serve', { namespace: 'team-a', models: [{ name: 'm', basePath: 's3://b/m' }], cluster: EKS_PROFILE, gpus: 1, accelerator: Accelerator.NVIDIA_L4, replicas: 2, cloudIdentity: 'arn:aws:iam::1:role/s' });
      });
      expect(message).toContain('[test/tenant] TENANT_GPU_QUOTA_EXCEEDED: Workloads of tenant "team-a" hold 5 GPUs at once (train: 3, serve: 2), but its quota allows 4');
    });
  });
});
