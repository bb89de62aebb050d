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
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
