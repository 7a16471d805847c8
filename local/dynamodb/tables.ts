/**
 * Creates the tables a packaged CloudFormation template declares, and loads sample items, on
 * the embedded DynamoDB. Admin calls go through the AWS SDK (dummy credentials, the local
 * endpoint); the data path of the API goes through `callDynamoDb` instead.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import path from 'node:path';
import { LOCAL_REGION } from '../../lib/aws-constants';
import type { CfnTemplate } from '../../lib/cloudformation';
import {
  fromDynamoDbJsonItem,
  ItemFormatError,
  listItemFiles,
  readItemFile,
  toTypedItem,
  type TypedItem,
} from '../../lib/items';
import { batchWriteItems } from './batch-write';
import { LOCAL_CREDENTIALS } from './client';

/** A table in the template cannot be created locally as declared; the message says why. */
export class TableDefinitionError extends Error {
  override readonly name = 'TableDefinitionError';
}

/** The table already exists locally with another key schema (e.g. left in a data directory). */
export class TableSchemaMismatchError extends Error {
  override readonly name = 'TableSchemaMismatchError';
}

const TABLE_TYPE = 'AWS::DynamoDB::Table';

/** Properties that shape the table locally. */
const APPLIED_PROPERTIES = new Set([
  'TableName',
  'KeySchema',
  'AttributeDefinitions',
  'BillingMode',
  'ProvisionedThroughput',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
]);

/**
 * Properties that change nothing a local client can observe (backups, encryption, protection
 * against deletion, tags, capacity classes). TTL is among them: AWS deletes expired items
 * lazily (within days), so a client can never rely on an expired item being gone.
 */
const IGNORED_PROPERTIES = new Set([
  'PointInTimeRecoverySpecification',
  'SSESpecification',
  'DeletionProtectionEnabled',
  'Tags',
  'TimeToLiveSpecification',
  'ContributorInsightsSpecification',
  'TableClass',
  'StreamSpecification',
  'KinesisStreamSpecification',
  'ResourcePolicy',
  'WarmThroughput',
  'OnDemandThroughput',
]);

function adminClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    // A local engine that fails once will fail again; retries only hide the first error.
    maxAttempts: 1,
  });
}

/**
 * Creates every `AWS::DynamoDB::Table` of `template` on `endpoint`, as declared. A table that
 * already exists with the same keys and indexes is kept with its data; one with a different
 * schema is an error. Resolves with the table names, in template order.
 */
export async function createTablesFromTemplate(
  template: CfnTemplate,
  endpoint: string,
): Promise<string[]> {
  const inputs = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === TABLE_TYPE)
    .map(([logicalId, resource]) => createTableInput(logicalId, resource.Properties ?? {}));
  const client = adminClient(endpoint);
  try {
    for (const input of inputs) await ensureTable(client, input);
  } finally {
    client.destroy();
  }
  return inputs.map((input) => input.TableName as string);
}

function createTableInput(
  logicalId: string,
  props: Record<string, unknown>,
): CreateTableCommandInput {
  const where = `Resource ${logicalId} (${TABLE_TYPE})`;
  const unknown = Object.keys(props).filter(
    (name) => !APPLIED_PROPERTIES.has(name) && !IGNORED_PROPERTIES.has(name),
  );
  if (unknown.length > 0) {
    throw new TableDefinitionError(
      `${where}: the local stage does not know the propert${unknown.length > 1 ? 'ies' : 'y'} ` +
        `${unknown.join(', ')}; support it in local/dynamodb/tables.ts or remove it`,
    );
  }
  const tableName = props.TableName;
  if (typeof tableName !== 'string' || tableName === '') {
    throw new TableDefinitionError(
      `${where}: TableName must be a plain string in the packaged template to create the table ` +
        `locally, got ${tableName === undefined ? 'nothing (CloudFormation would generate one)' : JSON.stringify(tableName)}; ` +
        'set an explicit name that Serverless resolves at package time',
    );
  }
  const applied = Object.fromEntries(
    Object.entries(props).filter(([name]) => APPLIED_PROPERTIES.has(name)),
  );
  const intrinsic = findIntrinsic(applied, '');
  if (intrinsic) {
    throw new TableDefinitionError(
      `${where} (table ${tableName}): ${intrinsic.path.slice(1)} is the unresolved intrinsic ` +
        `${intrinsic.name}; the local stage needs plain values there`,
    );
  }
  const billingMode = (props.BillingMode as string | undefined) ?? 'PROVISIONED';
  const provisioned = billingMode === 'PROVISIONED';
  const throughput = (value: unknown) =>
    provisioned
      ? ((value as CreateTableCommandInput['ProvisionedThroughput']) ?? {
          ReadCapacityUnits: 1,
          WriteCapacityUnits: 1,
        })
      : undefined;
  const gsis = props.GlobalSecondaryIndexes as Record<string, unknown>[] | undefined;
  const lsis = props.LocalSecondaryIndexes as Record<string, unknown>[] | undefined;
  return {
    TableName: tableName,
    KeySchema: props.KeySchema as KeySchemaElement[],
    AttributeDefinitions:
      props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    BillingMode: billingMode as CreateTableCommandInput['BillingMode'],
    ProvisionedThroughput: throughput(props.ProvisionedThroughput),
    GlobalSecondaryIndexes: gsis?.map((index) => ({
      IndexName: index.IndexName as string,
      KeySchema: index.KeySchema as KeySchemaElement[],
      Projection: index.Projection as { ProjectionType: 'ALL' },
      ProvisionedThroughput: throughput(index.ProvisionedThroughput),
    })),
    LocalSecondaryIndexes: lsis?.map((index) => ({
      IndexName: index.IndexName as string,
      KeySchema: index.KeySchema as KeySchemaElement[],
      Projection: index.Projection as { ProjectionType: 'ALL' },
    })),
  };
}

