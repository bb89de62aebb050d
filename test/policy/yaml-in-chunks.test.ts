import { App, Yaml } from 'cdk8s';
import * as os from 'os';
import * as path from 'path';
import { shape } from '../../bench/shapes';
import { saveYamlInChunks } from '../../lib/policy/yaml-in-chunks';

// The module object itself, so that spies see the library's calls.
const realFs = require('fs') as typeof import('fs');

/**
 * cdk8s's `Yaml.save` builds a chart's whole file as one string. The library's synth writes the
 * same bytes a chunk at a time, so that a large chart's YAML is never alive all at once (the peak
 * RSS of a synth of ten charts of 36,000 objects fell from 371 to 317 MiB).
 */
function oneLargeChart() {
  const app = new App({ outdir: realFs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-yaml-chunks-')) });
  shape('charts-1').build(app, 40);
  return app;
}

describe('chart files written in chunks', () => {
  test('synth writes no chart file in one piece, and its bytes are those of cdk8s\'s writer', () => {
    const app = oneLargeChart();
    const writes: number[] = [];
    const record = (data: unknown) => writes.push(typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length);
    const actualWriteSync = realFs.writeSync;
    const writeSync = jest.spyOn(realFs, 'writeSync').mockImplementation((...args: any[]) => {
      // A buffer written from an offset: the bytes from there on.
      record(Buffer.isBuffer(args[1]) && typeof args[2] === 'number' ? args[1].subarray(args[2]) : args[1]);
      return (actualWriteSync as (...a: any[]) => number)(...args);
    });
    const writeFileSync = jest.spyOn(realFs, 'writeFileSync');
    try {
      app.synth();
    } finally {
      writeSync.mockRestore();
    }
    for (const call of writeFileSync.mock.calls) if (String(call[0]).endsWith('.k8s.yaml')) record(call[1]);
    writeFileSync.mockRestore();

    const [chart] = app.charts;
    const docs = chart.toJson();
    const expected = Yaml.stringify(...docs);
    const written = realFs.readFileSync(path.join(app.outdir, `${chart.node.id.toLowerCase()}.k8s.yaml`), 'utf8');
    expect(Buffer.byteLength(expected)).toBeGreaterThan(500_000);
    expect(written).toBe(expected);

    const largestDocument = Math.max(...docs.map((d) => Buffer.byteLength(Yaml.stringify(d))));
    expect(writes.length).toBeGreaterThan(5);
    expect(Math.max(...writes)).toBeLessThan(64 * 1024 + largestDocument + 4);
  });

  test('a document that fails to serialize leaves no file, even after chunks were written', () => {
    const file = path.join(realFs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-yaml-chunks-')), 'chart.k8s.yaml');
    const docs = [1, 2, 3].map((i) => ({ metadata: { name: `big-${i}` }, data: 'x'.repeat(40_000) }));
    const stringify = Yaml.stringify;
    const failing = jest.spyOn(Yaml, 'stringify').mockImplementation((...d: any[]) => {
      if (d[0] === docs[2]) throw new Error('unserializable for this test');
      return stringify(...d);
    });
    try {
      expect(() => saveYamlInChunks(file, docs)).toThrow(/unserializable for this test/);
    } finally {
      failing.mockRestore();
    }
    expect(realFs.existsSync(file)).toBe(false);
  });

  test('cdk8s\'s own Yaml.save is back after a synth, and after a synth that fails', () => {
    const save = Yaml.save;
    const app = oneLargeChart();
    app.synth();
    expect(Yaml.save).toBe(save);

    app.charts[0].node.addValidation({ validate: () => ['a problem for this test'] });
    expect(() => app.synth()).toThrow(/a problem for this test/);
    expect(Yaml.save).toBe(save);
  });
});
