/**
 * Runs dynalite in a worker thread, so that an exception it throws (dynalite rethrows request
 * and internal errors from event handlers, where nothing can catch them) ends the worker and
 * not the local stage. A worker rather than a child process: it starts in milliseconds, needs
 * no TypeScript loader, and dies with the process (a `kill -9` leaves no orphan holding the
 * data directory's LevelDB lock).
 *
 * When the worker dies, a new one is started on the same options: with a data directory the
 * data is still there; in memory it is gone (and the message says so). Requests that arrive
 * meanwhile wait for it.
 */
import { Worker } from 'node:worker_threads';
import type { DynaliteBackend } from './dynalite-adapter';

export interface DynaliteWorkerOptions {
  path?: string;
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
  /** dynalite's own item size check (UTF-16 units); the adapter applies DynamoDB's. */
  maxItemSizeKb: number;
}

/** The worker's whole program. Plain CommonJS: workers do not inherit ts-node or ts-jest. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.dynalitePath);
const server = dynalite(workerData.options);
server.on('error', (err) => { throw err; });
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  server.close((err) => parentPort.postMessage({ stopped: err ? String(err) : true }));
  server.closeAllConnections();
});
`;

export interface DynaliteHost extends DynaliteBackend {
  /** Stops the worker (dynalite closes its LevelDB) and waits until it has exited. */
  stop(): Promise<void>;
}

interface RunningWorker {
  worker: Worker;
  port: number;
  exited: Promise<void>;
}

function launch(options: DynaliteWorkerOptions): Promise<RunningWorker> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { dynalitePath: require.resolve('dynalite'), options },
    stdout: false,
    stderr: false,
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    const onExit = (code: number) => reject(new Error(`dynalite worker exited with code ${code}`));
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.once('message', (message: { port?: number }) => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (typeof message.port !== 'number') reject(new Error('dynalite worker sent no port'));
      else resolve({ worker, port: message.port, exited });
    });
  });
}

export async function startDynaliteHost(
  options: DynaliteWorkerOptions,
  onCrash: (err: Error) => void,
): Promise<DynaliteHost> {
  let current = await launch(options);
  let replacing: Promise<RunningWorker> | undefined;
  // The last replacement failed to start: the next request tries again.
  let down = false;
  let stopping = false;

  /** One replacement at a time, whoever asks for it. */
  const replace = (): Promise<RunningWorker> =>
    (replacing ??= launch(options)
      .then((next) => {
        current = next;
        down = false;
        watch(next);
        return next;
      })
      .catch((err: Error) => {
        down = true;
        onCrash(err);
        throw err;
      })
      .finally(() => {
        replacing = undefined;
      }));

  const watch = (running: RunningWorker): void => {
    let crash: Error | undefined;
    running.worker.on('error', (err) => {
      crash = err;
    });
    running.worker.once('exit', (code) => {
      if (stopping || running !== current) return;
      onCrash(crash ?? new Error(`dynalite worker exited with code ${code}`));
      replace().catch(() => undefined);
    });
  };
  watch(current);

  return {
    port: async () => {
      if (replacing) return (await replacing).port;
      if (down && !stopping) return (await replace()).port;
      return current.port;
    },
    stop: async () => {
      stopping = true;
      const { worker, exited } = replacing ? await replacing.catch(() => current) : current;
      if (worker.threadId !== -1) {
        const closed = new Promise<void>((resolve) =>
          worker.once('message', (message: { stopped?: unknown }) => {
            if (message.stopped !== undefined) resolve();
          }),
        );
        worker.postMessage('stop');
        // dynalite closes its store (flushing LevelDB); a worker that is stuck is terminated.
        await Promise.race([closed, exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
        await worker.terminate();
      }
      await exited;
    },
  };
}
