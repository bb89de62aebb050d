import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { sectionBlocks } from './quick-start';

/** The README's provider setup for GKE and AKS type-checks against the library and the pinned bindings. */
test('the provider snippets for the other clouds type-check', () => {
  const root = path.join(__dirname, '..', '..');
  const blocks = sectionBlocks(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), '### Providers for the other clouds');
  expect(blocks.map((b) => b.lang)).toEqual(['ts', 'ts']);
  const dir = fs.mkdtempSync(path.join(root, 'test', 'e2e', '.readme-'));
  try {
    const files = blocks.map((block, i) => {
      const file = path.join(dir, `snippet-${i}.ts`);
      const prelude = "import { App, TerraformStack } from 'cdktf';\nimport { AksCluster, GkeCluster } from '../../../lib';\nconst stack = new TerraformStack(new App(), 'stack');\n";
      fs.writeFileSync(file, `${prelude}${block.body}export { stack, ${block.body.includes('GkeCluster') ? 'gke' : 'aks'} };\n`);
      return file;
    });
    const program = ts.createProgram(files, { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, noEmit: true, skipLibCheck: true, types: ['node'] });
    // The snippets' own diagnostics: the checker reads only the library declarations they use
    // (`tsc` in npm test checks the library itself), 2 s instead of 10.
    const errors = files.flatMap((file) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file))).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
