/**
 * Reload on change through a real `npm start`, in a temporary copy of the project: editing a
 * template in vtl/ changes the next answer without a restart (same port, data, key and open
 * connection); a broken edit keeps the last good API serving and prints the error once, naming
 * the vtl/ file and line, the method and the content type; Ctrl-C says when it has stopped.
 * One child process for the whole file: each test builds on the previous one.
 */
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyProject, LINE_TIMEOUT_MS, npmStart, type NpmStart } from '../helpers/npm-start';

jest.setTimeout(4 * LINE_TIMEOUT_MS);

let project: { dir: string; remove(): void };
let stage: NpmStart;
let url: string;
let apiKey: string;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

const templateFile = () => path.join(project.dir, 'vtl', 'get-item.response.vtl');
const editTemplate = (edit: (text: string) => string) =>
  writeFileSync(templateFile(), edit(readFileSync(templateFile(), 'utf8')));

interface Answer {
  status: number;
  body: string;
  reusedSocket: boolean;
}

/** A request on the shared keep-alive agent; `beforeEnd` runs after the first body part. */
function request(
  method: string,
  pathname: string,
  body?: [string, string],
  beforeEnd?: () => Promise<void>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${pathname}`,
      {
        method,
        agent,
        headers: body
          ? {
              'x-api-key': apiKey,
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(body.join(''))),
            }
          : {},
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text.trim(),
            reusedSocket: req.reusedSocket,
          }),
        );
      },
    );
    req.on('error', reject);
    if (!body) return req.end();
    req.write(body[0]);
    (beforeEnd ?? (async () => undefined))().then(() => req.end(body[1]), reject);
  });
}

beforeAll(async () => {
  project = copyProject();
  stage = npmStart(project.dir, ['--port', '0', '--in-memory', '--trace']);
  await stage.waitFor(/Ctrl-C stops it\./);
  url = /ready: (http:\/\/127\.0\.0\.1:\d+\/local)\b/.exec(stage.output())![1];
  apiKey = /^\s*API key\s+(\S+)$/m.exec(stage.output())![1];
});

afterAll(() => {
  agent.destroy();
  stage?.kill();
  project?.remove();
});

it('starts without the AWS SDK Node-version warning and says it reloads on change', () => {
  expect(stage.output()).not.toMatch(/NodeVersionSupportWarning/);
  expect(stage.output()).toMatch(/Reloads when serverless\.ts, resources\/, vtl\/ or \.env/);
});

it('serves an edited template from the next request on: same port, data, key and connection', async () => {
  expect(await request('PUT', '/svc/kept', ['{"v":', '1}'])).toMatchObject({ status: 201 });
  expect(await request('GET', '/svc/missing')).toMatchObject({
    status: 404,
    body: '{"message": "Not found"}',
  });

  const from = stage.output().length;
  // A write whose body is still arriving while the API is swapped: its connection stays open.
  const inFlight = request('PUT', '/svc/during', ['{"v":', '2}'], async () => {
    editTemplate((text) => text.replace('{"message": "Not found"}', '{"message": "No such item"}'));
    await stage.waitFor(/Reloaded in [\d.]+ s/, from);
  });
  expect(await inFlight).toMatchObject({ status: 201 });
  const changed = await request('GET', '/svc/missing');
  expect(changed).toEqual({ status: 404, body: '{"message": "No such item"}', reusedSocket: true });

  expect(JSON.parse((await request('GET', '/svc/kept')).body)).toEqual({
    id: 'svc',
    range: 'kept',
    v: 1,
  });
  expect(await request('PUT', '/svc/kept', ['{"v":', '3}'])).toMatchObject({ status: 200 });
  expect(stage.output().slice(from)).toContain('Changed: vtl/get-item.response.vtl: reloading');
});

it('prints each request as API Gateway execution-log steps with the key masked', async () => {
  const from = stage.output().length;
  await request('PUT', '/svc/traced', ['{"v":', '4}']);
  const { end } = await stage.waitFor(/Method completed with status: 201/, from);
  const trace = stage.output().slice(from, end);
  expect(trace).toMatch(/Method request path: \{id=svc, range=traced\}/);
  expect(trace).toMatch(/Method request headers: \{.*x-api-key=\*\*\*\*\w{4}\b/);
  expect(trace).not.toContain(apiKey);
  expect(trace).toMatch(/Endpoint request body after transformations:[\s\S]*"TableName"/);
  expect(trace).toMatch(/Received response: Status: 200, Integration latency: [\d.]+ ms/);
  expect(trace).toMatch(/Method response body after transformations:\s*\{\s*"id":\s*"svc"/);
});

it('a broken edit keeps the last good API serving and prints the error once, with file and line', async () => {
  const from = stage.output().length;
  // Line 3 of get-item.response.vtl becomes a directive that does not parse.
  editTemplate((text) => text.replace(/^(.*\n.*\n)/, '$1#if($broken\n'));
  const failure = await stage.waitFor(/Reload failed[^\n]*\n(.*)\n/, from);
  expect(failure[1]).toContain('GetItemMethod');
  expect(failure[1]).toContain('application/json');
  expect(failure[1]).toContain('vtl/get-item.response.vtl:3');

  expect(await request('GET', '/svc/missing')).toMatchObject({
    status: 404,
    body: '{"message": "No such item"}',
  });

  // Fixed again: exactly one failure was printed for the broken edit.
  editTemplate((text) => text.replace('#if($broken\n', ''));
  const { end } = await stage.waitFor(/Reloaded in [\d.]+ s/, from);
  expect(
    stage
      .output()
      .slice(from, end)
      .match(/Reload failed/g),
  ).toHaveLength(1);
});

it('Ctrl-C stops it and says so', async () => {
  // npm, the parent, ends by the same signal; the local stage under it exits 0 after this line.
  await stage.stop();
  expect(stage.output()).toMatch(/SIGINT: stopping the local stage \.\.\.\nStopped\./);
});
