import { Yaml } from 'cdk8s';
import * as fs from 'fs';

/** Text gathered before each write: dozens of documents a system call, still short-lived. */
const CHUNK_CHARACTERS = 64 * 1024;

/**
 * The bytes of cdk8s's `Yaml.save`, written a chunk at a time. `Yaml.save` joins a chart's
 * documents into one string before writing it: for a chart of thousands of objects, the documents'
 * YAML lives long enough to be moved to the old generation of the heap, and stays there as garbage
 * until the next full collection, which a synth rarely reaches. Written in chunks, it dies young.
 */
export function saveYamlInChunks(filePath: string, docs: unknown[]): void {
  const fd = fs.openSync(filePath, 'w');
  let complete = false;
  try {
    let chunk = '';
    docs.forEach((doc, i) => {
      chunk += (i === 0 ? '' : '---\n') + Yaml.stringify(doc);
      if (chunk.length >= CHUNK_CHARACTERS) {
        writeAll(fd, chunk);
        chunk = '';
      }
    });
    writeAll(fd, chunk);
    complete = true;
  } finally {
    fs.closeSync(fd);
    // `Yaml.save` writes nothing when a document fails to serialize; neither does this.
    if (!complete) fs.rmSync(filePath, { force: true });
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let written = 0; written < bytes.length;) written += fs.writeSync(fd, bytes, written);
}

/** Runs `synth` with cdk8s's writer of chart files replaced by `saveYamlInChunks`. */
export function withYamlInChunks<T>(synth: () => T): T {
  const save = Yaml.save;
  Yaml.save = saveYamlInChunks;
  try {
    return synth();
  } finally {
    Yaml.save = save;
  }
}
