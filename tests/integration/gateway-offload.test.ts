/**
 * Large bodies are validated and rendered in worker threads (local/gateway/offload.ts) so that
 * they do not stall other clients. The answers must not change: the same requests through a
 * gateway that does everything on the main thread, on the same DynamoDB, answer the same.
 */
import {
  buildApiModel,
  createGateway,
  readTemplate,
  serveGateway,
  type RunningServer,
} from '../../local/gateway';
import type { RunningLocalStage } from '../../local/start';
import {
  send,
  startPackagedLocalStage,
  TEST_API_KEY,
  type RawRequest,
} from '../helpers/local-stage';

let offloading: RunningLocalStage;
let mainThreadOnly: RunningServer;
let closeGateway: () => Promise<void>;

beforeAll(async () => {
  offloading = await startPackagedLocalStage();
  const template = readTemplate(offloading.templatePath);
  const api = buildApiModel(template, {});
  const gateway = createGateway(api, offloading.dynamoEndpoint, 'example.com', {});
  closeGateway = () => gateway.close();
  mainThreadOnly = await serveGateway(gateway, { port: 0, accessLog: () => undefined });
});

afterAll(async () => {
  await mainThreadOnly?.close();
  await closeGateway?.();
  await offloading?.stop();
});

const write = (body: string, headers: Record<string, string> = {}): RawRequest => ({
  method: 'PUT',
  headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY, ...headers },
  body,
});
const big = (chars: number) => 'x'.repeat(chars);
const CREATE_ONLY = { 'If-None-Match': '*' };
const TEXT = { 'content-type': 'text/plain' };
// Own properties (JSON.parse), not a prototype: header names are data on both threads.
const HOSTILE_HEADERS = JSON.parse(
  '{"__proto__": "x", "toString": "y", "if-none-match": "*"}',
) as Record<string, string>;

/**
 * [name, path, request, status]: the path follows a per-gateway id (`/offload-…`, `/main-…`),
 * so the two gateways write different items; their answers must not differ otherwise.
 */
const cases: [string, string, RawRequest, number][] = [
  ['a 300 KB item is created', '0/r', write(JSON.stringify({ note: big(300_000), n: 1.5 })), 201],
  ['and replaced', '0/r', write(JSON.stringify({ note: big(300_001), l: [1, 'a', null] })), 200],
  ['and read back in a 300 KB page', '0', { method: 'GET' }, 200],
  ['and read back alone', '0/r', { method: 'GET' }, 200],
  [
    'a create-only write of it',
    '0/r',
    write(JSON.stringify({ n: big(200_000) }), CREATE_ONLY),
    412,
  ],
  ['a 500 KB item, too large for DynamoDB', '1/r', write(JSON.stringify({ n: big(500_000) })), 400],
  ['a 200 KB body that is not JSON', '2/r', write(`{"note": "${big(200_000)}`), 400],
  ['a 200 KB JSON array', '3/r', write(JSON.stringify([big(200_000)])), 400],
  ['a 200 KB body of another media type', '4/r', write(big(200_000), TEXT), 415],
  [
    'a create-only write among headers named __proto__ and toString',
    '0/r',
    write(JSON.stringify({ n: big(200_000) }), HOSTILE_HEADERS),
    412,
  ],
];

describe('large bodies rendered off the main thread', () => {
  it.each(cases.map((c, i) => [i, ...c] as const))(
    '%i: %s answers as on the main thread',
    async (_i, _name, path, request, status) => {
      const offloaded = await send(offloading.url, `/offload-${path}`, request);
      const onMain = await send(mainThreadOnly.url, `/main-${path}`, request);
      const normalise = (body: string) => body.replace(/(offload|main)-\d+/g, 'ID');
      expect(offloaded.status).toBe(status);
      expect(onMain.status).toBe(status);
      expect(normalise(offloaded.body)).toBe(normalise(onMain.body));
      expect(offloaded.headers['content-type']).toBe(onMain.headers['content-type']);
    },
  );
});
