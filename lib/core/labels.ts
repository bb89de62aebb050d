import { Problem } from './validation';
import { DNS_SUBDOMAIN } from './names';

// Kubernetes label syntax (apimachinery validation.IsQualifiedName / IsValidLabelValue).
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Problems with a label key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
export function labelKeyProblems(key: string, code: string): Problem[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  const ok = name.length <= 63 && NAME_PART.test(name) && (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
  return ok ? [] : [{
    code,
    message: 'A label or taint key is not a valid Kubernetes qualified name.',
    received: key,
    fix: 'use an optional DNS subdomain prefix and "/", then at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.',
  }];
}

/** Problems with a label value: empty, or at most 63 characters of the label name alphabet. */
export function labelValueProblems(value: string, code: string): Problem[] {
  const ok = value === '' || (value.length <= 63 && NAME_PART.test(value));
  return ok ? [] : [{
    code,
    message: 'A label or taint value is not valid in Kubernetes.',
    received: value,
    fix: 'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.',
  }];
}
