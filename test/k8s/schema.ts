import { execFileSync } from 'child_process';
import * as path from 'path';

/**
 * Validates manifests against the Kubernetes OpenAPI schemas (types, enums, required fields,
 * formats) and the custom resources' own fields against their CRDs. Returns every error found.
 */
export function schemaErrors(docs: readonly any[]): string[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'validate-models.mjs')], {
    input: JSON.stringify(docs),
    encoding: 'utf8',
    cwd: path.join(__dirname, '..', '..'),
  });
  return [...JSON.parse(out), ...docs.flatMap(crdErrors)];
}

/** A structural schema: the fields an object may have, and what each one holds. */
interface Shape {
  readonly fields: Record<string, FieldShape>;
  readonly required?: readonly string[];
}
type FieldShape = 'any' | 'string' | 'integer' | 'boolean' | { enum: readonly string[] } | { list: FieldShape } | { map: FieldShape } | Shape;

// From the JobSet v1alpha2 API reference (jobset.x-k8s.io); templates are checked as JobTemplateSpec.
const JOBSET_SPEC: Shape = {
  fields: {
    replicatedJobs: { list: { fields: { name: 'string', groupName: 'string', replicas: 'integer', template: 'any', dependsOn: 'any' }, required: ['name', 'template'] } },
    network: { fields: { enableDNSHostnames: 'boolean', subdomain: 'string', publishNotReadyAddresses: 'boolean' } },
    successPolicy: { fields: { operator: { enum: ['All', 'Any'] }, targetReplicatedJobs: { list: 'string' } }, required: ['operator'] },
    failurePolicy: {
      fields: {
        maxRestarts: 'integer',
        restartStrategy: { enum: ['Recreate', 'BlockingRecreate'] },
        rules: { list: { fields: { name: 'string', action: { enum: ['FailJobSet', 'RestartJobSet', 'RestartJobSetAndIgnoreMaxRestarts'] }, onJobFailureReasons: { list: 'string' }, onJobFailureMessagePatterns: { list: 'string' }, targetReplicatedJobs: { list: 'string' } }, required: ['name', 'action'] } },
      },
    },
    startupPolicy: 'any', suspend: 'boolean', coordinator: 'any', managedBy: 'string', ttlSecondsAfterFinished: 'integer',
  },
  required: ['replicatedJobs'],
};

// From the Kubeflow training operator's kubeflow.org/v1 TFJob API; templates are checked as PodTemplateSpec.
const REPLICA_SPEC: Shape = { fields: { replicas: 'integer', template: 'any', restartPolicy: { enum: ['Always', 'OnFailure', 'Never', 'ExitCode'] } } };
const TFJOB_SPEC: Shape = {
  fields: {
    runPolicy: {
      fields: {
        cleanPodPolicy: { enum: ['All', 'Running', 'None'] }, ttlSecondsAfterFinished: 'integer', activeDeadlineSeconds: 'integer',
        backoffLimit: 'integer', schedulingPolicy: { fields: { minAvailable: 'integer', queue: 'string', minResources: 'any', priorityClass: 'string', scheduleTimeoutSeconds: 'integer' } },
        suspend: 'boolean', managedBy: 'string',
      },
    },
    successPolicy: { enum: ['', 'AllWorkers'] },
    tfReplicaSpecs: { map: REPLICA_SPEC },
    enableDynamicWorker: 'boolean',
  },
  required: ['tfReplicaSpecs'],
};
const TFJOB_REPLICA_TYPES = ['Chief', 'Master', 'Worker', 'PS', 'Evaluator'];

function crdErrors(doc: any): string[] {
  const where = `${doc.apiVersion}/${doc.kind} ${doc.metadata?.name}`;
  if (doc.kind === 'JobSet') return shapeErrors(doc.spec, JOBSET_SPEC, `${where} spec`);
  if (doc.kind === 'TFJob') {
    const unknownTypes = Object.keys(doc.spec?.tfReplicaSpecs ?? {}).filter((t) => !TFJOB_REPLICA_TYPES.includes(t));
    return [...shapeErrors(doc.spec, TFJOB_SPEC, `${where} spec`), ...unknownTypes.map((t) => `${where}: unknown replica type ${t}`)];
  }
  return [];
}

function shapeErrors(value: any, shape: FieldShape, at: string): string[] {
  if (shape === 'any') return [];
  if (shape === 'string' || shape === 'boolean') return typeof value === shape ? [] : [`${at}: expected ${shape}, got ${JSON.stringify(value)}`];
  if (shape === 'integer') return Number.isInteger(value) ? [] : [`${at}: expected integer, got ${JSON.stringify(value)}`];
  if ('enum' in shape) return shape.enum.includes(value) ? [] : [`${at}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`];
  if ('list' in shape) return Array.isArray(value) ? value.flatMap((v, i) => shapeErrors(v, shape.list, `${at}[${i}]`)) : [`${at}: expected a list`];
  if ('map' in shape) return typeof value === 'object' && value ? Object.entries(value).flatMap(([k, v]) => shapeErrors(v, shape.map, `${at}.${k}`)) : [`${at}: expected an object`];
  const object = shape;
  if (typeof value !== 'object' || value === null) return [`${at}: expected an object`];
  return [
    ...Object.keys(value).filter((k) => !(k in object.fields)).map((k) => `${at}.${k}: unknown field`),
    ...(object.required ?? []).filter((k) => value[k] === undefined).map((k) => `${at}.${k}: required`),
    ...Object.entries(value).filter(([k]) => k in object.fields).flatMap(([k, v]) => shapeErrors(v, object.fields[k], `${at}.${k}`)),
  ];
}
