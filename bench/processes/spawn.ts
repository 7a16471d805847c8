/**
 * The parent side: every server of the API bench (the engine, the local stage, the bare proxy,
 * the lean handler) and the load generator run in their own Node process, so none of them
 * shares an event loop (or a garbage collector) with another. Children run TypeScript through
 * ts-node (transpile only), as `npm start` does.
 *
 * `BENCH_PROFILE=<name>` (e.g. `local-stage`) starts that child with `--cpu-prof`; its profile
 * lands in `.local-data/profiles/` when the bench stops it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface BenchProcess<Ready> {
  name: string;
  pid: number;
  ready: Ready;
  call<T>(command: string, args?: unknown): Promise<T>;
  /** CPU microseconds (user + system) the process used so far. */
  cpuMicros(): Promise<number>;
  /** Resident memory in MB. */
  rssMb(): Promise<number>;
  stop(): Promise<void>;
}

const PROFILE_DIR = path.join(__dirname, '..', '..', '.local-data', 'profiles');

export async function startProcess<Ready>(
  name: string,
  args: unknown = {},
): Promise<BenchProcess<Ready>> {
  const profiled = (process.env.BENCH_PROFILE ?? '').split(',').includes(name);
  const child: ChildProcess = fork(path.join(__dirname, `${name}.ts`), [JSON.stringify(args)], {
    execArgv: [
      '--require',
      'ts-node/register/transpile-only',
      ...(profiled ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
    ],
    env: {
      ...process.env,
      TS_NODE_TRANSPILE_ONLY: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before ready`)));
    child.on(
      'message',
      (message: { ready?: Ready; id?: number; value?: unknown; error?: string }) => {
        if (message.ready !== undefined) resolve(message.ready);
        const waiter = message.id === undefined ? undefined : pending.get(message.id);
        if (!waiter) return;
        pending.delete(message.id as number);
        if (message.error !== undefined) waiter.reject(new Error(`${name}: ${message.error}`));
        else waiter.resolve(message.value);
      },
    );
  });
  child.on('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited`));
    pending.clear();
  });
  const call = <T>(command: string, commandArgs?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, command, args: commandArgs });
    });
  let stopping: Promise<void> | undefined;
  return {
    name,
    pid: child.pid as number,
    ready,
    call,
    cpuMicros: () => call<number>('cpu'),
    rssMb: async () => Math.round((await call<number>('rss')) / 2 ** 20),
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await call('stop').catch(() => undefined);
        await exited;
        clearTimeout(timer);
      })()),
  };
}
