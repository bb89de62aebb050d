import * as fs from 'fs';
import * as path from 'path';

/** Every .ts file below `dir`, full paths, leaving out directories named in `skip`. */
export function typeScriptFiles(dir: string, skip: readonly string[] = []): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return skip.includes(entry.name) ? [] : typeScriptFiles(file, skip);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}
