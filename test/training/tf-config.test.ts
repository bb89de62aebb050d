import { indexedJobTopology, jobSetTopology, tfClusterSpecJson, TfRole } from '../../lib/training/tf-config';

/**
 * The cluster spec as TensorFlow reads it, built the obvious way from the pod hostnames each
 * controller gives (written out here, not taken from the code under test): one address per task.
 */
function expectedSpec(hostname: (role: TfRole, index: number) => string, subdomain: string, namespace: string, port: number, replicas: Map<TfRole, number>) {
  const spec: Record<string, string[]> = {};
  for (const role of [TfRole.CHIEF, TfRole.WORKER, TfRole.PS]) {
    const count = replicas.get(role) ?? 0;
    if (count > 0) spec[role] = Array.from({ length: count }, (_, i) => `${hostname(role, i)}.${subdomain}.${namespace}.svc:${port}`);
  }
  return spec;
}

describe('tfClusterSpecJson', () => {
  const replicas = new Map([[TfRole.EVALUATOR, 1], [TfRole.PS, 2], [TfRole.WORKER, 1200], [TfRole.CHIEF, 1]]);

  test.each([
    // The Job controller names an Indexed Job's pods `<job>-<index>`; our Job is `<name>-<role>`.
    ['indexed-job', indexedJobTopology('mnist'), (role: TfRole, i: number) => `mnist-${role}-${i}`],
    // The JobSet controller names each ReplicatedJob's Job `<jobset>-<role>-0`.
    ['jobset', jobSetTopology('mnist'), (role: TfRole, i: number) => `mnist-${role}-0-${i}`],
  ] as const)('%s: the same JSON as JSON.stringify of every address, roles in TensorFlow\'s order, no evaluator', (_, topology, hostname) => {
    const json = tfClusterSpecJson(topology, 'team-a', 2222, replicas);
    expect(json).toBe(JSON.stringify(expectedSpec(hostname, 'mnist', 'team-a', 2222, replicas)));
    expect(Object.keys(JSON.parse(json))).toEqual(['chief', 'worker', 'ps']);
    expect(JSON.parse(json).worker[1199]).toBe(`${hostname(TfRole.WORKER, 1199)}.mnist.team-a.svc:2222`);
  });

  test('escapes what JSON must escape, should a name ever carry it', () => {
    const name = 'a"b\\c\u00e9\u2028';
    const workers = new Map([[TfRole.WORKER, 3]]);
    const json = tfClusterSpecJson(indexedJobTopology(name), 'ns"\n', 2222, workers);
    expect(json).toBe(JSON.stringify(expectedSpec((role, i) => `${name}-${role}-${i}`, name, 'ns"\n', 2222, workers)));
  });
});
