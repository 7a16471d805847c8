/**
 * The engine adapter: what the local stage's `dynalite` endpoint really is. dynalite runs in a
 * worker thread (dynalite-host.ts) and this HTTP front, in the main thread, is the only thing
 * that talks to it:
 *
 * - Crash-proof: dynalite throws from its request `error` handler (a client that aborts or
 *   resets mid-body ends the process with `Error: aborted`) and from its action callbacks on
 *   internal errors. The front reads every request completely, with its own error handling and
 *   a size bound, before dynalite sees it, and a throw that still escapes dynalite ends only
 *   the worker: the front answers DynamoDB's 500 InternalServerError and starts a new worker.
 * - DynamoDB's rules (item-rules.ts): key and item sizes in UTF-8 bytes, empty attribute names,
 *   nesting depth, refused as DynamoDB refuses them.
 * - Names are data: dynalite copies items into plain objects, so an attribute named
 *   `__proto__` vanishes (at any depth). The front escapes such names on the way in and
 *   restores them on the way out (see `escapeName`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_REGION } from '../../lib/aws-constants';
import { DYNAMODB_CONTENT_TYPE, DYNAMODB_TARGET_PREFIX } from './client';
import {
  checkAttributes,
  checkItem,
  checkKey,
  ItemRuleViolation,
  type Item,
  type KeySchema,
} from './item-rules';

/** DynamoDB's HTTP request size limit, as dynalite enforces it (16 MB). */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** Where the front sends what it accepted: the worker's dynalite, on a loopback port. */
export interface DynaliteBackend {
  /** The current worker's port; waits while a crashed worker is being replaced. */
  port(): Promise<number>;
}

export interface DynaliteFront {
  endpoint: string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * dynalite stores items in plain objects, where `__proto__` is the prototype, not a key. Such
 * names travel to dynalite with a private-use prefix, and names that already start with the
 * prefix get one more, so the mapping is one-to-one and reversible.
 */
const ESCAPE = '\uE000';
const escapeName = (name: string): string =>
  name === '__proto__' || name.startsWith(ESCAPE) ? ESCAPE + name : name;
const unescapeName = (name: string): string =>
  name.startsWith(ESCAPE) ? name.slice(ESCAPE.length) : name;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of `item` with every attribute name (at any depth) passed through `rename`. */
function renameItem(item: unknown, rename: (name: string) => string): unknown {
  if (!isObject(item)) return item;
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(item)) out[rename(name)] = renameValue(value, rename);
  return out;
}

function renameValue(value: unknown, rename: (name: string) => string): unknown {
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = Object.create(null);
  for (const [tag, inner] of Object.entries(value)) {
    if (tag === 'M') out.M = renameItem(inner, rename);
    else if (tag === 'L' && Array.isArray(inner))
      out.L = inner.map((v: unknown) => renameValue(v, rename));
    else out[tag] = inner;
  }
  return out;
}

