/**
 * No client can end the local stage. `npm start` (the CLI, in its own process, in memory) is
 * abused through the API and directly at its embedded DynamoDB endpoint; afterwards the process
 * must still run and the data written before must still be there.
 *
 * The reported crash: large PUTs whose DynamoDB call outlives the integration timeout; the
 * gateway aborts the call mid-body and dynalite rethrew the request's `aborted` error, ending
 * the process. Here the served template's integration timeout is lowered to 50 ms (a copy of
 * the packaged template) so the same abort happens in seconds instead of after 29 s.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { callDynamoDb } from '../../local/dynamodb/client';
import { send, TEST_API_KEY } from '../helpers/local-stage';
import { ROOT, templatePath } from '../helpers/packaged';

let cli: ChildProcessWithoutNullStreams | undefined;
let output = '';
let url = '';
let dynamoEndpoint = '';
const tempDir = mkdtempSync(path.join(os.tmpdir(), 'robustness-'));

/** The packaged `local` template with the PUT integrations' timeout at 50 ms. */
function shortTimeoutTemplate(): string {
  const template = JSON.parse(readFileSync(templatePath('local'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  };
  for (const resource of Object.values(template.Resources)) {
    const props = resource.Properties;
    if (resource.Type === 'AWS::ApiGateway::Method' && props.HttpMethod === 'PUT') {
      resource.Properties.Integration.TimeoutInMillis = 50;
    }
  }
  const file = path.join(tempDir, 'short-timeout.json');
  writeFileSync(file, JSON.stringify(template));
  return file;
}

function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = probe();
      if (value !== undefined) return resolve(value);
      if (cli?.exitCode !== null || Date.now() - started > timeoutMs) {
        return reject(new Error(`Gave up waiting for ${what}; output so far:\n${output}`));
      }
      setTimeout(tick, 20);
    };
    tick();
  });
}

const alive = () => cli !== undefined && cli.exitCode === null && cli.signalCode === null;

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' };
  delete env.DYNAMODB_ENDPOINT;
  cli = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register',
      path.join('local', 'cli.ts'),
      ...['--port', '0', '--in-memory', '--engine', 'dynalite', '--no-seed', '--quiet'],
      ...['--template', shortTimeoutTemplate()],
    ],
    { cwd: ROOT, env },
  );
  cli.stdout.on('data', (c: Buffer) => (output += c.toString()));
  cli.stderr.on('data', (c: Buffer) => (output += c.toString()));
  url = await waitFor('the stage URL', () => /ready: (http:\S+)/.exec(output)?.[1], 60_000);
  dynamoEndpoint = await waitFor(
    'the DynamoDB endpoint',
    () => /DynamoDB\s+(http:\S+)/.exec(output)?.[1],
    5_000,
  );
}, 90_000);

afterAll(() => {
  if (alive()) cli!.kill('SIGKILL');
  rmSync(tempDir, { recursive: true, force: true });
});

/** Raw bytes to a host:port, then end, destroy or reset the connection; resolves on close. */
function rawExchange(
  endpoint: string,
  chunks: (string | Buffer)[],
  how: 'end' | 'destroy' | 'reset',
) {
  const { hostname, port } = new URL(endpoint);
  return new Promise<void>((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      for (const chunk of chunks) socket.write(chunk);
      setTimeout(() => {
        if (how === 'reset') socket.resetAndDestroy();
        else if (how === 'destroy') socket.destroy();
        else socket.end();
      }, 30);
    });
    socket.on('error', () => undefined);
    socket.resume(); // read (and drop) any answer, so the server's close is seen
    socket.on('close', () => resolve());
  });
}

const aborted = (declaredBytes: number, sentBytes: number) =>
  'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n' +
  'X-Amz-Target: DynamoDB_20120810.PutItem\r\n' +
  `Content-Length: ${declaredBytes}\r\n\r\n` +
  '{"TableName":"x","Item":'.padEnd(sentBytes, ' ');

describe('the local stage (npm start) survives its clients', () => {
  it('keeps running, data intact, after abuse through the API and at the engine endpoint', async () => {
    // Written straight to the engine: the API's PUT has the 50 ms timeout.
    const tables = JSON.parse((await callDynamoDb(dynamoEndpoint, 'ListTables', {})).body);
    const table = (tables as { TableNames: string[] }).TableNames[0];
    const kept = await callDynamoDb(dynamoEndpoint, 'PutItem', {
      TableName: table,
      Item: { id: { S: 'robust' }, range: { S: 'kept' }, value: { S: 'before the abuse' } },
    });
    expect(kept.status).toBe(200);

    // 1. The reported crash: PUTs whose DynamoDB call is aborted mid-body by the gateway's
    //    integration timeout (50 ms here). Each gets a gateway error, none ends the process.
    const big = JSON.stringify({ a: new Array(80_000).fill(0) });
    const puts = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        send(url, `/robust/big-${i}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
          body: big,
        }),
      ),
    );
    for (const res of puts) {
      expect([201, 504]).toContain(res.status);
      expect(res.json).toHaveProperty('message');
    }
    expect(puts.some((res) => res.status === 504)).toBe(true);

    // 2. Straight at the engine: bodies cut off, connections reset, garbage, slow senders,
    //    and a body over DynamoDB's 16 MB request limit.
    await rawExchange(dynamoEndpoint, [aborted(100_000, 5_000)], 'destroy');
    await rawExchange(dynamoEndpoint, [aborted(100_000, 5_000)], 'reset');
    await rawExchange(dynamoEndpoint, ['GARBAGE \u0000\r\n\r\n'], 'end');
    await rawExchange(dynamoEndpoint, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Le'], 'destroy');
    const oversize = await callDynamoDb(dynamoEndpoint, 'PutItem', 'x'.repeat(17 * 1024 * 1024));
    expect(oversize.status).toBe(413);
    // ... and the same at the API: a PUT cut off mid-body, reset, garbage.
    const stagePath = new URL(url).pathname;
    const cutPut = (declared: number) =>
      `PUT ${stagePath}/robust/cut HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
      `x-api-key: ${TEST_API_KEY}\r\nContent-Length: ${declared}\r\n\r\n{"a": [` +
      '0,'.repeat(1000);
    await rawExchange(url, [cutPut(100_000)], 'destroy');
    await rawExchange(url, [cutPut(100_000)], 'reset');
    await rawExchange(url, ['\u0000\u0001 NOT HTTP\r\n\r\n'], 'end');
    // 3. Engine errors are DynamoDB errors, not crashes.
    const broken = await callDynamoDb(dynamoEndpoint, 'PutItem', '{"TableName": ');
    expect(broken.status).toBe(400);

    // The process is still there, and so is the data.
    expect(alive()).toBe(true);
    const read = await send(url, '/robust/kept');
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ value: 'before the abuse' });
    expect(alive()).toBe(true);
    expect(output).not.toMatch(/Error: aborted|uncaught/i);
  }, 60_000);
});
