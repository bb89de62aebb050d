import { GitOpsEngine } from '../delivery/gitops-engine';
import { PropsShape, shapeProblems } from '../core/props-shape';
import { Problem } from '../core/validation';
import { enumShape } from './cluster-props';
import { ManagedCluster } from './managed-cluster';

/** The shape of ClusterAddonsProps, checked before anything is built (JavaScript callers, JSON config). */
const ADDONS_PROPS_SHAPE: PropsShape = {
  cluster: { instanceOf: ManagedCluster, name: 'GkeCluster, EksCluster or AksCluster' },
  ingress: { anyOf: [{ oneOf: [false], name: 'false' }, { fields: { replicas: 'number', internal: 'boolean' } }] },
  monitoring: { anyOf: [{ oneOf: [false], name: 'false' }, { fields: { retention: 'string', storageGiB: 'number', grafanaAdminSecret: 'string' } }] },
  dcgmExporter: 'boolean',
  jobset: 'boolean',
  kueue: 'boolean',
  gitOps: enumShape(GitOpsEngine, 'GitOpsEngine'),
};

/** Every problem of ClusterAddons' props: shape first, then the numbers written into chart values. */
export function addonsPropsProblems(props: unknown): Problem[] {
  const shape = shapeProblems(props, ADDONS_PROPS_SHAPE, ['cluster'], 'props');
  if (shape.length > 0) return shape;
  const { ingress, monitoring } = props as { ingress?: { replicas?: number } | false; monitoring?: { storageGiB?: number } | false };
  const problems: Problem[] = [];
  const replicas = ingress ? ingress.replicas : undefined;
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 1 && replicas <= 100)) {
    problems.push({ code: 'REPLICAS_INVALID', message: 'ingress.replicas must be a whole number from 1 to 100.', received: replicas, fix: 'use 2 or more for availability.' });
  }
  const storage = monitoring ? monitoring.storageGiB : undefined;
  if (storage !== undefined && !(Number.isInteger(storage) && storage >= 1 && storage <= 65536)) {
    problems.push({ code: 'STORAGE_SIZE_INVALID', message: 'monitoring.storageGiB must be a whole number of GiB from 1 to 65536.', received: storage, fix: 'use e.g. 50.' });
  }
  return problems;
}
