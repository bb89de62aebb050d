import { spawnSync } from 'child_process';
import { ensureTensorflowPython } from './tensorflow-tools';

/**
 * Why TrainingCheckpoint.bucket refuses s3://, az:// and abfss:// with the stock image: TensorFlow
 * 2.21 itself has no file system for them, so a checkpoint write fails at once. gs:// is built in.
 */
describe('TensorFlow 2.21 file systems for checkpoints', () => {
  let python: string;
  beforeAll(() => {
    python = ensureTensorflowPython();
  }, 20 * 60_000);

  test('s3://, az:// and abfss:// are not implemented; gs:// is registered', () => {
    const script = [
      'import json, tensorflow as tf',
      'out = {}',
      'for uri in ["s3://acme/ckpt", "az://acme/ckpt", "abfss://ckpt@acme.dfs.core.windows.net/x"]:',
      '    try:',
      '        tf.io.gfile.makedirs(uri); out[uri] = "ok"',
      '    except tf.errors.UnimplementedError as e:',
      '        out[uri] = e.message',
      'out["schemes"] = sorted(tf.io.gfile.get_registered_schemes())',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync(python, ['-c', script], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' }, timeout: 120_000 });
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(out['s3://acme/ckpt']).toContain("File system scheme 's3' not implemented");
    expect(out['az://acme/ckpt']).toContain("File system scheme 'az' not implemented");
    expect(out['abfss://ckpt@acme.dfs.core.windows.net/x']).toContain("File system scheme 'abfss' not implemented");
    expect(out.schemes).toContain('gs');
    expect(out.schemes).not.toContain('s3');
  }, 180_000);
});
