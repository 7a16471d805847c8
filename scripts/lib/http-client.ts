/**
 * A small HTTP client for black-box checks of the API: Node's global `fetch`, a deadline per
 * request, and a record of every response so that checks over all of them (CORS, error
 * bodies) can run at the end.
 *
 * A `429` is API Gateway's throttle (stage or usage plan): the request was not processed, so
 * it is sent again after a growing pause, as any well-behaved client of the API should. The
 * 429s stay in the record (they must carry CORS and a JSON body like every other error).
 */

export interface ApiResponse {
  method: string;
  /** Path under the base URL, as requested (query string included). */
  path: string;
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  json: unknown;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as is when a string, else JSON-encoded. */
  body?: unknown;
}

export type FetchLike = typeof fetch;

export interface ApiClient {
  baseUrl: string;
  request(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse>;
  /** Every response so far, in order. */
  readonly responses: readonly ApiResponse[];
}

/** Resends after a 429, with pauses of 250 ms, 500 ms, 1 s, ... (or the server's Retry-After). */
export const THROTTLE_RETRIES = 6;
const THROTTLE_BASE_DELAY_MS = 250;

export function createApiClient(opts: {
  baseUrl: string;
  timeoutMs: number;
  fetch?: FetchLike;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
}): ApiClient {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const responses: ApiResponse[] = [];
  const request = async (method: string, path: string, req: RequestOptions = {}) => {
    for (let retry = 0; ; retry++) {
      const response = await send(method, path, req);
      if (response.status !== 429 || retry >= THROTTLE_RETRIES) return response;
      const retryAfterMs = Number(response.headers['retry-after']) * 1000;
      await sleep(retryAfterMs > 0 ? retryAfterMs : THROTTLE_BASE_DELAY_MS * 2 ** retry);
    }
  };
  const send = async (method: string, path: string, req: RequestOptions) => {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    let res: Response;
    let text: string;
    try {
      res = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const error = err as Error;
      const reason =
        error.name === 'TimeoutError'
          ? `no answer within ${opts.timeoutMs} ms`
          : `${error.message}${error.cause ? ` (${(error.cause as Error).message})` : ''}`;
      throw new Error(`${method} ${path}: ${reason}`, { cause: err });
    }
    const response: ApiResponse = {
      method,
      path,
      status: res.status,
      headers: Object.fromEntries(res.headers),
      text,
      json: parseJson(text),
    };
    responses.push(response);
    return response;
  };
  return { baseUrl, request, responses };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
