import { spawn } from 'child_process';
import * as http from 'http';
import { REST_PORT } from '../../lib';
import { modelsAvailableProbe } from '../../lib/serving/deployment';

/**
 * The multi-model readiness probe, run as the kubelet runs it (the exec command, exit status 0 =
 * ready) against a stand-in for TF Serving's REST port that answers metadata only for loaded
 * models, as TF Serving does (404 until a servable is available).
 */
describe('readiness of a multi-model stack', () => {
  const loaded = new Set<string>();
  const requests: string[] = [];
  let server: http.Server;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
      const model = /^\/v1\/models\/([^/]+)\/metadata$/.exec(req.url ?? '')?.[1];
      res.writeHead(model && loaded.has(model) ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new Error(`port ${REST_PORT} on 127.0.0.1 is taken (${e.message}); the probe addresses it by number`)));
      server.listen(REST_PORT, '127.0.0.1', resolve);
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const probe = (models: string[]) => {
    const command = (modelsAvailableProbe(models) as any).exec.command as string[];
    return new Promise<number | null>((resolve) => {
      const child = spawn(command[0], command.slice(1), { stdio: 'ignore' });
      child.on('exit', (code) => resolve(code));
    });
  };

  test('fails while any model is loading, passes once every model answers', async () => {
    loaded.clear();
    requests.length = 0;
    expect(await probe(['ranker', 'scorer'])).not.toBe(0);
    loaded.add('ranker');
    expect(await probe(['ranker', 'scorer'])).not.toBe(0);
    loaded.add('scorer');
    expect(await probe(['ranker', 'scorer'])).toBe(0);
    expect(requests).toContain('GET /v1/models/scorer/metadata HTTP/1.0');
  });

  test('fails when nothing listens', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await probe(['ranker', 'scorer'])).not.toBe(0);
    await new Promise<void>((resolve) => server.listen(REST_PORT, '127.0.0.1', resolve));
  });
});