function findIntrinsic(value: unknown, at: string): { path: string; name: string } | undefined {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findIntrinsic(item, `${at}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const intrinsic = keys.find((key) => key === 'Ref' || key.startsWith('Fn::'));
    if (keys.length === 1 && intrinsic) return { path: at, name: intrinsic };
    for (const [key, item] of Object.entries(value)) {
      const found = findIntrinsic(item, `${at}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

async function ensureTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  const existing = await describeTable(client, input.TableName as string);
  if (existing) {
    const want = schemaSignature(input);
    const have = schemaSignature(existing);
    if (want !== have) {
      throw new TableSchemaMismatchError(
        `Table ${input.TableName} already exists locally with a different schema: it has ${have}, ` +
          `the template declares ${want}. Delete the local data directory (or the table) to ` +
          'recreate it; its items will be lost.',
      );
    }
  } else {
    await client.send(new CreateTableCommand(input));
  }
  await waitUntilActive(client, input.TableName as string);
}

async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const table = await describeTable(client, tableName);
    if (table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new Error(`Table ${tableName} is still ${table?.TableStatus ?? 'absent'} after 30 s`);
    }
    await sleep(20);
  }
}

/** Keys, key attribute types and indexes, as one readable string that compares exactly. */
function schemaSignature(table: {
  KeySchema?: KeySchemaElement[];
  AttributeDefinitions?: { AttributeName?: string; AttributeType?: string }[];
  GlobalSecondaryIndexes?: { IndexName?: string; KeySchema?: KeySchemaElement[] }[];
  LocalSecondaryIndexes?: { IndexName?: string; KeySchema?: KeySchemaElement[] }[];
}): string {
  const types = new Map(
    (table.AttributeDefinitions ?? []).map((def) => [def.AttributeName, def.AttributeType]),
  );
  const keys = (schema: KeySchemaElement[] = []) =>
    schema.map((k) => `${k.AttributeName}:${types.get(k.AttributeName)} ${k.KeyType}`).join(', ');
  const indexes = (kind: string, list: { IndexName?: string; KeySchema?: KeySchemaElement[] }[]) =>
    list
      .map((index) => `${kind} ${index.IndexName} (${keys(index.KeySchema)})`)
      .sort()
      .join('; ');
  return [
    `key (${keys(table.KeySchema)})`,
    indexes('GSI', table.GlobalSecondaryIndexes ?? []),
    indexes('LSI', table.LocalSecondaryIndexes ?? []),
  ]
    .filter(Boolean)
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// Items

export interface LoadItemsOptions {
  /** `plain` (default): plain JSON, converted; `dynamodb-json`: already typed, sent as is. */
  format?: 'plain' | 'dynamodb-json';
  /** Where the items came from, for error messages. */
  source?: string;
}

/**
 * Writes `items` into `tableName` with BatchWriteItem (batch-write.ts: 25 at a time,
 * unprocessed items retried with backoff). Later items replace earlier ones with the same key, as
 * successive PutItems would. Resolves with the number of items written.
 */
export async function loadItems(
  endpoint: string,
  tableName: string,
  items: Record<string, unknown>[],
  opts: LoadItemsOptions = {},
): Promise<number> {
  const source = opts.source ?? tableName;
  if (!Array.isArray(items)) throw new ItemFormatError(`${source}: expected an array of items`);
  const typed = items.map((item, i) =>
    opts.format === 'dynamodb-json'
      ? fromDynamoDbJsonItem(item, `${source}[${i}]`)
      : toTypedItem(item, `${source}[${i}]`),
  );
  return writeItems(endpoint, tableName, typed, source);
}

/**
 * Loads every `*.json` file of `dir` into `tableName`, in name order, read as lib/items.ts reads
 * data files (as `npm run seed` does). Resolves with the number of items written per file.
 */
export async function loadDataDir(
  endpoint: string,
  tableName: string,
  dir: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const file of listItemFiles(dir)) {
    counts[path.basename(file)] = await writeItems(endpoint, tableName, readItemFile(file), file);
  }
  return counts;
}

async function writeItems(
  endpoint: string,
  tableName: string,
  typed: TypedItem[],
  source: string,
): Promise<number> {
  const client = adminClient(endpoint);
  try {
    const table = await describeTable(client, tableName);
    if (!table) throw new Error(`Cannot load ${source}: table ${tableName} does not exist`);
    const keyNames = (table.KeySchema ?? []).map((k) => k.AttributeName as string);
    // BatchWriteItem rejects a batch holding one key twice; the last definition wins.
    const byKey = new Map<string, TypedItem>();
    typed.forEach((item, i) => {
      const missing = keyNames.filter((name) => !(name in item));
      if (missing.length > 0) {
        throw new Error(`${source}[${i}] lacks the key attribute(s) ${missing.join(', ')}`);
      }
      byKey.set(JSON.stringify(keyNames.map((name) => item[name])), item);
    });
    const unique = [...byKey.values()];
    await batchWriteItems(client, tableName, unique);
    return unique.length;
  } finally {
    client.destroy();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
