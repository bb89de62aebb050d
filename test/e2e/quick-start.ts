import * as fs from 'fs';

/** A fenced code block of the README, in order of appearance. */
export interface ReadmeBlock {
  readonly lang: string;
  readonly body: string;
}

/** The fenced blocks of README section `heading`, up to its first subsection or the next section. */
export function sectionBlocks(readme: string, heading: string): ReadmeBlock[] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}" section`);
  const rest = readme.slice(start + heading.length + 2);
  const end = rest.search(/^##/m);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));
}

/**
 * One bash script that runs the blocks as a reader would: shell blocks as written, with the
 * package name in `npm install` lines replaced by the tarball; a TypeScript block is saved under the
 * file name its first line gives (`// main.ts`).
 */
export function quickStartScript(blocks: readonly ReadmeBlock[], packageName: string, tarball: string): string {
  const lines = ['set -euo pipefail', 'set -x'];
  for (const block of blocks) {
    if (block.lang === 'sh') {
      lines.push(block.body.split('\n').map((line) => (/^npm install /.test(line)
        ? line.split(' ').map((word) => (word === packageName ? tarball : word)).join(' ')
        : line)).join('\n'));
    } else if (block.lang === 'ts') {
      const file = /^\/\/ (\S+\.ts)\n/.exec(block.body)?.[1];
      if (!file) throw new Error(`a TypeScript block of the Quick start does not start with "// <file>.ts": ${block.body.slice(0, 60)}`);
      lines.push(`cat > ${file} <<'__QUICK_START_EOF__'\n${block.body}__QUICK_START_EOF__`);
    } else {
      throw new Error(`the Quick start has a block in ${block.lang}; only sh and ts blocks can be run`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The pinned `name@version` arguments of the Quick start's `npm install` lines. */
export function installPins(blocks: readonly ReadmeBlock[]): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.body.split('\n')).filter((l) => /^npm install /.test(l))) {
    for (const word of line.split(' ').slice(2).filter((w) => !w.startsWith('-'))) {
      const at = word.lastIndexOf('@');
      if (at > 0) pins.set(word.slice(0, at), word.slice(at + 1));
      else pins.set(word, '');
    }
  }
  return pins;
}

export const readReadme = (file: string) => fs.readFileSync(file, 'utf8');
