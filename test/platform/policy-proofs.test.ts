import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { DEVICE_PLUGIN_NAMESPACE } from '../../lib';
import { allowed, Endpoint } from '../k8s/network-policy';
import { podTemplates, restrictedViolations } from '../k8s/pod-security';
import { schemaErrors } from '../k8s/schema';

/** The synthesized default example, read back from the YAML files it writes, grouped by cluster. */
function exampleManifests(): Record<string, any[]> {
  const k8sOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-proof-'));
  const kubernetes = new K8sApp({ outdir: k8sOut });
  buildMultiCloud(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-proof-tf-')) }), kubernetes);
  kubernetes.synth();
  const byCluster: Record<string, any[]> = {};
  for (const file of fs.readdirSync(k8sOut).sort()) {
    const cluster = file.split('-').slice(0, 2).join('-');
    byCluster[cluster] = [...(byCluster[cluster] ?? []), ...parseAllDocuments(fs.readFileSync(path.join(k8sOut, file), 'utf8')).map((d) => d.toJS())];
  }
  return byCluster;
}

const files = exampleManifests();
const all = Object.values(files).flat();

describe('Pod Security "restricted" over every pod template of the default example', () => {
  const privilegedNamespaces = all.filter((d) => d.kind === 'Namespace' && d.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'privileged').map((d) => d.metadata.name);
  const templates = podTemplates(all);

  test('every pod template outside declared-privileged system namespaces is restricted', () => {
    expect(templates.length).toBeGreaterThan(9);
    const violations = templates.filter((t) => !privilegedNamespaces.includes(t.namespace)).flatMap((t) => restrictedViolations(t.spec).map((v) => `${t.where}: ${v}`));
    expect(violations).toEqual([]);
  });

  test('the only privileged namespace is the device plugin\'s, and only where the cloud needs it', () => {
    expect([...new Set(privilegedNamespaces)]).toEqual([DEVICE_PLUGIN_NAMESPACE]);
    const daemonSetsByFile = Object.fromEntries(Object.entries(files).map(([file, docs]) => [file, docs.filter((d) => d.kind === 'DaemonSet').length]));
    expect(daemonSetsByFile).toEqual({ 'ml-aks': 1, 'ml-eks': 1, 'ml-gke': 0 });
  });

  test('the checker catches a planted violation', () => {
    const deployment = JSON.parse(JSON.stringify(all.find((d) => d.kind === 'Deployment')));
    deployment.spec.template.spec.containers[0].securityContext.privileged = true;
    deployment.spec.template.spec.hostNetwork = true;
    expect(restrictedViolations(deployment.spec.template.spec)).toEqual(['hostNetwork is true', 'container tensorflow-serving is privileged']);
  });

  test('every manifest of the example passes the Kubernetes and CRD schemas', () => {
    expect(schemaErrors(all)).toEqual([]);
  });
});

describe('NetworkPolicy reachability in the default example', () => {
  for (const [file, docs] of Object.entries(files)) {
    describe(file, () => {
      const policies = docs.filter((d) => d.kind === 'NetworkPolicy');
      const namespaces = { 'ingress-nginx': {}, 'kube-system': {}, 'team-vision': {}, 'team-nlp': {} };
      const templates = podTemplates(docs);
      const pod = (predicate: (t: ReturnType<typeof podTemplates>[number]) => boolean): Endpoint => {
        const t = templates.find(predicate)!;
        const namedPorts = Object.fromEntries(t.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => [p.name, p.containerPort])));
        return { namespace: t.namespace, labels: t.labels, namedPorts };
      };
      const training = pod((t) => /^(Job|JobSet) team-vision\//.test(t.where));
      const serving = pod((t) => t.where.startsWith('Deployment team-vision/'));
      const nlpPod: Endpoint = { namespace: 'team-nlp', labels: { app: 'notebook' } };
      const ingressController: Endpoint = { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
      const kubeDns: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
      const metadata: Endpoint = { ip: '169.254.169.254' };
      const bucket: Endpoint = { ip: '142.250.74.100' };
      const can = (from: Endpoint, to: Endpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => allowed(policies, namespaces, from, to, { port, protocol });

      test('a tenant pod cannot reach another tenant\'s pods', () => {
        expect(can(nlpPod, serving, 8501)).toBe(false);
        expect(can(nlpPod, training, 2222)).toBe(false);
        expect(can(training, nlpPod, 8080)).toBe(false);
      });

      test('the internal load balancer\'s clients in the private network reach serving ports, and nothing else', () => {
        const client: Endpoint = { ip: '10.200.4.7' };
        expect(can(client, serving, 8500)).toBe(true);
        expect(can(client, serving, 22)).toBe(false);
        expect(can(client, training, 2222)).toBe(false);
        expect(can({ ip: '203.0.113.9' }, serving, 8500)).toBe(false);
      });

      test('a serving pod is reachable from the ingress namespace on 8501, not on another port, and training pods are not', () => {
        expect(can(ingressController, serving, 8501)).toBe(true);
        expect(can(ingressController, serving, 9090)).toBe(false);
        expect(can(ingressController, training, 2222)).toBe(false);
      });

      test('a training pod can resolve DNS and reach its peers and buckets', () => {
        expect(can(training, kubeDns, 53, 'UDP')).toBe(true);
        expect(can(training, training, 2222)).toBe(true);
        expect(can(training, bucket, 443)).toBe(true);
        expect(can(training, bucket, 22)).toBe(false);
      });

      test('no pod can reach the cloud metadata endpoint', () => {
        for (const from of [training, serving, nlpPod]) {
          for (const port of [80, 443, 8080]) expect(can(from, metadata, port)).toBe(false);
        }
      });
    });
  }

  test('the evaluator reports a planted allow-all egress policy', () => {
    const [file, docs] = Object.entries(files)[0];
    const planted = [...docs.filter((d) => d.kind === 'NetworkPolicy'), { metadata: { name: 'allow-all', namespace: 'team-nlp' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } }];
    expect(file).toMatch(/^ml-/);
    expect(allowed(planted, {}, { namespace: 'team-nlp', labels: {} }, { ip: '169.254.169.254' }, { port: 80 })).toBe(true);
  });
});
