import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The terraform binary: $TERRAFORM_BIN, else the one on the PATH. Throws naming what is missing. */
export function findTerraform(): string {
  const candidate = process.env.TERRAFORM_BIN ?? 'terraform';
  const probe = spawnSync(candidate, ['version', '-json'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`terraform is missing: "${candidate}" did not run (${probe.error?.message ?? probe.stderr}). Install Terraform >= 1.5 or set TERRAFORM_BIN.`);
  }
  return candidate;
}

const MIRROR_ROOTS = ['/opt', '/usr/local/share', '/usr/share', '/root/.terraform.d', process.env.HOME ?? '/root'];

/**
 * The filesystem mirror that holds hashicorp/aws `version`: $TF_PROVIDER_MIRROR, else found by
 * searching the usual roots for the provider binary. Throws naming what is missing.
 */
export function findAwsProviderMirror(version: string): string {
  const fromEnv = process.env.TF_PROVIDER_MIRROR;
  const roots = fromEnv ? [fromEnv] : MIRROR_ROOTS.filter((r) => fs.existsSync(r));
  const found = execFileSync('find', [...roots, '-path', `*/registry.terraform.io/hashicorp/aws/${version}/*`, '-name', 'terraform-provider-aws_*', '-print', '-quit'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).split('\n').find(Boolean);
  if (!found) {
    throw new Error(`terraform provider mirror is missing: no registry.terraform.io/hashicorp/aws/${version} under ${roots.join(', ')}. Put the provider in a filesystem mirror and set TF_PROVIDER_MIRROR to its root.`);
  }
  return found.slice(0, found.indexOf('/registry.terraform.io/'));
}

/** Runs terraform in `dir` with a CLI config that installs providers only from `mirror`. */
export function terraformRunner(terraform: string, dir: string, mirror: string) {
  const cliConfig = path.join(dir, 'terraform.rc');
  fs.writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`);
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0' };
  return (...args: string[]) => {
    const result = spawnSync(terraform, [...args, '-no-color'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) {
      throw new Error(`terraform ${args[0]} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  };
}
