import type { App as K8sApp } from 'cdk8s';
import type { App as TfApp } from 'cdktf';
import { collectValidationErrors, collectWarnings, ValidationError } from './core/validation';

/** The two apps of one program: Terraform for the clusters, Kubernetes manifests for what runs on them. */
export interface PlatformApps {
  readonly terraform?: TfApp;
  readonly kubernetes?: K8sApp;
}

/**
 * Validates both apps together and writes them only when neither has a problem, so a mistake on
 * the Kubernetes side never leaves fresh Terraform behind (or the other way round). Returns the
 * warnings found, for the caller to show.
 */
export function synthPlatform(apps: PlatformApps): { warnings: string[] } {
  const roots = [apps.terraform, apps.kubernetes].filter((app) => app !== undefined);
  const errors = roots.flatMap((app) => collectValidationErrors(app));
  if (errors.length > 0) throw new ValidationError(errors);
  apps.terraform?.synth();
  apps.kubernetes?.synth();
  return { warnings: roots.flatMap((app) => collectWarnings(app)) };
}

/**
 * For a program's main: synthesizes, prints warnings, and on problems prints their list (no stack
 * trace) and exits with status 1.
 */
export function synthPlatformOrExit(apps: PlatformApps): void {
  try {
    synthPlatform(apps).warnings.forEach((warning) => console.warn(`warning: ${warning}`));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
