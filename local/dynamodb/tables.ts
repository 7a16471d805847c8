/**
 * Creates the tables a packaged CloudFormation template declares on the embedded DynamoDB
 * (load-items.ts fills them). Admin calls go through the AWS SDK (admin-client.ts); the data
 * path of the API goes through `callDynamoDb` instead.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  type CreateTableCommandInput,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import type { CfnTemplate } from '../../lib/cloudformation';
import { adminClient, describeTable } from './admin-client';

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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
