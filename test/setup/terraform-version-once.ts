import { ValidateBinaryVersion } from 'cdktf/lib/validations/validate-binary-version';

/**
 * cdktf checks the Terraform version by running `terraform version` at every validation of every
 * construct that needs one (ClusterAddons' terraform_data, three per multi-cloud example): 360
 * processes in the unit tests, each blocking a worker. The binary does not change during a run,
 * so each test file runs the probe once per command and constraint and reuses its answer.
 */
const answers = new Map<string, string[]>();
const probe = ValidateBinaryVersion.prototype.validate;
ValidateBinaryVersion.prototype.validate = function validateOnce(this: ValidateBinaryVersion): string[] {
  const { binary, versionConstraint, versionCommand, hint } = this as unknown as Record<string, string>;
  const key = JSON.stringify([binary, versionConstraint, versionCommand, hint]);
  if (!answers.has(key)) answers.set(key, probe.call(this));
  return [...answers.get(key)!];
};
