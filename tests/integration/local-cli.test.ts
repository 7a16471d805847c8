/**
 * `npm start` as a user runs it: the CLI on a free port (`--port 0`) over an in-memory engine,
 * serving the packaged template. It must print its endpoint and a `curl` line that works, log one
 * access-log line per request, and stop cleanly (exit 0) on Ctrl-C.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { ROOT, templatePath } from '../helpers/packaged';

const ACCESS_LOG = /^(GET|PUT|DELETE|OPTIONS|POST|PATCH) \/\S+ \d{3} \d+\.\d ms$/;

let cli: ChildProcessWithoutNullStreams | undefined;
let output = '';

afterAll(() => {
  // Only if a test failed half-way: the child is ours, stopped by its pid.
  if (cli && cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
});

function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = probe();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) {
        return reject(new Error(`Timed out waiting for ${what}; output so far:\n${output}`));
      }
      setTimeout(tick, 20);
    };
    tick();
  });
}

const lines = () => output.split('\n').map((line) => line.trim());

describe('npm start (local/cli.ts)', () => {
  it('--port 0 prints the real endpoint and a working curl line, logs each request, exits 0 on SIGINT', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' };
    delete env.PORT;
    delete env.DYNAMODB_ENDPOINT;
    cli = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register',
        path.join('local', 'cli.ts'),
        '--port',
        '0',
        '--in-memory',
        '--engine',
        'dynalite',
        '--template',
        path.relative(ROOT, templatePath('local')),
      ],
      { cwd: ROOT, env },
    );
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      cli!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

    await waitFor(
      'the banner',
      () => (output.includes('Ctrl-C stops it.') ? true : undefined),
      // Start-up took 8-11 s here with a load average of 20+ on 2 cores: wait for the line.
      60_000,
    );
    const endpoint = /ready: (http:\/\/127\.0\.0\.1:(\d+)\/local)\b/.exec(output);
    expect(endpoint).not.toBeNull();
    expect(Number(endpoint![2])).toBeGreaterThan(0);
    const curls = [...output.matchAll(/curl -s (http:\/\/\S+)$/gm)].map((m) => m[1]);
    expect(curls).toHaveLength(2);
    expect(curls.every((url) => url.startsWith(`${endpoint![1]}/`))).toBe(true);

    for (const url of curls) {
      const res = await fetch(url);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      expect(await res.json()).toEqual(expect.any(Object));
    }
    const logged = await waitFor(
      'an access-log line per request',
      () => {
        const found = lines().filter((line) => ACCESS_LOG.test(line));
        return found.length >= curls.length ? found : undefined;
      },
      30_000,
    );
    expect(logged.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(
      curls.map((url) => `GET ${new URL(url).pathname} 200`),
    );

    cli.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output).toContain('SIGINT: stopping the local stage');
    expect(lines().filter((line) => ACCESS_LOG.test(line))).toHaveLength(curls.length);
  }, 90_000);
});

describe('npm start --port 4000, without --', () => {
  it('says that npm took the option and how to pass it on', async () => {
    // What npm 11 leaves us: the option in its own config (npm_config_port), the value as an
    // argument (checked with `npm run <script> --port 4000` printing its env and arguments).
    const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' };
    env.npm_config_port = 'true';
    const child = spawn(process.execPath, ['-r', 'ts-node/register', 'local/cli.ts', '4000'], {
      cwd: ROOT,
      env,
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(text).toContain(
      "npm took --port as its own option: put -- before the local stage's options, e.g. npm start -- --port 4000",
    );
  }, 90_000);
});

describe('npm start on a port that is taken', () => {
  it('fails at once, saying so and what to do, before starting anything', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' };
      delete env.PORT;
      const child = spawn(
        process.execPath,
        ['-r', 'ts-node/register', 'local/cli.ts', '--port', String(port), '--in-memory'],
        { cwd: ROOT, env },
      );
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(text).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(text).toContain('--port <n>');
      expect(text).not.toContain('Packaging');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 90_000);
});
