#!/usr/bin/env node
/**
 * The long run of the property campaigns (CI runs each property a few dozen to a few hundred times
 * with a fixed seed).
 *   node scripts/fuzz.js [scale] [seed] [file-filter]     e.g. node scripts/fuzz.js 25 $RANDOM cluster
 * Every property runs `scale` times its CI count, so the costly ones (a cluster synth per run) keep
 * their share. Each file runs in its own jest process, one after the other, so a long run reports
 * file by file and a failure in one does not stop the rest. A failure prints fast-check's
 * counterexample and the seed to replay it with; keep each one as a named case in
 * test/input-regressions.test.ts.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const scale = process.argv[2] ?? '25';
const seed = process.argv[3] ?? String(Date.now() % 2 ** 31);
const filter = process.argv[4] ?? '';
if (!(Number(scale) >= 1)) {
  console.error(`scale must be a number of at least 1, got "${scale}"`);
  process.exit(2);
}

function propertyFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return propertyFiles(full);
    return entry.name.endsWith('.property.test.ts') ? [path.relative(root, full)] : [];
  });
}

const files = propertyFiles(path.join(root, 'test')).filter((file) => file.includes(filter)).sort();
console.log(`property campaigns: ${files.length} files, ${scale} × the CI runs per property, seed ${seed}`);
const results = files.map((file) => {
  console.log(`\n== ${file}`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--runInBand', '--testTimeout', '7200000', file], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FUZZ_SCALE: scale, FUZZ_SEED: seed },
  });
  return { file, passed: run.status === 0, seconds: Math.round((Date.now() - started) / 1000) };
});
console.log(`\nseed ${seed}, scale ${scale}:`);
for (const r of results) console.log(`  ${r.passed ? 'passed' : 'FAILED'}  ${String(r.seconds).padStart(5)} s  ${r.file}`);
process.exit(results.every((r) => r.passed) ? 0 : 1);
