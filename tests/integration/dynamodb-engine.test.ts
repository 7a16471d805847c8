/**
 * The embedded DynamoDB of the local stage, against every engine this machine can run
 * (dynamodb-local only where `java` runs). Each test starts its own engines on free ports and
 * stops them, so files and workers can run in parallel.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { callDynamoDb, DynamoDbUnreachableError } from '../../local/dynamodb/client';
import {
  isJavaAvailable,
  JavaNotFoundError,
  startDynamoDb,
  type DynamoDbEngineName,
  type RunningDynamoDb,
} from '../../local/dynamodb/engine';
import { loadDataDir, loadItems } from '../../local/dynamodb/load-items';
import { createTablesFromTemplate, TableSchemaMismatchError } from '../../local/dynamodb/tables';
import type { CfnTemplate } from '../../lib/cloudformation';
import { startDynaliteHost } from '../../local/dynamodb/dynalite-host';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'dynamodb', 'template.json');
const DATA_DIR = path.join(__dirname, '..', '..', 'data');
const TABLE = 'config-store-test';
const AUDIT_TABLE = 'config-store-test-audit';

function fixtureTemplate(): CfnTemplate {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as CfnTemplate;
}

const ENGINES: DynamoDbEngineName[] = isJavaAvailable()
  ? ['dynalite', 'dynamodb-local']
  : ['dynalite'];

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dynamodb-engine-test-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function call(endpoint: string, action: string, body: object) {
  const res = await callDynamoDb(endpoint, action, body);
  return { status: res.status, body: JSON.parse(res.body) as Record<string, any> };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const BROKEN_JSON_ANSWER: Record<DynamoDbEngineName, { status: number; type: RegExp }> = {
  dynalite: { status: 400, type: /#SerializationException$/ },
  'dynamodb-local': { status: 500, type: /#InternalFailure$/ },
};

const getItem = (endpoint: string, id: string, range: string) =>
  call(endpoint, 'GetItem', { TableName: TABLE, Key: { id: { S: id }, range: { S: range } } });

describe.each(ENGINES)('%s engine', (engine) => {
  let db: RunningDynamoDb;
  beforeAll(async () => {
    db = await startDynamoDb({ engine });
    await createTablesFromTemplate(fixtureTemplate(), db.endpoint);
  });
  afterAll(() => db?.stop());

  it('listens on 127.0.0.1 on a free port by default', () => {
    expect(db.engine).toBe(engine);
    expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('listens on a requested port, starts empty in memory and releases the port on stop', async () => {
    const port = await freePort();
    const other = await startDynamoDb({ engine, port });
    try {
      expect(other.endpoint).toBe(`http://127.0.0.1:${port}`);
      expect(await call(other.endpoint, 'ListTables', {})).toEqual({
        status: 200,
        body: { TableNames: [] },
      });
    } finally {
      await other.stop();
    }
    await other.stop(); // stopping twice is harmless
    expect(await portIsClosed(port)).toBe(true);
  });

  it('keeps tables and items across a restart with a data directory, used by one engine at a time', async () => {
    const dataDir = tempDir();
    const first = await startDynamoDb({ engine, dataDir });
    try {
      await expect(startDynamoDb({ engine, dataDir })).rejects.toThrow(
        `The DynamoDB data directory ${dataDir} is in use by process ${process.pid}`,
      );
      await createTablesFromTemplate(fixtureTemplate(), first.endpoint);
      await loadItems(first.endpoint, TABLE, [{ id: 'svc', range: 'kept', value: 'survives' }]);
    } finally {
      await first.stop();
    }
    const second = await startDynamoDb({ engine, dataDir });
    try {
      // Re-creating from the template on start-up must keep the existing table and its data.
      expect(await createTablesFromTemplate(fixtureTemplate(), second.endpoint)).toEqual([
        TABLE,
        AUDIT_TABLE,
      ]);
      const read = await getItem(second.endpoint, 'svc', 'kept');
      expect(read.body.Item?.value).toEqual({ S: 'survives' });
    } finally {
      await second.stop();
    }
    // Two engine starts in one test: a JVM start takes 10+ s on a loaded machine.
  }, 90_000);

  it('creates every table of the template with its keys, billing mode and indexes', async () => {
    const config = (await call(db.endpoint, 'DescribeTable', { TableName: TABLE })).body.Table;
    expect(config.TableStatus).toBe('ACTIVE');
    expect(config.KeySchema).toEqual([
      { AttributeName: 'id', KeyType: 'HASH' },
      { AttributeName: 'range', KeyType: 'RANGE' },
    ]);
    expect(config.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const audit = (await call(db.endpoint, 'DescribeTable', { TableName: AUDIT_TABLE })).body.Table;
    expect(audit.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName)).toEqual([
      'by-actor',
    ]);
    expect(audit.LocalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName)).toEqual([
      'by-id-actor',
    ]);
  });

  it('keeps an existing table with the same schema, items included', async () => {
    await loadItems(db.endpoint, TABLE, [{ id: 'svc', range: 'before-recreate', n: 1 }]);
    await createTablesFromTemplate(fixtureTemplate(), db.endpoint);
    expect((await getItem(db.endpoint, 'svc', 'before-recreate')).body.Item?.n).toEqual({ N: '1' });
  });

  it('refuses a table that exists with a different key schema, saying so', async () => {
    const changed = fixtureTemplate();
    const props = changed.Resources.ConfigTable.Properties ?? {};
    props.KeySchema = [{ AttributeName: 'id', KeyType: 'HASH' }];
    props.AttributeDefinitions = [{ AttributeName: 'id', AttributeType: 'S' }];
    const attempt = createTablesFromTemplate(changed, db.endpoint);
    await expect(attempt).rejects.toThrow(TableSchemaMismatchError);
    await expect(createTablesFromTemplate(changed, db.endpoint)).rejects.toThrow(
      /config-store-test already exists locally with a different schema: it has key \(id:S HASH, range:S RANGE\), the template declares key \(id:S HASH\)/,
    );
  });

  it('loads more than 25 items in batches and reads them back typed', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({
      id: 'batch',
      range: `r${String(i).padStart(3, '0')}`,
      n: i,
      nested: { list: [i, 'x', null, true, { deep: [1.5] }], empty: {} },
    }));
    expect(await loadItems(db.endpoint, TABLE, items)).toBe(60);
    const query = await call(db.endpoint, 'Query', {
      TableName: TABLE,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: 'batch' } },
      Select: 'COUNT',
    });
    expect(query.body.Count).toBe(60);
    const read = await getItem(db.endpoint, 'batch', 'r042');
    expect(read.body.Item).toEqual({
      id: { S: 'batch' },
      range: { S: 'r042' },
      n: { N: '42' },
      nested: {
        M: {
          list: {
            L: [
              { N: '42' },
              { S: 'x' },
              { NULL: true },
              { BOOL: true },
              { M: { deep: { L: [{ N: '1.5' }] } } },
            ],
          },
          empty: { M: {} },
        },
      },
    });
  });

  it('loads the sample data files, typed sets and binary included', async () => {
    const counts = await loadDataDir(db.endpoint, TABLE, DATA_DIR);
    expect(counts['items.json']).toBeGreaterThan(60);
    expect(counts['typed-items.json']).toBeGreaterThan(0);
    const keys = (await getItem(db.endpoint, 'security-service', 'signing-keys')).body.Item;
    expect(keys.publicKey).toEqual({
      B: 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=',
    });
    expect([...keys.rotatedKeys.BS].sort()).toEqual(
      ['AAECAwQFBgcICQ==', '/+7dzLuqmYh3ZlVEMyIRAA==', '8J+agA=='].sort(),
    );
    const escaping = (await getItem(db.endpoint, 'search-service', 'escaping')).body.Item;
    expect(escaping.mixed).toEqual({ S: '"\'\\</script>\n\u2028\u2029 é 中文 😀' });
  });

  it('passes DynamoDB errors through raw: HTTP 400 with the __type', async () => {
    const missing = await callDynamoDb(db.endpoint, 'Query', {
      TableName: 'no-such-table',
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: 'x' } },
    });
    expect(missing.status).toBe(400);
    expect(missing.headers['content-type']).toMatch(/^application\/x-amz-json-1\.0/);
    expect(JSON.parse(missing.body).__type).toMatch(/#ResourceNotFoundException$/);
    // The body goes out untouched: a broken template reaches DynamoDB broken. AWS (and
    // dynalite) answer 400 SerializationException; DynamoDB Local a 500 (docs/dynamodb-engines.md).
    const broken = await callDynamoDb(db.endpoint, 'GetItem', '{"TableName": ');
    const expected = BROKEN_JSON_ANSWER[engine];
    expect(broken.status).toBe(expected.status);
    expect(JSON.parse(broken.body).__type).toMatch(expected.type);
  });
});

describe('raw client', () => {
  it('rejects with DynamoDbUnreachableError when nothing listens', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const attempt = callDynamoDb(endpoint, 'ListTables', {});
    await expect(attempt).rejects.toThrow(DynamoDbUnreachableError);
    await expect(attempt).rejects.toMatchObject({ reason: 'refused', endpoint });
  });

  it('rejects with DynamoDbUnreachableError when DynamoDB does not answer in time', async () => {
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((socket) => accepted.add(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const attempt = callDynamoDb(endpoint, 'ListTables', {}, { timeoutMs: 200 });
      await expect(attempt).rejects.toMatchObject({
        name: 'DynamoDbUnreachableError',
        reason: 'timeout',
      });
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('dynamodb-local without Java', () => {
  it('fails with a readable error naming Java and the alternative', async () => {
    const saved = process.env.JAVA_HOME;
    process.env.JAVA_HOME = path.join(tempDir(), 'no-java-here');
    try {
      const attempt = startDynamoDb({ engine: 'dynamodb-local' });
      await expect(attempt).rejects.toThrow(JavaNotFoundError);
      await expect(startDynamoDb({ engine: 'dynamodb-local' })).rejects.toThrow(
        /needs Java 17 or newer.*was not found.*use the dynalite engine/s,
      );
    } finally {
      if (saved === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = saved;
    }
  });
});

describe('dynalite worker (local/dynamodb/dynalite-host.ts)', () => {
  it('replaces a worker that dynalite itself ended, so later requests are answered', async () => {
    const crashes: Error[] = [];
    const host = await startDynaliteHost(
      { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, maxItemSizeKb: 400 },
      (err) => crashes.push(err),
    );
    try {
      const endpoint = async () => `http://127.0.0.1:${await host.port()}`;
      const first = await endpoint();
      await call(first, 'CreateTable', {
        TableName: 'crash',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      // Straight at dynalite, past the adapter: a null inside a List is a TypeError thrown
      // from an event handler, which ends the worker.
      await expect(
        callDynamoDb(
          first,
          'PutItem',
          '{"TableName":"crash","Item":{"id":{"S":"a"},"x":{"L":[null]}}}',
          { timeoutMs: 5_000 },
        ),
      ).rejects.toThrow(DynamoDbUnreachableError);
      // The connection drops before the worker's exit is reported: wait for the report.
      for (let i = 0; i < 500 && crashes.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(crashes.map((err) => err.message)).toEqual([
        'Cannot convert undefined or null to object',
      ]);
      const second = await endpoint();
      expect(second).not.toBe(first);
      expect(await call(second, 'ListTables', {})).toEqual({
        status: 200,
        body: { TableNames: [] }, // in memory: the crashed worker's tables are gone
      });
    } finally {
      await host.stop();
    }
  });
});

describe('dynalite worker with a data directory', () => {
  it('keeps the data across a worker that dynalite ended', async () => {
    const crashes: Error[] = [];
    const host = await startDynaliteHost(
      {
        path: tempDir(),
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
        maxItemSizeKb: 400,
      },
      (err) => crashes.push(err),
    );
    try {
      const endpoint = async () => `http://127.0.0.1:${await host.port()}`;
      await call(await endpoint(), 'CreateTable', {
        TableName: 'crash',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      // The table turns ACTIVE a tick after CreateTable answers: write once it takes the item.
      let put = await call(await endpoint(), 'PutItem', {
        TableName: 'crash',
        Item: { id: { S: 'kept' } },
      });
      for (let i = 0; i < 100 && put.status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        put = await call(await endpoint(), 'PutItem', {
          TableName: 'crash',
          Item: { id: { S: 'kept' } },
        });
      }
      expect(put.status).toBe(200);
      await callDynamoDb(
        await endpoint(),
        'PutItem',
        '{"TableName":"crash","Item":{"id":{"S":"a"},"x":{"L":[null]}}}',
        { timeoutMs: 5_000 },
      ).catch(() => undefined);
      for (let i = 0; i < 500 && crashes.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(crashes).toHaveLength(1);
      const read = await call(await endpoint(), 'GetItem', {
        TableName: 'crash',
        Key: { id: { S: 'kept' } },
      });
      expect(read).toEqual({ status: 200, body: { Item: { id: { S: 'kept' } } } });
    } finally {
      await host.stop();
    }
  });
});
