/**
 * The item model shared by the local stage (which loads data/ into its embedded table) and
 * `npm run seed` (which writes data/ or `--file` into a deployed table), so both read the same
 * files the same way: items are plain JSON, stored in DynamoDB's typed form as the API's write
 * templates store them; files named `typed-*.json` hold DynamoDB JSON (for sets and binary).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** An item is not in the form its file says; the message names where (`file[i].attr`). */
export class ItemFormatError extends Error {
  override readonly name = 'ItemFormatError';
}

/** A plain JSON value, as the API accepts and returns it. */
export type PlainJson =
  string | number | boolean | null | PlainJson[] | { [key: string]: PlainJson };
export type TypedItem = Record<string, AttributeValue>;

/** Plain JSON → DynamoDB's typed form, as the API's write templates store it. */
export function toAttributeValue(value: unknown, at = '$'): AttributeValue {
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      if (!Number.isFinite(value))
        throw new ItemFormatError(`${at}: ${value} is not a JSON number`);
      return { N: String(value) };
    case 'boolean':
      return { BOOL: value };
    case 'object':
      if (Array.isArray(value))
        return { L: value.map((v, i) => toAttributeValue(v, `${at}[${i}]`)) };
      return { M: toTypedItem(value as Record<string, unknown>, at) };
    default:
      throw new ItemFormatError(`${at}: a ${typeof value} is not a JSON value`);
  }
}

export function toTypedItem(item: Record<string, unknown>, at = '$'): TypedItem {
  return Object.fromEntries(
    Object.entries(item).map(([key, value]) => [
      attributeName(key, at),
      toAttributeValue(value, `${at}.${key}`),
    ]),
  );
}

/** DynamoDB refuses an empty attribute name at any depth; say where it is before it does. */
function attributeName(name: string, at: string): string {
  if (name === '')
    throw new ItemFormatError(`${at}: an attribute name is empty (DynamoDB refuses it)`);
  return name;
}

const TYPE_TAGS = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * DynamoDB JSON as written in a data file → the SDK's form. The file holds the wire form,
 * where binary is base64; the SDK wants bytes (it base64-encodes them itself), so `B`/`BS`
 * are decoded here. The shape is checked on the way, so a data-file typo names itself.
 */
function fromDynamoDbJson(value: unknown, at: string): AttributeValue {
  const tags = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  if (tags.length !== 1 || !TYPE_TAGS.has(tags[0])) {
    throw new ItemFormatError(
      `${at}: expected a DynamoDB attribute value like {"S": "..."}, got ${JSON.stringify(value)}`,
    );
  }
  const tag = tags[0];
  const inner = (value as Record<string, unknown>)[tag];
  const bytes = (b64: unknown, where: string): Uint8Array => {
    if (typeof b64 !== 'string' || !BASE64.test(b64)) {
      throw new ItemFormatError(
        `${where}: binary values must be base64 strings, got ${JSON.stringify(b64)}`,
      );
    }
    return Buffer.from(b64, 'base64');
  };
  switch (tag) {
    case 'B':
      return { B: bytes(inner, `${at}.B`) };
    case 'BS':
      return { BS: (inner as unknown[]).map((b, i) => bytes(b, `${at}.BS[${i}]`)) };
    case 'M':
      return { M: fromDynamoDbJsonItem(inner, `${at}.M`) };
    case 'L':
      return { L: (inner as unknown[]).map((v, i) => fromDynamoDbJson(v, `${at}.L[${i}]`)) };
    default:
      return value as AttributeValue;
  }
}

/** A data-file item in DynamoDB JSON → the SDK's form. */
export function fromDynamoDbJsonItem(item: unknown, at: string): TypedItem {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new ItemFormatError(`${at}: expected an object of attributes`);
  }
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => [
      attributeName(name, at),
      fromDynamoDbJson(value, `${at}.${name}`),
    ]),
  );
}

/** `typed-*.json` holds DynamoDB JSON (sets, binary); every other file plain JSON. */
function isDynamoDbJsonFile(file: string): boolean {
  return path.basename(file).startsWith('typed-');
}

/** The `*.json` files of `dir`, in name order (the order later definitions win in). */
export function listItemFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** One data file's items, typed: a JSON array of objects, plain or DynamoDB JSON by its name. */
export function readItemFile(file: string): TypedItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ItemFormatError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ItemFormatError(`${file}: expected a JSON array of items`);
  return parsed.map((item: unknown, i) => {
    const at = `${path.basename(file)}[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new ItemFormatError(`${at}: expected an object, got ${JSON.stringify(item)}`);
    }
    return isDynamoDbJsonFile(file)
      ? fromDynamoDbJsonItem(item, at)
      : toTypedItem(item as Record<string, unknown>, at);
  });
}
