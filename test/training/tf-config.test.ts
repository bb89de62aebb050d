import { indexedJobTopology, jobSetTopology, tfClusterSpecJson, TfRole, TrainingTopology } from '../../lib/training/tf-config';

/** The cluster spec as TensorFlow reads it, built the obvious way: one address per task. */
function expectedSpec(topology: TrainingTopology, namespace: string, port: number, replicas: Map<TfRole, number>) {
  const spec: Record<string, string[]> = {};
  for (const role of [TfRole.CHIEF, TfRole.WORKER, TfRole.PS]) {
    const count = replicas.get(role) ?? 0;
    if (count > 0) spec[role] = Array.from({ length: count }, (_, i) => `${topology.hostnamePrefix(role)}${i}.${topology.subdomain}.${namespace}.svc:${port}`);
  }
  return spec;
}

describe('tfClusterSpecJson', () => {
  const replicas = new Map([[TfRole.EVALUATOR, 1], [TfRole.PS, 2], [TfRole.WORKER, 1200], [TfRole.CHIEF, 1]]);

  test.each([
    ['indexed-job', indexedJobTopology('mnist')],
    ['jobset', jobSetTopology('mnist')],
  ])('%s: the same JSON as JSON.stringify of every address, roles in TensorFlow\'s order, no evaluator', (_, topology) => {
    const json = tfClusterSpecJson(topology, 'team-a', 2222, replicas);
    expect(json).toBe(JSON.stringify(expectedSpec(topology, 'team-a', 2222, replicas)));
    expect(Object.keys(JSON.parse(json))).toEqual(['chief', 'worker', 'ps']);
    expect(JSON.parse(json).worker[1199]).toBe(`${topology.hostnamePrefix(TfRole.WORKER)}1199.mnist.team-a.svc:2222`);
  });

  test('escapes what JSON must escape, should a name ever carry it', () => {
    const topology = indexedJobTopology('a"b\\c\u00e9\u2028');
    const json = tfClusterSpecJson(topology, 'ns"\n', 2222, new Map([[TfRole.WORKER, 3]]));
    expect(json).toBe(JSON.stringify(expectedSpec(topology, 'ns"\n', 2222, new Map([[TfRole.WORKER, 3]]))));
  });
});
