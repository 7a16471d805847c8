/**
 * Large bodies off the main thread. Validating, rendering and hashing a 10 MB body takes the
 * mapping-template runtime seconds; on the event loop that would stall every other client for
 * as long. So the steps that walk a large body run in a worker thread, on the same API model
 * built from the same template, and hand back exactly what the main thread would have
 * computed (the rendered request, or the method's answer) or the same GatewayError: the
 * answers do not change, only where the CPU time is spent.
 *
 * Workers start on the first large body and end after a few idle seconds, so that a stage
 * that never sees one carries no worker, and the memory a large render used is given back.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MethodModel, ResourceModel } from './api-model';
import type { CfnTemplate } from '../../lib/cloudformation';
import { GatewayError, type GatewayResponseType } from './gateway-errors';
import type { Invocation, InvocationRequest } from './invocation';
import type {
  IntegrationRequest,
  IntegrationResult,
  MethodAnswer,
  RequestOverrides,
} from './stage-types';

/** Bodies (request, or integration response) from this many characters on go to a worker. */
export const OFFLOAD_MIN_CHARS = 128 * 1024;
/** A worker idle this long ends (its memory goes back to the system). */
const IDLE_MS = 5_000;

/** What a worker needs to build the same API model as the main thread. */
export interface OffloadSource {
  template: CfnTemplate;
  stageName?: string;
}

/** The clonable part of an Invocation; the worker finds the resource and method by id. */
export type InvocationData = Omit<Invocation, 'resource' | 'method'> & {
  resourceId: string;
  httpMethod: string;
};

export type OffloadTask =
  | { kind: 'request'; inv: InvocationData; context: Record<string, unknown> }
  | {
      kind: 'response';
      inv: InvocationData;
      context: Record<string, unknown>;
      overrides: RequestOverrides;
      result: IntegrationResult;
    };

export type OffloadOutcome =
  | { request: IntegrationRequest }
  | { answer: MethodAnswer }
  | { gatewayError: { type: GatewayResponseType; message: string; reason?: string } }
  | { unexpected: string };

/** A worker failed in a way no request template explains (it crashed, or threw a bug). */
export class OffloadError extends Error {
  override readonly name = 'OffloadError';
}

export function invocationData(
  inv: Invocation,
  { resource, method }: { resource: ResourceModel; method: MethodModel },
  withBytes: boolean,
): InvocationData {
  const data: Partial<Invocation> = { ...inv, request: withoutBody(inv.request, withBytes) };
  delete data.resource;
  delete data.method;
  return { ...(data as Invocation), resourceId: resource.id, httpMethod: method.httpMethod };
}

/**
 * A request whose body arrived as bytes (`withLazyBody`) is sent without its string `body`
 * (reading it would decode it here); with its bytes when the worker renders the request.
 */
function withoutBody(request: InvocationRequest, withBytes: boolean): InvocationRequest {
  if (!request.bodyBytes) return request;
  const copy = { body: '' } as InvocationRequest;
  for (const key of Object.keys(request) as (keyof InvocationRequest)[]) {
    if (key !== 'body' && key !== 'bodyBytes') Object.assign(copy, { [key]: request[key] });
  }
  if (withBytes) copy.bodyBytes = request.bodyBytes;
  return copy;
}

/** The body's own buffer, moved to the worker rather than copied (10 MB bodies). */
function transferables(task: OffloadTask): ArrayBuffer[] {
  const bytes = task.inv.request.bodyBytes;
  if (!bytes || bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) return [];
  return [bytes.buffer as ArrayBuffer];
}

/** The part of an integration request the response side reads (clonable, no body). */
export function requestOverrides(request: IntegrationRequest): RequestOverrides {
  return { responseOverride: request.responseOverride, contextOverrides: request.contextOverrides };
}

interface PooledWorker {
  worker: Worker;
  busy: boolean;
  idleTimer?: NodeJS.Timeout;
  current?: Queued;
}

interface Queued {
  task: OffloadTask;
  signal?: AbortSignal;
  resolve(outcome: OffloadOutcome): void;
  reject(err: Error): void;
}

