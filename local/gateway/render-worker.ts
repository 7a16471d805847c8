/**
 * A render worker (see offload.ts): builds the API model from the same template as the main
 * thread, then runs the body-walking steps of the pipeline for the tasks it is sent.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { sha256Hex } from '../dynamodb/sigv4';
import { buildApiModel } from './api-model-build';
import { GatewayError } from './gateway-errors';
import { requestedResource } from './integration-credentials';
import { buildIntegrationRequest } from './integration-request';
import { buildMethodAnswer } from './integration-response';
import type { Invocation, InvocationRequest } from './invocation';
import { validateMethodRequest } from './method-request';
import type { OffloadOutcome, OffloadSource, OffloadTask } from './offload';

const source = workerData as OffloadSource;
// On Linux a nice value is per thread: the event loop, answering small requests, goes first
// when this thread and the main thread want the same core. Elsewhere this changes nothing
// (or the whole process, harmlessly for a local stage); refused → left as is.
try {
  os.setPriority(10);
} catch {
  // Not permitted here: rendering at the normal priority is still correct.
}
const api = buildApiModel(source.template, { stageName: source.stageName });

const bare = (map: Record<string, string>) =>
  Object.assign(Object.create(null) as Record<string, string>, map);

/**
 * The request as the main thread had it: cloning gave its maps a prototype again (a header
 * named `__proto__` or `toString` must stay plain data), and a body sent as bytes is decoded.
 */
function received(request: InvocationRequest): InvocationRequest {
  const { bodyBytes, ...rest } = request;
  return {
    ...rest,
    header: bare(request.header),
    querystring: bare(request.querystring),
    body: bodyBytes
      ? Buffer.from(bodyBytes.buffer, bodyBytes.byteOffset, bodyBytes.byteLength).toString('utf8')
      : request.body,
  };
}

function run(task: OffloadTask): { outcome: OffloadOutcome; transfer: ArrayBuffer[] } {
  const resource = api.resources.find((r) => r.id === task.inv.resourceId);
  const method = resource?.methods.get(task.inv.httpMethod);
  if (!resource || !method) {
    return { outcome: { unexpected: 'the worker has no such method' }, transfer: [] };
  }
  // The extra resourceId/httpMethod fields are harmless on the invocation the steps read.
  const inv: Invocation = {
    ...task.inv,
    request: received(task.inv.request),
    pathParams: bare(task.inv.pathParams),
    resource,
    method,
  };
  try {
    if (task.kind === 'response') {
      return {
        outcome: {
          answer: buildMethodAnswer(api, method, inv, task.context, task.overrides, task.result),
        },
        transfer: [],
      };
    }
    validateMethodRequest(method, inv);
    const request = buildIntegrationRequest(api, method, inv, task.context);
    if (method.integration.type !== 'AWS') return { outcome: { request }, transfer: [] };
    // What the main thread would do next with a large rendered body, done here: encode it,
    // hash it for the signature, read the table it names for the role's permissions.
    const bytes = Buffer.from(request.body, 'utf8');
    const prepared = {
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      sha256: sha256Hex(bytes),
      resource: requestedResource(request.body),
    };
    return {
      outcome: { request: { ...request, body: '', prepared } },
      transfer:
        bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength
          ? [bytes.buffer as ArrayBuffer]
          : [],
    };
  } catch (err) {
    if (err instanceof GatewayError) {
      return {
        outcome: { gatewayError: { type: err.type, message: err.message, reason: err.reason } },
        transfer: [],
      };
    }
    return { outcome: { unexpected: String((err as Error)?.stack ?? err) }, transfer: [] };
  }
}

parentPort?.on('message', (task: OffloadTask) => {
  const { outcome, transfer } = run(task);
  parentPort?.postMessage(outcome, transfer);
});
