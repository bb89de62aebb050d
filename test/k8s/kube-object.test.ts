import { JsonPatch, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import * as k8s from '../../lib/imports/k8s';
import { kubeObject } from '../../lib/k8s/kube-object';

describe('typed objects', () => {
  const chart = () => Testing.chart();
  const deployment: k8s.KubeDeploymentProps = {
    metadata: { name: 'web', namespace: 'team' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { limits: { cpu: k8s.Quantity.fromString('1') } }, ports: [{ containerPort: 80 }] }] },
      },
    },
  };

  test('typed props become the JSON Kubernetes reads', () => {
    const json = kubeObject(chart(), 'd', k8s.KubeDeployment.GVK, k8s.toJson_KubeDeploymentProps, deployment).toJson();
    expect(json.apiVersion).toBe('apps/v1');
    expect(json.kind).toBe('Deployment');
    expect(json.spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: '1' } });
  });

  test('the props type comes from the conversion: a misspelled top-level field does not compile (tsc checks this file)', () => {
    const account = () => kubeObject(chart(), 'sa', k8s.KubeServiceAccount.GVK, k8s.toJson_KubeServiceAccountProps, {
      metadata: { name: 'sa' },
      // @ts-expect-error misspelled: automountServiceAccountToken
      automountServiceAccountTokn: false,
    });
    expect(account().toJson().automountServiceAccountToken).toBeUndefined();
  });

  test('a JSON patch with a field newer than the imported schema survives (the generated class drops it)', () => {
    const patch = JsonPatch.add('/spec/template/spec/containers/0/lifecycle', { preStop: { sleep: { seconds: 5 } }, stopSignal: 'SIGUSR1' });
    const ours = kubeObject(chart(), 'd', k8s.KubeDeployment.GVK, k8s.toJson_KubeDeploymentProps, deployment);
    ours.addJsonPatch(patch);
    const generated = new k8s.KubeDeployment(chart(), 'd', deployment);
    generated.addJsonPatch(patch);
    expect(ours.toJson().spec.template.spec.containers[0].lifecycle.stopSignal).toBe('SIGUSR1');
    expect(generated.toJson().spec.template.spec.containers[0].lifecycle.stopSignal).toBeUndefined();
  });
});

describe('the conversions of the generated classes (post-processed by scripts/import-types.js)', () => {
  // What cdk8s's importer writes: drop undefined fields by spreading into a new object per field.
  const importerDrop = (map: Record<string, unknown>, convert: (v: any) => unknown = (v) => v) =>
    Object.entries(map).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: convert(i[1]) }), {});

  test('drop undefined fields and map values in order, as the importer\'s own code does', () => {
    fc.assert(fc.property(
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString')), fc.option(fc.string(), { nil: undefined })),
      (data) => {
        const ours = k8s.toJson_KubeConfigMapProps({ data: data as Record<string, string>, immutable: undefined })!;
        const theirs = importerDrop({ data: importerDrop(data), immutable: undefined });
        expect(Object.keys(ours.data)).toEqual(Object.keys((theirs as any).data));
        expect(ours).toEqual(theirs);
        expect('immutable' in ours).toBe(false);
      },
    ), { seed: 20261205, numRuns: 200 });
  });

  test('drop undefined fields of a many-field type in the order of its fields, as the importer\'s own code does', () => {
    const fields = { annotations: fc.constant<Record<string, string>>({ a: 'b' }), finalizers: fc.constant(['f'] as string[]), generateName: fc.string(), generation: fc.integer(), labels: fc.constant<Record<string, string>>({ app: 'x' }), name: fc.string(), namespace: fc.string(), resourceVersion: fc.string(), uid: fc.string() };
    fc.assert(fc.property(fc.record(fields, { requiredKeys: [] }), fc.boolean(), (meta, undefinedValues) => {
      // A field set to undefined is dropped like a field left out.
      const given = undefinedValues ? { ...meta, name: undefined } : meta;
      const ours = k8s.toJson_ObjectMeta(given)!;
      const theirs = importerDrop({
        annotations: given.annotations, creationTimestamp: undefined, deletionGracePeriodSeconds: undefined, deletionTimestamp: undefined,
        finalizers: given.finalizers, generateName: given.generateName, generation: given.generation, labels: given.labels, managedFields: undefined,
        name: given.name, namespace: given.namespace, ownerReferences: undefined, resourceVersion: given.resourceVersion, selfLink: undefined, uid: given.uid,
      });
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
      expect(ours).toEqual(theirs);
    }), { seed: 20261206, numRuns: 200 });
  });

  test('quantities in maps become their values', () => {
    const limits = { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('1Gi'), 'nvidia.com/gpu': undefined as unknown as k8s.Quantity };
    expect(k8s.toJson_ResourceRequirements({ limits })).toEqual({ limits: { cpu: '500m', memory: '1Gi' } });
  });

  test('no importer reduce is left in lib/imports', () => {
    const dir = path.join(__dirname, '..', '..', 'lib', 'imports');
    for (const file of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, file), 'utf8')).not.toContain('.reduce((r, i)');
  });
});
