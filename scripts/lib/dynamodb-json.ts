/**
 * DynamoDB JSON as written in `typed-*.json` data files (the wire form) → the SDK's form.
 * Only binary differs: the file holds base64, the SDK wants bytes and encodes them itself.
 *
 * local/dynamodb/tables.ts has the same decoder privately (its `loadItems` only talks to a
 * local endpoint); once it exports it, this module should re-export that one instead.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { TypedItem } from '../../local/dynamodb/tables';

const TYPE_TAGS = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function fromDynamoDbJsonItem(item: unknown, at: string): TypedItem {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new TypeError(`${at}: expected an object of attributes`);
  }
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => [name, fromDynamoDbJson(value, `${at}.${name}`)]),
  );
}

function fromDynamoDbJson(value: unknown, at: string): AttributeValue {
  const tags = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  if (tags.length !== 1 || !TYPE_TAGS.has(tags[0])) {
    throw new TypeError(
      `${at}: expected a DynamoDB attribute value like {"S": "..."}, got ${JSON.stringify(value)}`,
    );
  }
  const tag = tags[0];
  const inner = (value as Record<string, unknown>)[tag];
  switch (tag) {
    case 'B':
      return { B: base64Bytes(inner, `${at}.B`) };
    case 'BS':
      return { BS: asArray(inner, at).map((b, i) => base64Bytes(b, `${at}.BS[${i}]`)) };
    case 'M':
      return { M: fromDynamoDbJsonItem(inner, `${at}.M`) };
    case 'L':
      return { L: asArray(inner, at).map((v, i) => fromDynamoDbJson(v, `${at}.L[${i}]`)) };
    default:
      return value as AttributeValue;
  }
}

function asArray(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${at}: expected an array`);
  return value;
}

function base64Bytes(value: unknown, at: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) {
    throw new TypeError(
      `${at}: binary values must be base64 strings, got ${JSON.stringify(value)}`,
    );
  }
  return Buffer.from(value, 'base64');
}
