import { schemaErrors } from './schema';

describe('the schema check', () => {
  test('returns what kubernetes-models finds, naming the object', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 'http' }] } };
    expect(schemaErrors([service])).toEqual([expect.stringMatching(/^v1\/Service web: .*port must be integer/)]);
  });

  test('a failure inside the kubernetes-models worker is thrown with its cause, not waited on', () => {
    expect(() => schemaErrors([null])).toThrow(/the kubernetes-models worker failed: TypeError/);
  });
});
