/**
 * The items `npm run seed` writes: read from `data/` (every `*.json`, in name order, as
 * `npm start` loads them) or from the files given with `--file`, read by lib/items.ts as the
 * local stage reads them, and checked for the table's keys before anything is written.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { statSync } from 'node:fs';
import path from 'node:path';
import { ItemFormatError, listItemFiles, readItemFile, type TypedItem } from '../../lib/items';
import { REPO_ROOT } from '../../lib/stage-env';

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
    const files = listItemFiles(resolved);
    if (files.length === 0) throw new SeedDataError(`${given} holds no *.json file`);
    return files;
  });
}

export function readSeedFile(file: string): SeedFile {
  let items: TypedItem[];
  try {
    items = readItemFile(file);
  } catch (err) {
    if (err instanceof ItemFormatError) throw new SeedDataError(err.message, { cause: err });
    throw err;
  }
  items.forEach((item, i) => assertKeys(item, `${path.basename(file)}[${i}]`));
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
