/**
 * Runs the smoke checks against one API base URL, one after another, and deletes everything
 * they wrote in a `finally`, whatever failed. Reports each result as it comes.
 */
import { randomBytes } from 'node:crypto';
import { createApiClient, type FetchLike } from './http-client';
import { CheckFailure } from './smoke-assert';
import {
  itemPath,
  SMOKE_CHECKS,
  type KeyChoice,
  type SmokeCheck,
  type SmokeContext,
} from './smoke-checks';

export interface SmokeOptions {
  /** Base URL including the stage, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/alice`. */
  baseUrl: string;
  /** The writer key (`x-api-key`). */
  apiKey: string;
  /** Deadline of each request. Default 10000 ms. */
  timeoutMs?: number;
  /** Strings no error body may contain (the table name). Default: `config-store-`. */
  internalNames?: string[];
  /** Default: every check of smoke-checks.ts. */
  checks?: SmokeCheck[];
  /** Default: `smoke-<8 random hex digits>`. */
  prefix?: string;
  fetch?: FetchLike;
  onResult?: (result: CheckResult) => void;
}

export interface CheckResult {
  id: string;
  title: string;
  ok: boolean;
  ms: number;
  /** Why it failed. */
  error?: string;
}

export interface SmokeReport {
  prefix: string;
  results: CheckResult[];
  /** The cleanup as one more result: every item written, deleted. */
  cleanup: CheckResult;
  ok: boolean;
}

const WRONG_KEY = 'smoke-wrong-key-0000000000000000';

export async function runSmoke(opts: SmokeOptions): Promise<SmokeReport> {
  const prefix = opts.prefix ?? `smoke-${randomBytes(4).toString('hex')}`;
  const api = createApiClient({
    baseUrl: opts.baseUrl,
    timeoutMs: opts.timeoutMs ?? 10_000,
    fetch: opts.fetch,
  });
  const keyHeader = (key: KeyChoice = 'valid'): Record<string, string> =>
    key === 'none' ? {} : { 'x-api-key': key === 'valid' ? opts.apiKey : WRONG_KEY };
  const toDelete = new Map<string, { id: string; range: string }>();
  const ctx: SmokeContext = {
    api,
    prefix,
    internalNames: opts.internalNames ?? ['config-store-'],
    put: (id, range, body, write = {}) => {
      // Registered before it is sent: a write that lands but times out is still cleaned up.
      toDelete.set(itemPath(id, range), { id, range });
      return api.request('PUT', itemPath(id, range), {
        body,
        headers: { ...keyHeader(write.key), ...write.headers },
      });
    },
    get: (path) => api.request('GET', path),
    del: (id, range, del = {}) =>
      api.request('DELETE', itemPath(id, range), { headers: keyHeader(del.key) }),
  };
  const results: CheckResult[] = [];
  let cleanup: CheckResult;
  try {
    for (const check of opts.checks ?? SMOKE_CHECKS) {
      const result = await runCheck(check, ctx);
      results.push(result);
      opts.onResult?.(result);
    }
  } finally {
    cleanup = await deleteAll([...toDelete.values()], ctx);
    opts.onResult?.(cleanup);
  }
  return { prefix, results, cleanup, ok: [...results, cleanup].every((r) => r.ok) };
}

async function runCheck(check: SmokeCheck, ctx: SmokeContext): Promise<CheckResult> {
  const started = performance.now();
  const done = (error?: string): CheckResult => ({
    id: check.id,
    title: check.title,
    ok: error === undefined,
    ms: Math.round(performance.now() - started),
    error,
  });
  try {
    await check.run(ctx);
    return done();
  } catch (err) {
    // A CheckFailure is the contract broken; anything else (timeout, refused) is reported as is.
    const message = err instanceof Error ? err.message : String(err);
    return done(err instanceof CheckFailure ? message : `${(err as Error).name}: ${message}`);
  }
}

async function deleteAll(
  keys: { id: string; range: string }[],
  ctx: SmokeContext,
): Promise<CheckResult> {
  const started = performance.now();
  const failures: string[] = [];
  for (const { id, range } of keys) {
    try {
      const res = await ctx.del(id, range);
      if (res.status !== 204 && res.status !== 404) {
        failures.push(`DELETE ${itemPath(id, range)} → ${res.status}`);
      }
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  return {
    id: 'cleanup',
    title: `cleanup: delete the ${keys.length} keys written under ${ctx.prefix}`,
    ok: failures.length === 0,
    ms: Math.round(performance.now() - started),
    error:
      failures.length === 0
        ? undefined
        : `${failures.length} not deleted (delete them by hand): ${failures.join('; ')}`,
  };
}

/** `✔ title (12 ms)`, or `✘ title` followed by the reason, indented. */
export function formatResult(result: CheckResult): string {
  const line = `${result.ok ? '✔' : '✘'} ${result.title} (${result.ms} ms)`;
  return result.error ? `${line}\n    ${result.error.replace(/\n/g, '\n    ')}` : line;
}

export function formatSummary(report: SmokeReport, seconds: number): string {
  const all = [...report.results, report.cleanup];
  const failed = all.filter((r) => !r.ok);
  const counts = `${all.length - failed.length} passed, ${failed.length} failed`;
  return failed.length === 0
    ? `✔ smoke passed: ${counts} in ${seconds.toFixed(1)} s`
    : `✘ smoke FAILED: ${counts} in ${seconds.toFixed(1)} s — ${failed.map((r) => r.id).join(', ')}`;
}
