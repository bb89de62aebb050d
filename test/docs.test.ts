import * as fs from 'fs';
import * as path from 'path';
import { typeScriptFiles } from './typescript-files';

/** Every optional prop of the library documents its default (`@default`), which the API reference shows. */
test('every optional prop documents its default', () => {
  const missing: string[] = [];
  // lib/imports is generated from upstream schemas by scripts/import-types.js.
  for (const file of typeScriptFiles(path.join(__dirname, '..', 'lib'), ['imports'])) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const prop = /^\s+readonly (\w+)\?:/.exec(line);
      if (!prop) return;
      const docEnd = lines[i - 1]?.trim().endsWith('*/') ? i - 1 : -1;
      let docStart = docEnd;
      while (docStart >= 0 && !lines[docStart].includes('/**')) docStart--;
      const doc = docEnd >= 0 && docStart >= 0 ? lines.slice(docStart, docEnd + 1).join('\n') : '';
      if (!doc.includes('@default')) missing.push(`${path.relative(path.join(__dirname, '..'), file)}:${i + 1} ${prop[1]}`);
    });
  }
  expect(missing).toEqual([]);
});
