import * as fc from 'fast-check';
import { kubernetesFindings, Manifest } from '../../lib/policy/kubernetes-checks';

const deployment = (name: string, labels: Record<string, string>, replicas = 2): Manifest => ({
  path: `d/${name}`,
  doc: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'team' }, spec: { replicas, template: { metadata: { labels }, spec: { containers: [] } } } },
});
const autoscaler = (name: string, target: string, minReplicas: number): Manifest => ({
  path: `h/${name}`,
  doc: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: 'team' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas, maxReplicas: 4 } },
});
const budget = (name: string, matchLabels: Record<string, string> | undefined): Manifest => ({
  path: `b/${name}`,
  doc: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'team' }, spec: { minAvailable: 1, ...(matchLabels ? { selector: { matchLabels } } : {}) } },
});
const unprotected = (manifests: readonly Manifest[]) => kubernetesFindings(manifests).filter((f) => f.rule === 'DEPLOYMENT_PDB').map((f) => f.path).sort();

describe('DEPLOYMENT_PDB: a Deployment of two or more replicas needs a PodDisruptionBudget that selects its pods', () => {
  // Written out here: a budget selects the pods when every label of its selector is theirs, and an empty selector selects all.
  const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
    selector !== undefined && Object.keys(selector).every((k) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === selector[k]);

  test('found exactly for the Deployments of two or more replicas (their first autoscaler\'s minimum, if any) that no budget of their namespace selects', () => {
    const labels = fc.dictionary(fc.constantFrom('app', 'track', 'tier', 'team'), fc.constantFrom('a', 'b', 'c'), { maxKeys: 3 });
    const deployments = fc.array(fc.record({ labels, replicas: fc.constantFrom(1, 2) }), { minLength: 1, maxLength: 6 });
    const autoscalers = fc.array(fc.record({ target: fc.nat(6), min: fc.constantFrom(1, 3) }), { maxLength: 4 });
    fc.assert(fc.property(deployments, autoscalers, fc.array(fc.option(labels, { nil: undefined }), { maxLength: 6 }), (ds, hpas, budgets) => {
      const manifests = [
        ...ds.map((d, i) => deployment(`d${i}`, d.labels, d.replicas)),
        ...hpas.map((h, i) => autoscaler(`h${i}`, `d${h.target}`, h.min)),
        ...budgets.map((s, i) => budget(`b${i}`, s)),
      ];
      const expected = ds.flatMap((d, i) => {
        const replicas = hpas.find((h) => h.target === i)?.min ?? d.replicas;
        return replicas < 2 || budgets.some((s) => selects(s, d.labels)) ? [] : [`d/d${i}`];
      }).sort();
      expect(unprotected(manifests)).toEqual(expected);
    }), { seed: 20261206, numRuns: 500 });
  });

  test('each Deployment is matched against the budgets that share a label with it, not against every budget of the namespace', () => {
    // Reads of the budgets' specs, counted: they grow with the objects, not with Deployments × budgets.
    const specReads = (stacks: number) => {
      let reads = 0;
      const counted = (m: Manifest): Manifest => ({ path: m.path, doc: new Proxy(m.doc, { get: (target, key) => { if (key === 'spec') reads++; return target[key]; } }) });
      const manifests = Array.from({ length: stacks }, (_, i) => [deployment(`d${i}`, { app: `s${i}` }), counted(budget(`b${i}`, { app: `s${i}` }))]).flat();
      expect(unprotected(manifests)).toEqual([]);
      return reads;
    };
    expect(specReads(40)).toBe(4 * specReads(10));
  });
});
