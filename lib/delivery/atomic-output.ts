import * as fs from 'fs';
import * as path from 'path';

/**
 * Files Terraform and cdktf leave in a stack's working directory (`cdktf.out/stacks/<stack>/`)
 * between runs: the provider cache, the lock file, local state and plans. A re-synth keeps them.
 */
const TERRAFORM_WORKING_FILES = /^(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate.*|.*\.tfplan|plan)$/;

/**
 * Writes a whole output directory elsewhere and then puts it in place of `outdir`, so a run that
 * stops half-way leaves the previous output whole, and files of charts or stacks that no longer
 * exist do not survive. The new tree is written to a sibling (same file system), the old one is
 * renamed away and the new one renamed in: at every moment `outdir` is absent, old or new, never
 * half-written. `write` receives the staging directory.
 */
export function replaceDirectory(outdir: string, write: (staging: string) => void, keep: (old: string, staging: string) => void = () => {}): void {
  const parent = path.dirname(path.resolve(outdir));
  fs.mkdirSync(parent, { recursive: true });
  const base = path.basename(path.resolve(outdir));
  removeLeftovers(parent, base);
  const staging = fs.mkdtempSync(path.join(parent, `.${base}.new-`));
  try {
    write(staging);
    if (fs.existsSync(outdir)) keep(outdir, staging);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const retired = `${staging.replace(`.${base}.new-`, `.${base}.old-`)}`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, retired);
  fs.renameSync(staging, outdir);
  fs.rmSync(retired, { recursive: true, force: true });
}

/** A staging directory older than this was left by a run that was killed, not by one still writing. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/** Staging and retired directories that killed runs left next to the output. */
function removeLeftovers(parent: string, base: string): void {
  for (const name of fs.readdirSync(parent)) {
    const full = path.join(parent, name);
    const retired = name.startsWith(`.${base}.old-`);
    const abandoned = name.startsWith(`.${base}.new-`) && Date.now() - fs.statSync(full).mtimeMs > ABANDONED_AFTER_MS;
    if (retired || abandoned) fs.rmSync(full, { recursive: true, force: true });
  }
}

/**
 * Carries Terraform's working files of every stack from the old `cdktf.out` into the new one. A
 * removed stack's directory is dropped when it holds only synthesized files, and carried whole
 * when it holds working files (state is never deleted by a synth) or under `cdktf synth` (which
 * sets `CDKTF_OUTDIR`, deletes removed stacks itself afterwards, and fails when one is gone).
 */
export function keepTerraformWorkingFiles(old: string, staging: string): void {
  const stacks = path.join(old, 'stacks');
  if (!fs.existsSync(stacks)) return;
  for (const stack of fs.readdirSync(stacks, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const from = path.join(stacks, stack.name);
    const to = path.join(staging, 'stacks', stack.name);
    const working = fs.readdirSync(from).filter((name) => TERRAFORM_WORKING_FILES.test(name));
    if (!fs.existsSync(to)) {
      if (working.length > 0 || process.env.CDKTF_OUTDIR !== undefined) fs.renameSync(from, to);
      continue;
    }
    for (const entry of working) {
      fs.renameSync(path.join(from, entry), path.join(to, entry));
    }
  }
}
