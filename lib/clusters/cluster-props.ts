import { Accelerator } from '../core/accelerator';
import { Cloud } from '../core/cloud';
import { FieldShape, PropsShape } from '../core/props-shape';
import { checkName, DNS_LABEL } from '../core/names';
import type { ConstructContainer } from '../core/construct-arguments';
import { Problem } from '../core/validation';
import { cdktf } from './bindings';

/** The shape of NodePoolOptions and GpuPoolOptions; each cloud adds its own fields. */
export const POOL_SHAPE: PropsShape = {
  name: 'string',
  machineType: 'string',
  minNodes: 'number',
  maxNodes: 'number',
  spot: 'boolean',
  labels: { mapOf: 'string' },
  taints: { arrayOf: { fields: { key: 'string', value: 'string', effect: { oneOf: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'], name: 'taint effect' } }, required: ['key', 'effect'] } },
  diskSizeGiB: 'number',
  zones: { arrayOf: 'string' },
  accelerator: { instanceOf: Accelerator, name: 'Accelerator' },
  gpusPerNode: 'number',
};

export const enumShape = (values: Record<string, unknown>, name: string): FieldShape => ({ oneOf: Object.values(values), name });

/** Placeholders a pool with a bad shape is built from; never written, since the problems stop synth. */
export function poolPlaceholders(machineTypeExample: string, gpu: boolean) {
  return { maxNodes: 1, machineType: gpu ? undefined : machineTypeExample.split(' ')[0], accelerator: gpu ? Accelerator.NVIDIA_T4 : undefined };
}

/**
 * The Kubernetes version as the profile and the Pod Security labels use it: major.minor. EKS takes
 * nothing else; GKE and AKS would take a patch or an alias, which the profile could not state.
 */
export function kubernetesVersionProblems(cloud: Cloud, version: string): Problem[] {
  return /^1\.\d{2}$/.test(version) ? [] : [{
    code: 'KUBERNETES_VERSION_INVALID',
    message: `kubernetesVersion must be a minor version such as "1.33"; ${cloud.toUpperCase()} clusters here follow a minor version and the cloud applies patches.`,
    received: version,
    fix: 'write major.minor, e.g. "1.33", without a patch number or an alias such as "latest".',
  }];
}

/** Empty, padded or repeated entries of a list of ids or names that each become one resource or grant. */
export function listEntryProblems(field: string, values: readonly string[], code: string, pattern?: RegExp): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    // A Terraform reference (an IamRole's arn) is resolved at apply; only its presence can be checked here.
    if (value.trim() === '' || value !== value.trim() || (pattern && !cdktf().Token.isUnresolved(value) && !pattern.test(value))) {
      problems.push({ code, message: `${field} holds an entry that is empty, padded with spaces or malformed.`, received: value, fix: `list the exact ids in ${field}.` });
    } else if (seen.has(value)) {
      problems.push({ code, message: `${field} lists the same entry twice; the second would conflict with the first.`, received: value, fix: `list each entry of ${field} once.` });
    }
    seen.add(value);
  }
  return problems;
}

/**
 * The cluster's name also names its profile, the charts of its workloads and their labels, which
 * take a DNS label; a name only the cloud accepts (`ML_Cluster`) would write a profile no program can read.
 */
export function profileNameProblems(name: string): Problem[] {
  return checkName(name, DNS_LABEL, 'CLUSTER_NAME_INVALID').map((p) => ({
    ...p,
    message: `Cluster name "${name}" also names the cluster profile, its charts and labels, which need a Kubernetes DNS label.`,
  }));
}

/** The stacks of a cdktf App, where every cluster-side construct goes. */
export const IN_STACK: ConstructContainer = {
  name: 'cdktf TerraformStack',
  fix: 'pass the TerraformStack the cluster goes in, or a construct inside it.',
  has: (scope) => scope.node.scopes.some((s) => cdktf().TerraformStack.isStack(s)),
};
