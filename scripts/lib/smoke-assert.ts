/** Assertions of the smoke checks: a failure says what was expected and what came back. */
import { isDeepStrictEqual } from 'node:util';
import type { ApiResponse } from './http-client';

/** A check's expectation was not met; the message is printed under the ✘ line. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

/** `GET /x → 500 "first part of the body"`, for failure messages. */
export function describeResponse(res: ApiResponse): string {
  const body = res.text.length > 120 ? `${res.text.slice(0, 120)}…` : res.text;
  return `${res.method} ${res.path} → ${res.status} ${JSON.stringify(body)}`;
}

export function expectStatus(res: ApiResponse, status: number): void {
  if (res.status !== status) {
    throw new CheckFailure(`expected ${status}, got ${describeResponse(res)}`);
  }
}

/** An error answer: the status and, when given, the exact `message` of its JSON body. */
export function expectError(res: ApiResponse, status: number, message?: string): void {
  expectStatus(res, status);
  const body = res.json as { message?: unknown } | undefined;
  if (typeof body?.message !== 'string') {
    throw new CheckFailure(`expected a JSON body {"message": ...}, got ${describeResponse(res)}`);
  }
  if (message !== undefined && body.message !== message) {
    throw new CheckFailure(
      `expected message ${JSON.stringify(message)}, got ${describeResponse(res)}`,
    );
  }
}

export function expectJson(res: ApiResponse, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(res.json, expected)) {
    const difference = firstDifference(expected, res.json, '$');
    throw new CheckFailure(
      `${what} differs at ${difference}: expected ${JSON.stringify(expected)}, got ${describeResponse(res)}`,
    );
  }
}

export function expectTrue(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

/** The JSON path of the first difference, so that a long hostile item's failure is readable. */
export function firstDifference(expected: unknown, actual: unknown, at: string): string {
  if (isDeepStrictEqual(expected, actual)) return '';
  const bothObjects =
    expected !== null &&
    actual !== null &&
    typeof expected === 'object' &&
    typeof actual === 'object' &&
    Array.isArray(expected) === Array.isArray(actual);
  if (!bothObjects)
    return `${at} (expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)})`;
  const want = expected as Record<string, unknown>;
  const have = actual as Record<string, unknown>;
  for (const key of new Set([...Object.keys(want), ...Object.keys(have)])) {
    const child = Array.isArray(want) ? `${at}[${key}]` : `${at}.${key}`;
    if (!(key in have)) return `${child} (missing)`;
    if (!(key in want)) return `${child} (unexpected)`;
    if (!isDeepStrictEqual(want[key], have[key]))
      return firstDifference(want[key], have[key], child);
  }
  return at;
}
