/**
 * The child side of a bench process (see spawn.ts): announce readiness with what the parent
 * needs (a URL, a port), then answer the parent's commands. Every child answers `rss` (its
 * resident memory), `cpu` (CPU µs used so far) and `stop` (exit, so that `--cpu-prof` writes its profile).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Command = (args: unknown) => Promise<unknown> | unknown;

export interface Request {
  id: number;
  command: string;
  args?: unknown;
}

export function serveParent(
  ready: Record<string, unknown>,
  commands: Record<string, Command> = {},
  onStop: () => Promise<void> = async () => undefined,
): void {
  const send = (message: unknown) => process.send?.(message);
  const handlers = new Map<string, Command>(Object.entries(commands));
  handlers.set('rss', () => process.memoryUsage().rss);
  handlers.set('memory', () => process.memoryUsage());
  // User + system CPU microseconds this process used so far (all its threads).
  handlers.set('cpu', () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  });
  handlers.set('stop', async () => {
    await onStop();
    // Answer first, then exit once the answer is on its way (--cpu-prof writes at exit).
    setImmediate(() => process.exit(0));
  });
  process.on('message', (message: Request) => {
    const handler = handlers.get(message.command);
    if (!handler) {
      send({ id: message.id, error: `unknown command ${message.command}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (value) => send({ id: message.id, value }),
        (err: unknown) => send({ id: message.id, error: String((err as Error)?.stack ?? err) }),
      );
  });
  // The parent died: do not linger as an orphan holding a port.
  process.on('disconnect', () => process.exit(0));
  send({ ready });
}

/**
 * Serves `server` on a free loopback port (keep-alive 5 s), announces its URL to the parent,
 * and closes it, connections included, when the parent says stop.
 */
export function serveHttpToParent(server: Server): void {
  server.keepAliveTimeout = 5_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    serveParent({ url: `http://127.0.0.1:${port}` }, {}, async () => {
      server.closeAllConnections();
      server.close();
    });
  });
}

/** Reads the JSON argument the parent passed on the command line. */
export function argsOf<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}
