#!/usr/bin/env node
// Regenerates lib/imports/ (typed classes for every object the library emits) with cdk8s-cli's own
// importer, offline: the Kubernetes schema and the CRDs are read from crds/ instead of the network.
// Run: node scripts/import-types.js
// With --check, generates into a scratch directory instead and fails if lib/imports differs from it.
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
// cdk8s-cli exports no API; its files are loaded by path.
const CLI = path.dirname(require.resolve('cdk8s-cli/package.json'));
const util = require(path.join(CLI, 'lib', 'util'));
const { ImportKubernetesApi } = require(path.join(CLI, 'lib', 'import', 'k8s'));
const { ImportCustomResourceDefinition } = require(path.join(CLI, 'lib', 'import', 'crd'));
const { Language } = require(path.join(CLI, 'lib', 'import', 'base'));

const ROOT = path.join(__dirname, '..');
const CRDS = path.join(ROOT, 'crds');
const IMPORTS = path.join(ROOT, 'lib', 'imports');
const CHECK = process.argv.includes('--check');
const OUT = CHECK ? fs.mkdtempSync(path.join(os.tmpdir(), 'import-types-')) : IMPORTS;
const KUBERNETES_VERSION = '1.31.0';

/** The CRD files whose kinds the library emits; see crds/README.md for their upstream versions. */
const CRD_FILES = [
  'jobset.x-k8s.io_jobsets.yaml',
  'kubeflow.org_tfjobs.yaml',
  'crd-servicemonitors.yaml',
  'crd-podmonitors.yaml',
  'crd-prometheusrules.yaml',
  'kueue.x-k8s.io_resourceflavors.yaml',
  'kueue.x-k8s.io_clusterqueues.yaml',
  'kueue.x-k8s.io_localqueues.yaml',
  'kueue.x-k8s.io_workloadpriorityclasses.yaml',
];

util.download = async (url) => {
  if (url.includes(`/v${KUBERNETES_VERSION}/_definitions.json`)) {
    return zlib.gunzipSync(fs.readFileSync(path.join(CRDS, `kubernetes-v${KUBERNETES_VERSION}-definitions.json.gz`))).toString('utf8');
  }
  if (fs.existsSync(url)) return fs.readFileSync(url, 'utf8');
  throw new Error(`offline import: no local copy of ${url}`);
};

// The importer drops undefined fields by spreading the partial result into a new object for every
// field. The generated code sets each defined field instead, without an object of every field of the
// type first; maps go through lib/k8s/conversions.ts.
const CONVERSIONS_IMPORT = "import { mapDefined } from '../k8s/conversions';\n";

// Fields of a CRD that embed a Kubernetes type (a JobSet's Job template, a TFJob's pod template) are
// typed with the Kubernetes type from k8s.ts, so the one pod-template builder's typed output fits
// every backend; the CRD's own copy of the type, and whatever only it used, is dropped.
const EMBEDDED_KUBERNETES_TYPES = {
  'jobset.x-k8s.io.ts': { JobSetSpecReplicatedJobsTemplateSpec: 'JobSpec' },
  'kubeflow.org.ts': { TfJobSpecTfReplicaSpecsTemplate: 'PodTemplateSpec' },
};

/** `source` with each embedded type replaced by the k8s.ts one, and declarations nothing uses any more removed. */
function embedKubernetesTypes(source, types) {
  let text = source;
  for (const [own, kubernetes] of Object.entries(types)) {
    const field = new RegExp(`(readonly \\w+\\??: )${own}(\\[\\]|;| )`, 'g');
    const convert = new RegExp(`(?<!function )\\btoJson_${own}\\(`, 'g');
    const before = text;
    text = text.replace(field, `$1k8s.${kubernetes}$2`).replace(convert, `k8s.toJson_${kubernetes}(`);
    if (text === before) throw new Error(`no field of type ${own} to replace`);
  }
  const firstImport = text.indexOf('import ');
  return text.slice(0, firstImport) + "import * as k8s from './k8s';\n" + text.slice(firstImport);
}

/** The identifiers in `code`, comments dropped. */
function wordsOf(code) {
  return new Set(code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').match(/\w+/g));
}

/** The identifiers the library's own sources (lib/ outside lib/imports) use. */
function libraryWords(dir = path.join(ROOT, 'lib')) {
  const words = new Set();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory() && file !== IMPORTS) libraryWords(file).forEach((w) => words.add(w));
    else if (entry.isFile() && entry.name.endsWith('.ts')) wordsOf(fs.readFileSync(file, 'utf8')).forEach((w) => words.add(w));
  }
  return words;
}

/**
 * Keeps the declarations named in `roots` and what they reach: the whole Kubernetes API is 1.4 MB of
 * source, and every program that imports the library compiles what is kept. A generated file is a
 * header, then one declaration per block, each block opening with a doc comment at column 0.
 */
