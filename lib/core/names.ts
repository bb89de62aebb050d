import { Problem } from './validation';

/** A naming rule: a pattern, a length limit and the words that explain both to a user. */
export interface NameRule {
  /** Who imposes the rule, e.g. `GKE node pool name`. */
  readonly what: string;
  readonly pattern: RegExp;
  readonly maxLength: number;
  /** The rule in words, used as the fix. */
  readonly description: string;
}

export const DNS_LABEL: NameRule = {
  what: 'Kubernetes DNS-1123 label',
  pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  maxLength: 63,
  description: 'use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
};

export const GKE_NAME: NameRule = {
  what: 'GKE cluster or node pool name',
  pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
  maxLength: 40,
  description: 'use at most 40 lowercase letters, digits and "-", starting with a letter and not ending with "-"',
};

export const EKS_NAME: NameRule = {
  what: 'EKS cluster or node group name',
  pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/,
  maxLength: 63,
  description: 'use at most 63 letters, digits, "-" and "_", starting with a letter or digit',
};

/** IAM role names derived from the cluster name must fit AWS's 64-character limit. */
export const IAM_ROLE_NAME: NameRule = {
  what: 'IAM role name',
  pattern: /^[\w+=,.@-]+$/,
  maxLength: 64,
  description: 'shorten the cluster name so that "<name>-cluster" and "<name>-nodes" fit in 64 characters',
};

export const AKS_CLUSTER_NAME: NameRule = {
  what: 'AKS cluster name',
  pattern: /^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$/,
  maxLength: 63,
  description: 'use at most 63 letters, digits, "-" and "_", starting and ending with a letter or digit',
};

export const AKS_DNS_PREFIX: NameRule = {
  what: 'AKS DNS prefix',
  pattern: /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/,
  maxLength: 54,
  description: 'use at most 54 letters, digits and "-", starting and ending with a letter or digit',
};

export const AKS_POOL_NAME: NameRule = {
  what: 'AKS Linux node pool name',
  pattern: /^[a-z][a-z0-9]*$/,
  maxLength: 12,
  description: 'use at most 12 lowercase letters and digits, starting with a letter',
};

/** The problems of `name` under `rule`: empty when the name is valid. */
export function checkName(name: string, rule: NameRule, code: string): Problem[] {
  // A JavaScript caller's number or undefined is listed, not a TypeError.
  if (typeof name !== 'string') return [{ code, message: `The name must be a string, a valid ${rule.what}.`, received: name, fix: rule.description + '.' }];
  if (name.length <= rule.maxLength && rule.pattern.test(name)) {
    return [];
  }
  const tooLong = name.length > rule.maxLength ? ` (${name.length} characters, limit ${rule.maxLength})` : '';
  return [{
    code,
    message: `"${name}" is not a valid ${rule.what}${tooLong}.`,
    received: name,
    fix: rule.description + '.',
  }];
}

/** Service names and other DNS-1035 labels: like DNS-1123 labels, but starting with a letter. */
export const DNS_1035_LABEL: NameRule = {
  what: 'Kubernetes DNS-1035 label',
  pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
  maxLength: 63,
  description: 'use at most 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
};

/** Environment variable names the API server accepts. */
export const ENV_VAR_NAME: NameRule = {
  what: 'environment variable name',
  pattern: /^[-._a-zA-Z][-._a-zA-Z0-9]*$/,
  maxLength: 4096,
  description: 'use letters, digits, "_", "-" and ".", not starting with a digit',
};

/** A DNS-1123 subdomain (253 characters at most, checked apart): object names, API groups, label prefixes. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** StorageClass names (and other object names checked as DNS-1123 subdomains). */
export const STORAGE_CLASS_NAME: NameRule = {
  what: 'StorageClass name (a Kubernetes DNS-1123 subdomain)',
  pattern: DNS_SUBDOMAIN,
  maxLength: 253,
  description: 'use at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, such as "gp3" or "efs"',
};