/** One worker on a 2-core machine: the other core stays for the event loop and the engine. */
function defaultSize(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

function startWorker(source: OffloadSource): Worker {
  const file = path.join(__dirname, `render-worker${path.extname(__filename)}`);
  // Run from TypeScript sources (npm start, jest): the worker registers ts-node itself.
  const worker = file.endsWith('.ts')
    ? new Worker(
        `require(${JSON.stringify(require.resolve('ts-node/register/transpile-only'))});` +
          `require(${JSON.stringify(file)});`,
        { eval: true, workerData: source },
      )
    : new Worker(file, { workerData: source });
  // A worker never keeps the process alive on its own.
  worker.unref();
  return worker;
}

export class RenderPool {
  private readonly workers: PooledWorker[] = [];
  private readonly queue: Queued[] = [];
  private closed = false;

  constructor(
    private readonly source: OffloadSource,
    private readonly size = defaultSize(),
  ) {}

  /**
   * Runs `task` in a worker. When `signal` aborts (the client went away), a task still queued
   * is dropped and a running one stops with its worker: nobody would read the answer.
   */
  run(task: OffloadTask, signal?: AbortSignal): Promise<OffloadOutcome> {
    if (this.closed) return Promise.reject(new OffloadError('the render pool is closed'));
    return new Promise((resolve, reject) => {
      const queued: Queued = { task, signal, resolve, reject };
      signal?.addEventListener('abort', () => this.abandon(queued), { once: true });
      this.queue.push(queued);
      this.dispatch();
    });
  }

  private abandon(queued: Queued): void {
    const gone = new OffloadError('the client went away');
    const at = this.queue.indexOf(queued);
    if (at >= 0) {
      this.queue.splice(at, 1);
      queued.reject(gone);
      return;
    }
    const pooled = this.workers.find((w) => w.current === queued);
    if (pooled) {
      this.remove(pooled);
      pooled.current = undefined;
      void pooled.worker.terminate();
      queued.reject(gone);
      this.dispatch();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queued of this.queue.splice(0)) {
      queued.reject(new OffloadError('the render pool is closed'));
    }
    await Promise.all(this.workers.splice(0).map((pooled) => pooled.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let pooled = this.workers.find((w) => !w.busy);
      if (!pooled && this.workers.length < this.size) pooled = this.spawn();
      if (!pooled) return;
      const queued = this.queue.shift() as Queued;
      clearTimeout(pooled.idleTimer);
      pooled.busy = true;
      pooled.current = queued;
      pooled.worker.postMessage(queued.task, transferables(queued.task));
    }
  }

  private spawn(): PooledWorker {
    const pooled: PooledWorker = { worker: startWorker(this.source), busy: false };
    const settle = (outcome: OffloadOutcome | Error) => {
      const current = pooled.current;
      pooled.current = undefined;
      pooled.busy = false;
      if (current) {
        if (outcome instanceof Error) current.reject(outcome);
        else current.resolve(outcome);
      }
    };
    pooled.worker.on('message', (outcome: OffloadOutcome) => {
      settle(outcome);
      this.dispatch();
      if (!pooled.busy) {
        pooled.idleTimer = setTimeout(() => this.retire(pooled), IDLE_MS);
        pooled.idleTimer.unref();
      }
    });
    const fail = (err: Error) => {
      this.remove(pooled);
      settle(new OffloadError(`a render worker failed: ${err.message}`, { cause: err }));
      this.dispatch();
    };
    pooled.worker.on('error', fail);
    pooled.worker.on('exit', (code) => {
      if (this.workers.includes(pooled)) fail(new Error(`exited with code ${code}`));
    });
    this.workers.push(pooled);
    return pooled;
  }

  private retire(pooled: PooledWorker): void {
    if (pooled.busy) return;
    this.remove(pooled);
    void pooled.worker.terminate();
  }

  private remove(pooled: PooledWorker): void {
    const at = this.workers.indexOf(pooled);
    if (at >= 0) this.workers.splice(at, 1);
    clearTimeout(pooled.idleTimer);
  }
}

/** The worker's outcome as the main thread's own code would have ended: a value or a throw. */
export function unwrapOutcome(outcome: OffloadOutcome): IntegrationRequest | MethodAnswer {
  if ('gatewayError' in outcome) {
    const { type, message, reason } = outcome.gatewayError;
    throw new GatewayError(type, message, reason);
  }
  if ('unexpected' in outcome) throw new OffloadError(outcome.unexpected);
  return 'request' in outcome ? outcome.request : outcome.answer;
}
