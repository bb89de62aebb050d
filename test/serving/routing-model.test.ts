import { ingressBackends, loadedVersions } from '../k8s/routing';
import { parseTextProto } from '../k8s/text-proto';

/** The request-routing model against the behaviours it claims, each from its source: the Kubernetes spec, ingress-nginx, TF Serving. */
const ingress = (name: string, paths: Array<[string, string, string]>, annotations: Record<string, string> = {}, host = 'h.example') => ({
  kind: 'Ingress',
  metadata: { name, namespace: 'ns', annotations },
  spec: { ingressClassName: 'nginx', rules: [{ host, http: { paths: paths.map(([path, pathType, service]) => ({ path, pathType, backend: { service: { name: service, port: { name: 'http' } } } })) } }] },
});
const services = (docs: any[], path: string) => ingressBackends(docs, 'h.example', path).map((b) => `${b.service}:${b.weight}`);

describe('the routing model', () => {
  test('Prefix matches whole path elements, the longest wins, Exact first (Kubernetes spec)', () => {
    const docs = [ingress('a', [['/v1/models/m', 'Prefix', 'prefix'], ['/v1/models/m/versions', 'Prefix', 'longer'], ['/v1/models/m', 'Exact', 'exact']])];
    expect(services(docs, '/v1/models/m')).toEqual(['exact:100']);
    expect(services(docs, '/v1/models/m/metadata')).toEqual(['prefix:100']);
    expect(services(docs, '/v1/models/m/versions/2')).toEqual(['longer:100']);
    expect(services(docs, '/v1/models/m:predict')).toEqual([]);
    expect(services(docs, '/v1/models/mx')).toEqual([]);
  });

  test('one Ingress asking for regex turns the whole host into regex locations, longest first, case-insensitive', () => {
    const docs = [ingress('a', [['/v1/models/m', 'Prefix', 'plain']]), ingress('b', [['/v1/models/m/versions/2([/:].*)?$', 'ImplementationSpecific', 'v2']], { 'nginx.ingress.kubernetes.io/use-regex': 'true' })];
    expect(services(docs, '/v1/models/m:predict')).toEqual(['plain:100']);
    expect(services(docs, '/V1/MODELS/M/versions/2:predict')).toEqual(['v2:100']);
  });

  test('rewrite-target substitutes capture groups', () => {
    const docs = [ingress('r', [['/v2/m(:.*|/.*)?$', 'ImplementationSpecific', 'svc']], { 'nginx.ingress.kubernetes.io/rewrite-target': '/v1/models/m/versions/2$1' })];
    expect(ingressBackends(docs, 'h.example', '/v2/m:predict')).toEqual([{ namespace: 'ns', service: 'svc', weight: 100, path: '/v1/models/m/versions/2:predict' }]);
  });

  test('a canary splits every path of its primary Service, and is ignored when its Service is a primary on the host', () => {
    const canary = (service: string) => ingress('c', [['/a', 'Prefix', service]], { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '20' });
    const main = ingress('m', [['/a', 'Prefix', 'stable'], ['/b', 'Prefix', 'stable'], ['/c', 'Prefix', 'other']]);
    expect(services([main, canary('new')], '/b/x')).toEqual(['stable:80', 'new:20']);
    expect(services([main, canary('new')], '/c')).toEqual(['other:100']);
    expect(services([main, canary('other')], '/a')).toEqual(['stable:100']);
  });

  test('TF Serving version policies over the versions in storage', () => {
    const policy = (text: string) => parseTextProto(text).model_version_policy?.[0] as any;
    expect(loadedVersions(policy('model_version_policy { specific { versions: 1 versions: 3 } }'), [1, 2, 3])).toEqual([1, 3]);
    expect(loadedVersions(policy('model_version_policy { latest { num_versions: 2 } }'), [1, 2, 3])).toEqual([2, 3]);
    expect(loadedVersions(policy('model_version_policy { all { } }'), [3, 1])).toEqual([1, 3]);
    expect(loadedVersions(undefined, [1, 2])).toEqual([2]);
  });
});
