#!/usr/bin/env bash
# The edit-synth loop, timed: `npm run synth`, `npm run synth:fast` (cold cache, warm, after a
# one-line edit), `npm run build:incremental`, and a consumer project's `npx tsc && node out/main.js`
# and `npx cdk8s synth`. Prints one line per step: wall seconds, CPU seconds (user + sys), load.
# Run from the repository root after `npm run build`: bash bench/loop.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
edit=lib/core/labels.ts
trap 'git checkout -q -- "$edit"' EXIT

step() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -o /tmp/mlpc-loop-time "$@" >/dev/null 2>&1
  read -r wall user sys < /tmp/mlpc-loop-time
  printf '%-44s wall %6.1f s  cpu %5.1f s  load %s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(cut -d' ' -f1 /proc/loadavg)"
}
one_line_edit() { printf '\n// loop\n' >> "$edit"; }

step 'npm run synth (tsc, then node)' npm run synth
step 'npm run synth, again' npm run synth
rm -rf build/.run-ts-cache
step 'npm run synth:fast, cold transpile cache' npm run synth:fast
step 'npm run synth:fast, warm' npm run synth:fast
step 'npm run synth:fast, warm again' npm run synth:fast
one_line_edit
step 'npm run synth:fast, after a one-line edit' npm run synth:fast
git checkout -q -- "$edit"
rm -f build/.tsbuildinfo
step 'npm run build:incremental, first' npm run build:incremental
step 'npm run build:incremental, no change' npm run build:incremental
one_line_edit
step 'npm run build:incremental, one-line edit' npm run build:incremental
git checkout -q -- "$edit"
step 'npx tsc -p . --noEmit (type-check only)' npx tsc -p . --noEmit

# A consumer project: the quick start's program against this build, its dependencies linked from ours.
consumer=$(mktemp -d /tmp/mlpc-loop-consumer-XXXX)
mkdir -p "$consumer/node_modules/ml-platform-constructs"
for dep in "$root"/node_modules/* "$root"/node_modules/.bin; do ln -s "$dep" "$consumer/node_modules/"; done
rm "$consumer/node_modules/ml-platform-constructs" 2>/dev/null || true
mkdir -p "$consumer/node_modules/ml-platform-constructs"
cp package.json "$consumer/node_modules/ml-platform-constructs/"
ln -s "$root/build" "$consumer/node_modules/ml-platform-constructs/build"
# The Quick start's main.ts, as the README gives it (test/e2e/package-consumer.test.ts runs the same).
node -e '
const readme = require("fs").readFileSync("README.md", "utf8");
const section = readme.slice(readme.indexOf("\n## Quick start\n")).split(/\n## /)[1];
process.stdout.write(/^```ts\n(\/\/ main\.ts\n[\s\S]*?)^```$/m.exec(section)[1]);
' > "$consumer/main.ts"
printf '%s' '{"compilerOptions":{"target":"ES2022","module":"commonjs","strict":true,"types":["node"],"skipLibCheck":true,"outDir":"out"},"include":["main.ts"]}' > "$consumer/tsconfig.json"
printf 'language: typescript\napp: npx tsc && node out/main.js\noutput: dist\n' > "$consumer/cdk8s.yaml"
cd "$consumer"
export CHECKPOINT_DISABLE=1
step 'consumer: npx tsc && node out/main.js' bash -c 'npx tsc && node out/main.js'
step 'consumer: same, again' bash -c 'npx tsc && node out/main.js'
step 'consumer: npx cdk8s synth' npx cdk8s synth
step 'consumer: tsc --incremental && node, first' bash -c 'npx tsc --incremental && node out/main.js'
step 'consumer: tsc --incremental && node, again' bash -c 'npx tsc --incremental && node out/main.js'
step 'consumer: node out/main.js alone' node out/main.js
cd "$root"
rm -rf "$consumer" dist cdktf.out
