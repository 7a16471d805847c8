/**
 * The items `npm run seed` writes: read from `data/` (every `*.json`, in name order, as
 * `npm start` loads them) or from the files given with `--file`, converted to DynamoDB's
 * typed form and checked for the table's keys before anything is written.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { toTypedItem, type TypedItem } from '../../local/dynamodb/tables';
import { fromDynamoDbJsonItem } from '../../local/dynamodb/tables';
import { REPO_ROOT } from './stage-env';

export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, 'data');

/** The table's key schema (resources/table.ts): hash `id`, range `range`, both strings. */
export const KEY_ATTRIBUTES = ['id', 'range'] as const;

export interface SeedFile {
  file: string;
  items: TypedItem[];
}

/** A data file cannot be seeded as it is; the message names the file and the item. */
export class SeedDataError extends Error {
  override readonly name = 'SeedDataError';
}

/** `typed-*.json` holds DynamoDB JSON (sets, binary); every other file plain JSON. */
export function isDynamoDbJsonFile(file: string): boolean {
  return path.basename(file).startsWith('typed-');
}

/** The files to seed: the given ones as they are, a directory's `*.json` in name order. */
export function listSeedFiles(paths: string[]): string[] {
  return paths.flatMap((given) => {
    const resolved = path.resolve(given);
    let isDir: boolean;
    try {
      isDir = statSync(resolved).isDirectory();
    } catch {
      throw new SeedDataError(`${given} does not exist`);
    }
    if (!isDir) return [resolved];
    const names = readdirSync(resolved)
      .filter((name) => name.endsWith('.json'))
      .sort();
    if (names.length === 0) throw new SeedDataError(`${given} holds no *.json file`);
    return names.map((name) => path.join(resolved, name));
  });
}

export function readSeedFile(file: string): SeedFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SeedDataError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new SeedDataError(`${file}: expected a JSON array of items`);
  const items = parsed.map((item: unknown, i) => {
    const at = `${path.basename(file)}[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new SeedDataError(`${at}: expected an object, got ${JSON.stringify(item)}`);
    }
    try {
      const typed = isDynamoDbJsonFile(file)
        ? fromDynamoDbJsonItem(item, at)
        : toTypedItem(item as Record<string, unknown>, at);
      assertKeys(typed, at);
      return typed;
    } catch (err) {
      if (err instanceof SeedDataError) throw err;
      throw new SeedDataError(`${file}: ${(err as Error).message}`);
    }
  });
  return { file, items };
}

function assertKeys(item: TypedItem, at: string): void {
  for (const key of KEY_ATTRIBUTES) {
    const value: AttributeValue | undefined = item[key];
    if (value?.S === undefined || value.S === '') {
      throw new SeedDataError(
        `${at}: the key attribute ${key} must be a non-empty string, got ${JSON.stringify(value ?? null)}`,
      );
    }
  }
}

export function itemKey(item: TypedItem): { id: string; range: string } {
  return { id: item.id.S as string, range: item.range.S as string };
}

/**
 * All items of all files, later definitions of a key replacing earlier ones (as a second PUT
 * would; BatchWriteItem also refuses a batch holding one key twice), in first-seen order.
 */
export function uniqueByKey(files: SeedFile[]): { items: TypedItem[]; replaced: number } {
  const byKey = new Map<string, TypedItem>();
  let total = 0;
  for (const { items } of files) {
    for (const item of items) {
      const { id, range } = itemKey(item);
      byKey.set(JSON.stringify([id, range]), item);
      total++;
    }
  }
  return { items: [...byKey.values()], replaced: total - byKey.size };
}
