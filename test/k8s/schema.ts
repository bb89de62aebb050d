import * as path from 'path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { crdSchemaErrors, hasCrd } from './crd-schema';

/**
 * Validates manifests against the Kubernetes OpenAPI schemas (types, enums, required fields,
 * formats) and custom resources against the OpenAPI schemas of their CRDs (crds/). Returns every error found.
 */
export function schemaErrors(docs: readonly any[]): string[] {
  return [...kubernetesModelErrors(docs), ...docs.flatMap(crdErrors)];
}

function crdErrors(doc: any): string[] {
  return hasCrd(doc) ? crdSchemaErrors(doc) : [];
}

const ANSWER_TIMEOUT_MS = 120_000;

// One worker per test file: its module imports are paid once, where a process per call paid them each time.
let models: { worker: Worker; port: MessagePort } | undefined;
afterAll(() => models?.worker.terminate());

/** The errors kubernetes-models (ES modules only, so in a worker thread) finds, waited for synchronously. */
function kubernetesModelErrors(docs: readonly any[]): string[] {
  if (!models) {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(path.join(__dirname, 'validate-models.mjs'), { workerData: { port: port2 }, transferList: [port2] });
    worker.unref();
    models = { worker, port: port1 };
  }
  const done = new Int32Array(new SharedArrayBuffer(4));
  models.port.postMessage({ docs, done });
  if (Atomics.wait(done, 0, 0, ANSWER_TIMEOUT_MS) === 'timed-out') {
    throw new Error(`the kubernetes-models worker (test/k8s/validate-models.mjs) did not answer in ${ANSWER_TIMEOUT_MS / 1000} s`);
  }
  const reply = receiveMessageOnPort(models.port)!.message as { errors?: string[]; failure?: string };
  if (reply.failure !== undefined) throw new Error(`the kubernetes-models worker failed: ${reply.failure}`);
  return reply.errors!;
}