function pruneUnused(source, roots) {
  const starts = [...source.matchAll(/^\/\*\*/gm)].map((m) => m.index);
  const header = source.slice(0, starts[0]);
  const blocks = starts.map((start, i) => source.slice(start, starts[i + 1] ?? source.length)).map((text) => {
    const name = /^export (?:interface|function|class|enum|type) (\w+)/m.exec(text)[1];
    return { name, text, words: wordsOf(text) };
  });
  const byName = new Map(blocks.map((b) => [b.name, b]));
  const kept = new Set(blocks.map((b) => b.name).filter((name) => roots.has(name)));
  const queue = [...kept];
  while (queue.length > 0) {
    for (const word of byName.get(queue.pop()).words) {
      if (byName.has(word) && !kept.has(word)) { kept.add(word); queue.push(word); }
    }
  }
  return header + blocks.filter((b) => kept.has(b.name)).map((b) => b.text).join('');
}

/** `result`, an object literal of every field of the type, as one `if` per field that sets it only when defined. */
function setDefinedFields(fieldLines) {
  const sets = fieldLines.split('\n').map((line) => {
    const field = /^    '([^']+)': (.*),$/.exec(line);
    if (!field) throw new Error(`a field of a form this script does not know: ${line}`);
    return `  if ((value = ${field[2]}) !== undefined) result['${field[1]}'] = value;`;
  });
  return ['  const result: Record<string, any> = {};', '  let value: unknown;', ...sets, '  return result;'].join('\n');
}

function fastConversions(source) {
  const drop = 'return Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});';
  let text = source.replace(new RegExp(`  const result = \\{\\n([\\s\\S]*?)\\n  \\};\\n  // filter undefined values\\n  ${drop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g'), (_, fields) => setDefinedFields(fields));
  text = text.replace(/Object\.entries\((obj\.\w+)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: (.*?) \}\), \{\}\)/g,
    (_, map, convert) => `mapDefined(${map}, (value) => ${convert.split('i[1]').join('value')})`);
  if (text.includes('.reduce((r, i)') || text.includes('// filter undefined values')) throw new Error('an undefined-dropping conversion of a form this script does not know is left');
  const firstImport = text.indexOf('import ');
  return text.slice(0, firstImport) + CONVERSIONS_IMPORT + text.slice(firstImport);
}

async function main() {
  fs.rmSync(OUT, { recursive: true, force: true });
  const options = { targetLanguage: Language.TYPESCRIPT, outdir: OUT };
  await new ImportKubernetesApi({ apiVersion: KUBERNETES_VERSION }).import(options);
  // One import per API group: an import writes one file per group, so a group's CRDs go in together.
  const byGroup = new Map();
  for (const file of CRD_FILES) {
    const text = fs.readFileSync(path.join(CRDS, file), 'utf8');
    const group = /^\s*group:\s*(\S+)/m.exec(text)[1];
    byGroup.set(group, [...(byGroup.get(group) ?? []), text]);
  }
  for (const docs of byGroup.values()) {
    await new ImportCustomResourceDefinition(docs.join('\n---\n')).import(options);
  }
  // The CRD files first: what they keep of k8s.ts is kept in it too.
  const roots = libraryWords();
  const files = fs.readdirSync(OUT).filter((f) => f.endsWith('.ts')).sort((a, b) => (a === 'k8s.ts') - (b === 'k8s.ts'));
  for (const file of files) {
    let text = fastConversions(fs.readFileSync(path.join(OUT, file), 'utf8'));
    if (EMBEDDED_KUBERNETES_TYPES[file]) text = embedKubernetesTypes(text, EMBEDDED_KUBERNETES_TYPES[file]);
    text = pruneUnused(text, roots);
    wordsOf(text).forEach((w) => roots.add(w));
    fs.writeFileSync(path.join(OUT, file), text);
  }
  if (CHECK) return checkAgainstCommitted();
  console.log(fs.readdirSync(OUT).map((f) => `lib/imports/${f}: ${fs.statSync(path.join(OUT, f)).size} bytes`).join('\n'));
}

/** Fails, naming the files, where lib/imports is not what this script generates now. */
function checkAgainstCommitted() {
  const names = [...new Set([...fs.readdirSync(OUT), ...fs.readdirSync(IMPORTS)])].sort();
  const read = (dir, name) => (fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), 'utf8') : undefined);
  const stale = names.filter((name) => read(OUT, name) !== read(IMPORTS, name));
  fs.rmSync(OUT, { recursive: true, force: true });
  if (stale.length > 0) throw new Error(`lib/imports is not what scripts/import-types.js generates (${stale.join(', ')}): run node scripts/import-types.js.`);
  console.log('lib/imports is what scripts/import-types.js generates.');
}

main().catch((error) => { console.error(error); process.exit(1); });
