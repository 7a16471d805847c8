/**
 * Loads items into a table of the embedded DynamoDB: plain or DynamoDB JSON arrays, or every data
 * file of a directory read as lib/items.ts reads them (as `npm run seed` does).
 */
import path from 'node:path';
import {
  fromDynamoDbJsonItem,
  ItemFormatError,
  listItemFiles,
  readItemFile,
  toTypedItem,
  type TypedItem,
} from '../../lib/items';
import { adminClient, describeTable } from './admin-client';
import { batchWriteItems } from './batch-write';

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
      const missing = keyNames.filter((name) => !Object.hasOwn(item, name));
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
