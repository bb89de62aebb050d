/** CPU cores as a Kubernetes quantity: whole cores as integers, fractions in millicores. */
export function cpuQuantity(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** GiB as a Kubernetes quantity, in Mi when fractional. */
export function memoryQuantity(gib: number): string {
  return Number.isInteger(gib) ? `${gib}Gi` : `${Math.round(gib * 1024)}Mi`;
}
