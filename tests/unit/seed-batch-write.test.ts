/** BatchWriteItem in batches of 25, retrying UnprocessedItems (recorded) with bounded backoff. */
import type { BatchWriteItemCommand, WriteRequest } from '@aws-sdk/client-dynamodb';
import {
  backoffDelayMs,
  batchWriteItems,
  DEFAULT_RETRY_POLICY,
  UnwrittenItemsError,
} from '../../local/dynamodb/batch-write';
import type { TypedItem } from '../../lib/items';
import { FakeClient, recorded, type Reply } from '../fixtures/scripts/fake-aws';

const TABLE = 'config-store-alice';
const done: Reply = { response: recorded('batch-write-item.done.json') };
const unprocessed: Reply = { response: recorded('batch-write-item.unprocessed.json') };
const unprocessedRequests = recorded<{ UnprocessedItems: Record<string, WriteRequest[]> }>(
  'batch-write-item.unprocessed.json',
).UnprocessedItems[TABLE];

function items(count: number): TypedItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: { S: 'feature-flags' },
    range: { S: `flag-${String(i).padStart(2, '0')}` },
  }));
}

function writer(replies: Reply[]) {
  const client = new FakeClient<BatchWriteItemCommand>(replies);
  const delays: number[] = [];
  const opts = {
    sleep: async (ms: number) => void delays.push(ms),
    random: () => 1, // the top of each jitter range: the ceilings themselves
  };
  const requestCounts = () => client.sent.map((input) => input.RequestItems?.[TABLE]?.length);
  return { client, delays, opts, requestCounts };
}

describe('batchWriteItems', () => {
  it.each([
    [1, [1]],
    [25, [25]],
    [26, [25, 1]],
    [60, [25, 25, 10]],
  ])('writes %i items in calls of at most 25: %j', async (count, calls) => {
    const { client, opts, requestCounts } = writer([done]);
    const result = await batchWriteItems(client, TABLE, items(count), opts);
    expect(requestCounts()).toEqual(calls);
    expect(result).toEqual({ written: count, batches: calls.length, retries: 0 });
  });

  it('retries exactly the UnprocessedItems DynamoDB handed back, after a backoff', async () => {
    const { client, delays, opts, requestCounts } = writer([unprocessed, done]);
    const result = await batchWriteItems(client, TABLE, items(10), opts);
    expect(requestCounts()).toEqual([10, 2]);
    expect(client.sent[1].RequestItems?.[TABLE]).toEqual(unprocessedRequests);
    expect(delays).toEqual([DEFAULT_RETRY_POLICY.baseDelayMs]);
    expect(result.retries).toBe(1);
  });

  it('gives up after maxAttempts and says how many items were not written', async () => {
    const { client, delays, opts } = writer([done, unprocessed]);
    const failure = batchWriteItems(client, TABLE, items(60), {
      ...opts,
      retry: { maxAttempts: 4 },
    });
    await expect(failure).rejects.toThrow(UnwrittenItemsError);
    // Batch 1 written; batch 2 left 2 unprocessed after 4 attempts; batch 3 (10) never tried.
    await expect(failure).rejects.toThrow(
      `12 of 60 items were not written to ${TABLE}: DynamoDB still returned UnprocessedItems after 4 attempts`,
    );
    expect(client.sent).toHaveLength(5);
    expect(delays).toEqual([50, 100, 200]);
  });

  it('reports progress per batch and per retry', async () => {
    const { client, opts } = writer([unprocessed, done]);
    const events: string[] = [];
    await batchWriteItems(client, TABLE, items(30), {
      ...opts,
      onRetry: (r) => events.push(`retry batch ${r.batch} attempt ${r.attempt}: ${r.unprocessed}`),
      onBatchWritten: (b) => events.push(`batch ${b.batch}/${b.batches}: ${b.items.length}`),
    });
    expect(events).toEqual(['retry batch 1 attempt 2: 2', 'batch 1/2: 25', 'batch 2/2: 5']);
  });
});

describe('backoffDelayMs', () => {
  const policy = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 1_000 };
  it.each([
    [1, 1, 50],
    [2, 1, 100],
    [3, 1, 200],
    [6, 1, 1_000],
    [20, 1, 1_000],
    [3, 0.5, 100],
    [3, 0, 0],
  ])(
    'retry %i with random %d waits %i ms (full jitter under a doubling ceiling)',
    (retry, random, ms) => {
      expect(backoffDelayMs(retry, policy, () => random)).toBe(ms);
    },
  );
});
