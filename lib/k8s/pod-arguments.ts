/**
 * The shapes of what users add to a workload's pods (sidecars, volumes, env from Secrets), checked
 * before the pod template takes them: a JavaScript caller's missing or mistyped argument is a
 * listed problem, not a TypeError at synth or a `null` written into the manifest.
 */
import { FieldShape, PropsShape, shapeProblems } from '../core/props-shape';
import { Problem } from '../core/validation';

const STRINGS: FieldShape = { arrayOf: 'string' };
const OBJECTS: FieldShape = { arrayOf: 'object' };

/** {@link ContainerSpec}; the Kubernetes sub-objects (probes, env entries, ports) are checked as objects. */
export const CONTAINER_SPEC_SHAPE: PropsShape = {
  name: 'string', image: 'string', command: STRINGS, args: STRINGS, env: OBJECTS, ports: OBJECTS,
  resources: { fields: { cpu: 'number', memoryGiB: 'number', gpus: 'number' }, required: ['cpu', 'memoryGiB'] },
  startupProbe: 'object', readinessProbe: 'object', livenessProbe: 'object', lifecycle: 'object', volumeMounts: OBJECTS,
};

export function containerProblems(container: unknown, method: string): Problem[] {
  return shapeProblems(container, CONTAINER_SPEC_SHAPE, ['name', 'image', 'resources'], `${method}.container`);
}

export function volumeProblems(volume: unknown, mount: unknown, method: string, mountFields: PropsShape = {}): Problem[] {
  const problems = shapeProblems({ volume, mount }, { volume: 'object', mount: { fields: { mountPath: 'string', readOnly: 'boolean', ...mountFields }, required: ['mountPath'] } }, ['volume'], method);
  if (problems.length === 0 && typeof (volume as { name?: unknown }).name !== 'string') {
    problems.push({ code: 'PROP_MISSING', message: `${method}.volume.name is required.`, received: (volume as { name?: unknown }).name, fix: 'name the volume (the mount refers to it by name).' });
  }
  return problems;
}

/** The Secret may be a name or a cdk8s-plus `ISecret` (any object with a `name`). */
export function envFromSecretProblems(name: unknown, secret: unknown, key: unknown, method: string): Problem[] {
  const problems = shapeProblems({ name, secret, key }, { name: 'string', secret: { anyOf: ['string', 'object'] }, key: 'string' }, ['name', 'secret', 'key'], method);
  if (typeof secret === 'object' && secret !== null && typeof (secret as { name?: unknown }).name !== 'string') {
    problems.push({ code: 'PROP_TYPE_INVALID', message: `${method}.secret must be a Secret name or an object with a name.`, received: secret, fix: 'pass the Secret\'s name, or a cdk8s-plus Secret.' });
  }
  return problems;
}

/** A Secret or claim (a name, or a cdk8s-plus handle with a name) mounted at a path. */
export function mountProblems(what: 'secret' | 'claim', object: unknown, mountPath: unknown, readOnly?: unknown): Problem[] {
  const problems = shapeProblems({ [what]: object, mountPath, readOnly }, { [what]: { anyOf: ['string', 'object'] }, mountPath: 'string', readOnly: 'boolean' }, [what, 'mountPath'], 'arguments');
  if (typeof object === 'object' && object !== null && typeof (object as { name?: unknown }).name !== 'string') {
    problems.push({ code: 'PROP_TYPE_INVALID', message: `arguments.${what} must be a name or an object with a name.`, received: object, fix: `pass the ${what === 'secret' ? 'Secret' : 'PersistentVolumeClaim'}'s name, or a cdk8s-plus handle.` });
  }
  return problems;
}
