#!/usr/bin/env node
/**
 * The long run of the property campaigns (the CI run uses a fixed seed and few runs per property).
 *   node scripts/fuzz.js [runs] [seed]      e.g. node scripts/fuzz.js 5000 $RANDOM
 * A failure prints fast-check's counterexample and the seed to replay it with; keep each one as a
 * named case in test/input-regressions.test.ts.
 */
const { spawnSync } = require('child_process');
const path = require('path');

const runs = process.argv[2] ?? '2000';
const seed = process.argv[3] ?? String(Date.now() % 2 ** 31);
const files = ['property.test.ts$'];
console.log(`property campaigns: ${runs} runs per property, seed ${seed}`);
const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--runInBand', '--testTimeout', '3600000', ...files], {
  cwd: path.join(__dirname, '..'),
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: seed },
});
process.exit(result.status ?? 1);
