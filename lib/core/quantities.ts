import { Problem } from './validation';
import { throwProblems } from './props-shape';

/** CPU cores as a Kubernetes quantity: whole cores as integers, fractions in millicores. */
export function cpuQuantity(cores: number): string {
  throwProblems('cpuQuantity', resourceProblems('The', 'cpu', cores));
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** GiB as a Kubernetes quantity, in Mi when fractional. */
export function memoryQuantity(gib: number): string {
  throwProblems('memoryQuantity', resourceProblems('The', 'memoryGiB', gib));
  return Number.isInteger(gib) ? `${gib}Gi` : `${Math.round(gib * 1024)}Mi`;
}

// The grammar of k8s.io/apimachinery resource.Quantity: a signed decimal number, then a binary
// suffix (Ki…Ei), a decimal suffix (n, u, m, "", k, M, G, T, P, E) or a decimal exponent.
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?(?:\d+(?:\.\d*)?|\.\d+))?$/;
const FACTORS: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/** The value of a Kubernetes quantity (`1.5Gi`, `500m`, `2`), or `undefined` when it is not one. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, number, suffix = ''] = match;
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : FACTORS[suffix];
  return Number(number) * factor;
}

/**
 * Problems with a quantity for `resource`: malformed ones (`1GB`) are errors; a memory or storage
 * quantity in milli-units (`512m`, half a byte) is almost always a typo for `512Mi`, so it is
 * reported too, as `suspicious` for the caller to raise as a warning.
 */
export function quantityProblems(resource: string, text: string): { errors: Problem[]; suspicious: Problem[] } {
  const value = parseQuantity(text);
  if (value === undefined || value < 0) {
    return {
      errors: [{
        code: 'QUANTITY_INVALID',
        message: `"${text}" is not a Kubernetes quantity for ${resource}.`,
        received: text,
        fix: 'write a number with an optional suffix: Ki, Mi, Gi, Ti (powers of 2), k, M, G, T (powers of 10) or m (thousandths), e.g. 16Gi or 500m.',
      }],
      suspicious: [],
    };
  }
  const byteLike = /memory|storage/.test(resource);
  return {
    errors: [],
    suspicious: byteLike && /m$/.test(text)
      ? [{ code: 'QUANTITY_SUSPICIOUS', message: `${resource} "${text}" means ${text.slice(0, -1)} thousandths of a byte.`, received: text, fix: `write ${text.slice(0, -1)}Mi if you meant mebibytes.` }]
      : [],
  };
}

/** Bounds a pod's CPU and memory can have: at least 1m CPU and 1 MiB, at most what any node sells. */
const RESOURCE_BOUNDS = { cpu: { min: 0.001, max: 1024, unit: 'cores' }, memoryGiB: { min: 1 / 1024, max: 24 * 1024, unit: 'GiB' } } as const;

/** Problems of a CPU or memory figure that would be written as `0m`, `NaN` or an amount no node has. */
export function resourceProblems(owner: string, field: 'cpu' | 'memoryGiB', value: number): Problem[] {
  const { min, max, unit } = RESOURCE_BOUNDS[field];
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return [];
  return [{
    code: 'RESOURCE_INVALID',
    message: `${owner} ${field} must be a number from ${min} to ${max} ${unit}; smaller rounds to zero, and larger fits no node.`,
    received: value,
    fix: `set ${field} between ${min} and ${max}.`,
  }];
}
