/**
 * Writes items with BatchWriteItem, 25 per request (its maximum). DynamoDB may accept a batch
 * only in part and hand the rest back as UnprocessedItems (throttling, partition limits): those
 * are retried with exponential backoff and full jitter, a bounded number of times, and whatever
 * is still unwritten then is an error that says how many items were lost.
 */
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { TypedItem } from '../../lib/items';

/** BatchWriteItem's limit on requests per call. */
export const BATCH_SIZE = 25;

/** The one call the writer makes; a `DynamoDBClient` fits, and so does a recorded fake. */
export interface BatchWriteClient {
  send(command: BatchWriteItemCommand): Promise<BatchWriteItemCommandOutput>;
}

export interface RetryPolicy {
  /** Calls per batch, the first included. Default 8. */
  maxAttempts: number;
  /** Backoff ceiling before the first retry; doubles with every retry. Default 50 ms. */
  baseDelayMs: number;
  /** Upper bound of any one wait. Default 5000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
};

export interface BatchWriteOptions {
  retry?: Partial<RetryPolicy>;
  /** Injected for tests: waiting and randomness. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called after each batch is fully written. */
  onBatchWritten?: (progress: { batch: number; batches: number; items: TypedItem[] }) => void;
  /** Called before each retry of unprocessed items. */
  onRetry?: (retry: {
    batch: number;
    attempt: number;
    unprocessed: number;
    delayMs: number;
  }) => void;
}

export interface BatchWriteResult {
  written: number;
  batches: number;
  /** Calls that had to be repeated for UnprocessedItems. */
  retries: number;
}

/** Some items were not written after every attempt; nothing after them was tried. */
export class UnwrittenItemsError extends Error {
  override readonly name = 'UnwrittenItemsError';
  constructor(
    readonly tableName: string,
    readonly unwritten: number,
    readonly total: number,
    readonly attempts: number,
  ) {
    super(
      `${unwritten} of ${total} items were not written to ${tableName}: DynamoDB still returned ` +
        `UnprocessedItems after ${attempts} attempts (throttled? raise the table's capacity or retry later)`,
    );
  }
}

/**
 * The wait before retry number `retry` (1-based): full jitter, i.e. uniformly random up to
 * an exponentially growing ceiling, so that concurrent writers do not retry in lockstep.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(random() * ceiling);
}

export async function batchWriteItems(
  client: BatchWriteClient,
  tableName: string,
  items: TypedItem[],
  opts: BatchWriteOptions = {},
): Promise<BatchWriteResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const batches = Math.ceil(items.length / BATCH_SIZE);
  let retries = 0;
  for (let batch = 0; batch < batches; batch++) {
    const batchItems = items.slice(batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE);
    let pending: WriteRequest[] = batchItems.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > policy.maxAttempts) {
        const notTried = items.length - (batch + 1) * BATCH_SIZE;
        throw new UnwrittenItemsError(
          tableName,
          pending.length + Math.max(0, notTried),
          items.length,
          policy.maxAttempts,
        );
      }
      if (attempt > 1) {
        const delayMs = backoffDelayMs(attempt - 1, policy, random);
        opts.onRetry?.({ batch: batch + 1, attempt, unprocessed: pending.length, delayMs });
        await sleep(delayMs);
        retries++;
      }
      const out = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
      );
      pending = out.UnprocessedItems?.[tableName] ?? [];
    }
    opts.onBatchWritten?.({ batch: batch + 1, batches, items: batchItems });
  }
  return { written: items.length, batches, retries };
}
