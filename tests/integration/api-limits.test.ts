/**
 * Requests at or past the HTTP limits still get a JSON error with CORS, never an empty
 * answer, and the server keeps serving: oversized request lines and headers, malformed HTTP,
 * bodies over API Gateway's 10 MB, items over DynamoDB's 400 KB.
 */
import net from 'node:net';
import type { RunningLocalStage } from '../../local/start';
import { send, startPackagedLocalStage, TEST_API_KEY } from '../helpers/local-stage';

let stage: RunningLocalStage;
beforeAll(async () => {
  stage = await startPackagedLocalStage();
});
afterAll(() => stage.stop());

/** Writes raw bytes to the server and reads the whole answer. */
function rawHttp(request: string): Promise<string> {
  const { port } = new URL(stage.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parse(answer: string) {
  const [head, body] = answer.split('\r\n\r\n', 2);
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const i = line.indexOf(':');
      return [line.slice(0, i).toLowerCase(), line.slice(i + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, json: JSON.parse(body) };
}

describe('requests past the HTTP limits', () => {
  it.each([
    ['a 20 KB path', `GET /local/${'x'.repeat(20_000)} HTTP/1.1\r\nHost: l\r\n\r\n`, 431],
    [
      'a 20 KB header',
      `GET /local/a HTTP/1.1\r\nHost: l\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
    ['malformed HTTP', 'GARBAGE\r\n\r\n', 400],
  ])('%s: JSON error with CORS, then the server still serves', async (_case, request, status) => {
    const answer = parse(await rawHttp(request));
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.json).toEqual({ message: expect.any(String) });
    expect((await send(stage.url, '/payments-service/config')).status).toBe(200);
  });

  it('a body over 10 MB: 413 JSON, nothing written', async () => {
    const res = await send(stage.url, '/limits/too-large-body', {
      method: 'PUT',
      headers: { 'x-api-key': TEST_API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ v: 'x'.repeat(10 * 1024 * 1024 + 1) }),
    });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ message: expect.any(String) });
    expect((await send(stage.url, '/limits/too-large-body')).status).toBe(404);
  });
});
