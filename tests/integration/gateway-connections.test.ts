/**
 * Connection handling of the local stage's HTTP front: bytes Node cannot parse that follow a
 * valid request on the same connection (pipelined garbage; a DELETE whose body was sent with
 * no Content-Length, so the body reads as the next request) must not overtake the valid
 * request's answer: the client reads the real answer first, the 400 after it.
 */
import net from 'node:net';
import type { RunningLocalStage } from '../../local/start';
import { putItem, send, startPackagedLocalStage, TEST_API_KEY } from '../helpers/local-stage';

let stage: RunningLocalStage;
beforeAll(async () => {
  stage = await startPackagedLocalStage();
});
afterAll(() => stage?.stop());

/** Writes `raw` on one connection and collects everything the server sends until it closes. */
function exchange(raw: string): Promise<string> {
  const { hostname, port } = new URL(stage.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => socket.write(raw));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const statusLines = (text: string) => [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1]);

describe('a valid request followed by unparsable bytes', () => {
  it('a PUT is answered 201 first, then the garbage gets its 400', async () => {
    const body = JSON.stringify({ pipelined: true });
    const text = await exchange(
      `PUT /${stage.stage}/conn/put HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `x-api-key: ${TEST_API_KEY}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
        '\u0001\u0002 NOT HTTP\r\n\r\n',
    );
    expect(statusLines(text)).toEqual(['201', '400']);
    const read = await send(stage.url, '/conn/put');
    expect(read.json).toMatchObject({ pipelined: true });
  });

  it('a DELETE with an unframed body is answered with its own status first', async () => {
    expect((await putItem(stage.url, '/conn/del', { doomed: true })).status).toBe(201);
    const text = await exchange(
      `DELETE /${stage.stage}/conn/del HTTP/1.1\r\nHost: x\r\nx-api-key: ${TEST_API_KEY}\r\n\r\n` +
        '{"a": 1}',
    );
    const [first] = statusLines(text);
    expect(first).toMatch(/^20\d$/);
    expect((await send(stage.url, '/conn/del')).status).toBe(404);
  });
});

describe("API Gateway's 10240-byte limit on all header values together", () => {
  /** Header values of exactly `bytes` bytes in total, Host and x-api-key included. */
  function headersTotalling(bytes: number): Record<string, string> {
    const host = `127.0.0.1:${new URL(stage.url).port}`;
    const fixed = Buffer.byteLength(host) + Buffer.byteLength(TEST_API_KEY) + 'close'.length;
    const rest = bytes - fixed;
    const headers: Record<string, string> = { 'x-api-key': TEST_API_KEY, Connection: 'close' };
    for (let i = 0; i * 1000 < rest; i++)
      headers[`x-fill-${i}`] = 'v'.repeat(Math.min(1000, rest - i * 1000));
    return headers;
  }

  it('exactly 10240 bytes is served; one byte more is 431 JSON', async () => {
    expect((await send(stage.url, '/conn/put', { headers: headersTotalling(10_240) })).status).toBe(
      200,
    );
    const over = await send(stage.url, '/conn/put', { headers: headersTotalling(10_241) });
    expect(over.status).toBe(431);
    expect(over.json).toEqual({ message: expect.any(String) });
  });
});
