/**
 * `npm start` as a child process, the way a user runs it: output collected, lines waited for
 * (never slept on: the machine may be loaded), stopped with Ctrl-C (SIGINT to its process group,
 * which is npm and the local stage under it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './packaged';

/** Waits for lines for up to this long: start-up packages the service, slow under load. */
export const LINE_TIMEOUT_MS = 120_000;

export interface NpmStart {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /**
   * Resolves with the first match of `pattern` in the output after `from` (an offset into
   * `output()`), rejects after LINE_TIMEOUT_MS with the output so far.
   */
  waitFor(pattern: RegExp, from?: number): Promise<RegExpMatchArray & { end: number }>;
  /** Ctrl-C; resolves when npm has exited. */
  stop(): Promise<void>;
  /** Kills the group if a test left it running (afterAll). */
  kill(): void;
}

export function npmStart(cwd: string, args: string[]): NpmStart {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // Not npm's own variables from the `npm test` around us (npm_config_port, ...), nor
    // settings that would point the stage elsewhere.
    if (name.startsWith('npm_') || ['PORT', 'DYNAMODB_ENDPOINT', 'API_KEY'].includes(name)) {
      continue;
    }
    env[name] = value;
  }
  const child = spawn('npm', ['start', '--', ...args], { cwd, env, detached: true });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
    for (const listener of listeners) listener();
  });

  const waitFor = (pattern: RegExp, from = 0) =>
    new Promise<RegExpMatchArray & { end: number }>((resolve, reject) => {
      const check = () => {
        const rest = output.slice(from);
        const match = pattern.exec(rest);
        if (match) {
          done();
          return resolve(
            Object.assign(match, { end: from + (match.index ?? 0) + match[0].length }),
          );
        }
        if (exitCode !== undefined) {
          done();
          reject(new Error(`npm start exited (${exitCode}) before ${pattern}; output:\n${output}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Timed out waiting for ${pattern}; output so far:\n${output}`));
      }, LINE_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  const signal = (name: NodeJS.Signals) => {
    if (child.pid !== undefined && exitCode === undefined) process.kill(-child.pid, name);
  };
  return {
    child,
    output: () => output,
    waitFor,
    stop: async () => {
      signal('SIGINT');
      await exited;
    },
    kill: () => signal('SIGKILL'),
  };
}

/**
 * The project as `npm start` sees it, copied to a temporary directory: every top-level entry
 * but the ones it never reads (node_modules is linked; hidden files are local state).
 */
export function copyProject(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'project-copy-'));
  const skipped = new Set(['node_modules', 'tests', 'bench', 'docs', 'coverage']);
  for (const name of readdirSync(ROOT)) {
    if (name.startsWith('.') || skipped.has(name)) continue;
    cpSync(path.join(ROOT, name), path.join(dir, name), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
