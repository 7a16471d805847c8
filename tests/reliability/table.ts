/**
 * Reads the table straight from DynamoDB (the stage's engine), bypassing the API: the ground
 * truth the suite compares the API's answers and its own model with.
 */
import { callDynamoDb } from '../../local/dynamodb/client';
import { canonicalItem, itemFromWire, type Item } from './dynamo-values';

/** id → range → item (with its id and range attributes). */
export type TableContents = Map<string, Map<string, Item>>;

interface Page {
  Items?: Record<string, unknown>[];
  LastEvaluatedKey?: Record<string, unknown>;
}

export class TableReader {
  constructor(
    readonly endpoint: string,
    readonly tableName: string,
  ) {}

  private async pages(action: 'Query' | 'Scan', request: object): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await callDynamoDb(
        this.endpoint,
        action,
        JSON.stringify({ ...request, ...(start ? { ExclusiveStartKey: start } : {}) }),
        { timeoutMs: 60_000 },
      );
      if (res.status !== 200) throw new Error(`${action} answered ${res.status}: ${res.body}`);
      const page = JSON.parse(res.body) as Page;
      for (const raw of page.Items ?? []) items.push(itemFromWire(raw));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Every item of one hash key, range → item. */
  async itemsOf(id: string): Promise<Map<string, Item>> {
    const items = await this.pages('Query', {
      TableName: this.tableName,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: id } },
      ConsistentRead: true,
    });
    return new Map(items.map((item) => [keyOf(item).range, item]));
  }

  async everything(): Promise<TableContents> {
    const contents: TableContents = new Map();
    for (const item of await this.pages('Scan', {
      TableName: this.tableName,
      ConsistentRead: true,
    })) {
      const { id, range } = keyOf(item);
      if (!contents.has(id)) contents.set(id, new Map());
      contents.get(id)!.set(range, item);
    }
    return contents;
  }
}

export function keyOf(item: Item): { id: string; range: string } {
  const get = (name: string): string => {
    const value = item.find(([k]) => k === name)?.[1];
    if (!value || !('S' in value)) throw new Error(`item without a string ${name}`);
    return value.S;
  };
  return { id: get('id'), range: get('range') };
}

/** Differences between two tables' contents, as readable lines (empty when equal). */
export function diffContents(expected: TableContents, actual: TableContents): string[] {
  const lines: string[] = [];
  const ids = new Set([...expected.keys(), ...actual.keys()]);
  for (const id of ids) {
    const want = expected.get(id) ?? new Map<string, Item>();
    const got = actual.get(id) ?? new Map<string, Item>();
    for (const range of new Set([...want.keys(), ...got.keys()])) {
      const w = want.get(range);
      const g = got.get(range);
      const wc = w && canonicalItem(w);
      const gc = g && canonicalItem(g);
      if (wc !== gc) {
        lines.push(
          `${JSON.stringify(id)}/${JSON.stringify(range)}: expected ${short(wc ?? 'absent')}, table has ${short(gc ?? 'absent')}`,
        );
      }
    }
  }
  return lines;
}

export function short(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