/** Does any attribute name at any depth need escaping? (Most requests: no, sent as they came.) */
function needsEscaping(item: unknown): boolean {
  if (!isObject(item)) return false;
  for (const [name, value] of Object.entries(item)) {
    if (escapeName(name) !== name) return true;
    if (!isObject(value)) continue;
    if (isObject(value.M) && needsEscaping(value.M)) return true;
    if (Array.isArray(value.L) && value.L.some((v: unknown) => needsEscaping({ v }))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Requests

type Body = Record<string, unknown>;

/** Items and keys of a request, by where they sit, so they can be checked and renamed. */
interface RequestParts {
  /** Whole items to be written. */
  items: { table: unknown; get: () => unknown; set: (v: unknown) => void }[];
  /** Primary keys. */
  keys: { table: unknown; get: () => unknown; set: (v: unknown) => void }[];
}

function partsOf(action: string, body: Body): RequestParts {
  const parts: RequestParts = { items: [], keys: [] };
  const slot = (holder: Record<string, unknown>, field: string) => ({
    get: () => holder[field],
    set: (v: unknown) => {
      holder[field] = v;
    },
  });
  switch (action) {
    case 'PutItem':
      parts.items.push({ table: body.TableName, ...slot(body, 'Item') });
      break;
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      parts.keys.push({ table: body.TableName, ...slot(body, 'Key') });
      break;
    case 'Query':
    case 'Scan':
      parts.keys.push({ table: body.TableName, ...slot(body, 'ExclusiveStartKey') });
      break;
    case 'BatchWriteItem':
      if (isObject(body.RequestItems)) {
        for (const [table, requests] of Object.entries(body.RequestItems)) {
          if (!Array.isArray(requests)) continue;
          for (const request of requests) {
            if (!isObject(request)) continue;
            if (isObject(request.PutRequest))
              parts.items.push({ table, ...slot(request.PutRequest, 'Item') });
            if (isObject(request.DeleteRequest))
              parts.keys.push({ table, ...slot(request.DeleteRequest, 'Key') });
          }
        }
      }
      break;
    case 'BatchGetItem':
      if (isObject(body.RequestItems)) {
        for (const [table, request] of Object.entries(body.RequestItems)) {
          if (!isObject(request) || !Array.isArray(request.Keys)) continue;
          const keys = request.Keys as unknown[];
          keys.forEach((_, i) => parts.keys.push({ table, ...slot(keys as never, String(i)) }));
        }
      }
      break;
  }
  return parts;
}

/**
 * Checks a parsed request against DynamoDB's rules and escapes names dynalite would lose.
 * Returns the body to forward, or undefined to forward the original bytes unchanged.
 */
async function prepareRequest(
  action: string,
  body: Body,
  keySchemaOf: (table: unknown) => Promise<KeySchema | undefined>,
): Promise<Body | undefined> {
  const parts = partsOf(action, body);
  for (const { table, get } of parts.items) {
    const item = get();
    if (isObject(item)) checkItem(item as Item, await keySchemaOf(table));
  }
  for (const { table, get } of parts.keys) {
    const key = get();
    if (!isObject(key)) continue;
    checkAttributes(key as Item);
    const schema = await keySchemaOf(table);
    if (schema) checkKey(key as Item, schema);
  }
  let changed = false;
  for (const part of [...parts.items, ...parts.keys]) {
    if (needsEscaping(part.get())) {
      part.set(renameItem(part.get(), escapeName));
      changed = true;
    }
  }
  if (isObject(body.ExpressionAttributeNames)) {
    for (const [placeholder, name] of Object.entries(body.ExpressionAttributeNames)) {
      if (typeof name === 'string' && escapeName(name) !== name) {
        body.ExpressionAttributeNames[placeholder] = escapeName(name);
        changed = true;
      }
    }
  }
  return changed ? body : undefined;
}

/** Restores escaped names in an answer: items, old attributes, keys, batch leftovers. */
function restoreNames(body: Body): Body {
  const restore = (v: unknown) => renameItem(v, unescapeName);
  for (const field of ['Item', 'Attributes', 'LastEvaluatedKey']) {
    if (isObject(body[field])) body[field] = restore(body[field]);
  }
  if (Array.isArray(body.Items)) body.Items = body.Items.map(restore);
  if (isObject(body.Responses)) {
    for (const [table, items] of Object.entries(body.Responses)) {
      if (Array.isArray(items)) body.Responses[table] = items.map(restore);
    }
  }
  if (isObject(body.UnprocessedItems)) {
    for (const requests of Object.values(body.UnprocessedItems)) {
      if (!Array.isArray(requests)) continue;
      for (const request of requests) {
        if (isObject(request) && isObject(request.PutRequest))
          request.PutRequest.Item = restore(request.PutRequest.Item);
        if (isObject(request) && isObject(request.DeleteRequest))
          request.DeleteRequest.Key = restore(request.DeleteRequest.Key);
      }
    }
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const jsonError = (status: number, type: string, message?: string): Answer => ({
  status,
  headers: { 'content-type': DYNAMODB_CONTENT_TYPE },
  body: JSON.stringify(message === undefined ? { __type: type } : { __type: type, message }),
});

const validationError = (message: string): Answer =>
  jsonError(400, 'com.amazon.coral.validate#ValidationException', message);

/** What DynamoDB answers when it fails itself; the gateway maps it to 503. */
const internalError = (): Answer =>
  jsonError(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error');

// Headers dynalite reads; everything else (hop-by-hop, content-length) is the front's business.
const FORWARDED_HEADERS = ['content-type', 'x-amz-target', 'authorization', 'x-amz-date', 'origin'];

const backendAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Forwarded {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/** The headers dynalite reads, from the client's request. */
function forwardedRequest(req: http.IncomingMessage): Forwarded {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return { method: req.method ?? 'POST', path: req.url ?? '/', headers };
}

function forward(
  port: number,
  request: Forwarded,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // No deadline here: the caller's own timeout ends its request to the front; dynalite
    // finishes what it started (so a write is either done or not, never torn by the front).
    const out = http.request(
      {
        agent: backendAgent,
        host: '127.0.0.1',
        port,
        method: request.method,
        path: request.path,
        headers: { ...request.headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 500,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

/** Reads the whole request; resolves undefined when it is over the size limit. */
function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)));
    // An aborted or reset request: nobody is left to answer; the caller only drops it.
    req.on('error', reject);
  });
}

export async function startDynaliteFront(
  backend: DynaliteBackend,
  port: number,
): Promise<DynaliteFront> {
  const keySchemas = new Map<string, KeySchema | undefined>();

  const describe = async (table: string): Promise<KeySchema | undefined> => {
    const body = Buffer.from(JSON.stringify({ TableName: table }));
    const res = await forward(
      await backend.port(),
      {
        method: 'POST',
        path: '/',
        headers: {
          'content-type': DYNAMODB_CONTENT_TYPE,
          'x-amz-target': `${DYNAMODB_TARGET_PREFIX}.DescribeTable`,
          // dynalite checks that a signature is present, not what it says.
          authorization: `AWS4-HMAC-SHA256 Credential=local/20200101/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
          'x-amz-date': '20200101T000000Z',
        },
      },
      body,
    );
    if (res.status !== 200) return undefined;
    const schema = (JSON.parse(res.body.toString('utf8')) as Body).Table as
      { KeySchema?: { AttributeName: string; KeyType: string }[] } | undefined;
    const partitionKey = schema?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
    if (partitionKey === undefined) return undefined;
    return {
      partitionKey,
      sortKey: schema?.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName,
    };
  };

  const keySchemaOf = async (table: unknown): Promise<KeySchema | undefined> => {
    if (typeof table !== 'string') return undefined;
    if (!keySchemas.has(table)) {
      const schema = await describe(table);
      // Only a table that exists is remembered: it may be created later.
      if (schema === undefined) return undefined;
      keySchemas.set(table, schema);
    }
    return keySchemas.get(table);
  };

  const answer = async (req: http.IncomingMessage, raw: Buffer): Promise<Answer> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith(`${DYNAMODB_TARGET_PREFIX}.`)
      ? target.slice(DYNAMODB_TARGET_PREFIX.length + 1)
      : '';
    if (action === 'DeleteTable' || action === 'CreateTable') keySchemas.clear();
    let toSend = raw;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      parsed = undefined; // dynalite answers SerializationException itself
    }
    if (isObject(parsed)) {
      try {
        const prepared = await prepareRequest(action, parsed, keySchemaOf);
        if (prepared) toSend = Buffer.from(JSON.stringify(prepared), 'utf8');
      } catch (err) {
        if (err instanceof ItemRuleViolation) return validationError(err.message);
        throw err;
      }
    }
    const res = await forward(await backend.port(), forwardedRequest(req), toSend);
    let text = res.body.toString('utf8');
    if (text.includes(ESCAPE)) {
      try {
        text = JSON.stringify(restoreNames(JSON.parse(text) as Body));
      } catch {
        // Not JSON: passed on as it is.
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (typeof value === 'string' && name !== 'content-length' && name !== 'x-amz-crc32')
        headers[name] = value;
    }
    return { status: res.status, headers, body: text };
  };

  const server = http.createServer((req, res) => {
    // A response to a client that has gone away fails quietly; nothing else is listening.
    res.on('error', () => undefined);
    readBody(req).then(
      async (raw) => {
        let reply: Answer;
        if (raw === undefined) {
          // DynamoDB's (and dynalite's) request size limit.
          reply = jsonError(413, 'com.amazon.coral.service#RequestEntityTooLarge');
        } else {
          try {
            reply = await answer(req, raw);
          } catch {
            reply = internalError();
          }
        }
        if (res.destroyed) return;
        res.writeHead(reply.status, {
          ...reply.headers,
          'content-length': String(Buffer.byteLength(reply.body)),
        });
        res.end(reply.body);
      },
      () => res.destroy(),
    );
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
