import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
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

/** A provider process that terraform commands attach to instead of starting their own. */
export interface RunningProvider {
  /** The value of TF_REATTACH_PROVIDERS that attaches to it. */
  readonly reattach: string;
  /** Ends the process; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts the aws provider `version` of `mirror` (as found by {@link findAwsProviderMirror}) once,
 * in the debug mode that terraform attaches to, so that every `plan`, `show` and `validate` does
 * not start the 700 MB binary again (1–2 s of CPU each).
 */
export async function startAwsProvider(mirror: string, version: string): Promise<RunningProvider> {
  const versionDir = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', version);
  const binary = execFileSync('find', [versionDir, '-type', 'f', '-perm', '-u+x', '-name', 'terraform-provider-aws_*', '-print', '-quit'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  if (!binary) throw new Error(`terraform provider aws ${version} is not runnable: no executable terraform-provider-aws_* under ${versionDir}.`);
  // In debug mode the provider rejects AWS_CA_BUNDLE ("unable to add custom RootCAs HTTPClient");
  // these plans never reach AWS.
  const { AWS_CA_BUNDLE: _unused, ...env } = process.env;
  // Its output goes to a file, not a pipe: the tests run terraform with spawnSync, and a pipe
  // nobody drains meanwhile would fill up and stop the provider mid-plan.
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-provider-')), 'provider.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(binary, ['-debug'], { env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const kill = () => child.kill();
  process.once('exit', kill);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const stop = () => {
    process.removeListener('exit', kill);
    kill();
    return exit;
  };
  let reattach: string | undefined;
  for (const started = Date.now(); !reattach && !exited && Date.now() - started < 60_000;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    reattach = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(fs.readFileSync(logFile, 'utf8'))?.[1];
  }
  if (reattach === undefined) {
    await stop();
    throw new Error(`terraform provider aws ${version} did not start in debug mode (${binary}):\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
  }
  return { reattach, stop };
}

/**
 * Runs terraform in `dir` with a CLI config that installs providers only from `mirror`, attached
 * to `provider` when one is given.
 */
export function terraformRunner(terraform: string, dir: string, mirror: string, provider?: RunningProvider) {
  const cliConfig = path.join(dir, 'terraform.rc');
  fs.writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`);
  const env = {
    ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0',
    ...(provider ? { TF_REATTACH_PROVIDERS: provider.reattach } : {}),
  };
  const exec = (args: string[], okStatuses: number[]) => {
    const result = spawnSync(terraform, [...args, '-no-color'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (!okStatuses.includes(result.status ?? -1)) {
      throw new Error(`terraform ${args[0]} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  };
  return Object.assign((...args: string[]) => exec(args, [0]).stdout, {
    /** `terraform plan -detailed-exitcode …`: whether the plan has changes (exit 2) or none (exit 0). */
    planHasChanges: (...args: string[]) => exec(['plan', '-detailed-exitcode', ...args], [0, 2]).status === 2,
  });
}

export type TerraformRunner = ReturnType<typeof terraformRunner>;
