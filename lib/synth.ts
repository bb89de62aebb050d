import type { App as K8sApp } from 'cdk8s';
import type { App as TfApp } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { ManagedCluster, PROFILES_DIR } from './clusters/managed-cluster';
import { collectValidationErrors, collectWarnings, ValidationError } from './core/validation';
import { collectWaivers } from './policy/gate';
import { inventory, platformMarkdown, summaryText } from './report';

/** The two apps of one program: Terraform for the clusters, Kubernetes manifests for what runs on them. */
export interface PlatformApps {
  /** @default - no Terraform side (a Kubernetes-only run from profile files) */
  readonly terraform?: TfApp;
  /** @default - no Kubernetes side */
  readonly kubernetes?: K8sApp;
}

/**
 * Validates both apps together (the policy gate included) and writes them only when neither has a problem, so a mistake on
 * the Kubernetes side never leaves fresh Terraform behind (or the other way round). Also writes
 * each cluster's profile to `<terraform outdir>/profiles/<cluster>.json`. Returns the warnings
 * found and the policy waivers that took effect, for the caller to show.
 */
export function synthPlatform(apps: PlatformApps): { warnings: string[]; waivers: string[] } {
  const roots = [apps.terraform, apps.kubernetes].filter((app) => app !== undefined);
  const errors = roots.flatMap((app) => collectValidationErrors(app));
  if (errors.length > 0) throw new ValidationError(errors);
  apps.terraform?.synth();
  apps.kubernetes?.synth();
  if (apps.terraform) writeProfiles(apps.terraform);
  return { warnings: roots.flatMap((app) => collectWarnings(app)), waivers: roots.flatMap((app) => collectWaivers(app)) };
}

/** Each cluster's profile as JSON, for Kubernetes-only CI jobs (`ClusterProfile.fromFile`). */
function writeProfiles(terraform: TfApp): void {
  const dir = path.join(terraform.outdir, PROFILES_DIR);
  for (const cluster of terraform.node.findAll().filter((c): c is ManagedCluster<unknown> => c instanceof ManagedCluster)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${cluster.clusterName}.json`), `${JSON.stringify(cluster.profile.toJson(), null, 2)}\n`);
  }
}

/**
 * For a program's main: synthesizes, prints a summary per cluster (pools and GPU capacity,
 * tenants and quotas, training jobs, serving endpoints, warnings), writes `PLATFORM.md` next to
 * the manifests, and on problems prints their list (no stack trace) and exits with status 1.
 */
export function synthPlatformOrExit(apps: PlatformApps): void {
  let result: { warnings: string[]; waivers: string[] };
  try {
    result = synthPlatform(apps);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const built = inventory(apps);
  console.log(summaryText(built, result.warnings, result.waivers));
  if (apps.kubernetes) fs.writeFileSync(path.join(apps.kubernetes.outdir, 'PLATFORM.md'), platformMarkdown(built, result.warnings, result.waivers));
}
