/**
 * Local stage helpers for integration tests: start the packaged `local` stage on a free port
 * over an in-memory DynamoDB, and send raw HTTP (header names and path bytes exactly as given).
 */
import http from 'node:http';
import path from 'node:path';
import { isJavaAvailable, type DynamoDbEngineName } from '../../local/dynamodb/engine';
import { startLocalStage, type LocalStageOptions, type RunningLocalStage } from '../../local/start';
import { TEST_API_KEY, templatePath } from './packaged';

export { TEST_API_KEY };

/** dynalite always; DynamoDB Local too when Java runs here. */
export const TEST_ENGINES: DynamoDbEngineName[] = [
  'dynalite',
  ...(isJavaAvailable() ? (['dynamodb-local'] as const) : []),
];

/**
 * The items the HTTP tests rely on (ids, ranges, attribute values), kept apart from data/ so
 * that the sample data can change without breaking them.
 */
export const API_TEST_ITEMS_DIR = path.join(__dirname, '..', 'fixtures', 'api-items');

/**
 * The `local` stage packaged by tests/global-setup.ts (API_KEY = TEST_API_KEY), its table
 * seeded from API_TEST_ITEMS_DIR unless `seed: false`.
 */
export function startPackagedLocalStage(
  opts: Partial<LocalStageOptions> = {},
): Promise<RunningLocalStage> {
  return startLocalStage({
    port: 0,
    inMemory: true,
    template: templatePath('local'),
    sampleDataDir: API_TEST_ITEMS_DIR,
    log: () => undefined,
    ...opts,
  });
}

export interface RawResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** `url` is the stage URL; `path` is sent byte for byte (encode it yourself). */
export function send(url: string, path: string, req: RawRequest = {}): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method ?? 'GET',
        path: `${target.pathname}${path}`,
        headers: {
          ...(req.body !== undefined
            ? { 'Content-Length': String(Buffer.byteLength(req.body)) }
            : {}),
          ...req.headers,
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({ status: res.statusCode ?? 0, headers, body, json });
        });
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Writes with the test key and a JSON body. */
export function putItem(
  url: string,
  path: string,
  item: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return send(url, path, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', 'x-api-key': TEST_API_KEY, ...headers },
    body: JSON.stringify(item),
  });
}

/** Internal details an error body must never show. */
export const INTERNAL_DETAIL =
  /config-store|arn:aws|__type|com\.amazon|Exception|\bat .+:\d+|Table/;
