/**
 * A small HTTP client for black-box checks of the API: Node's global `fetch`, a deadline per
 * request, and a record of every response so that checks over all of them (CORS, error
 * bodies) can run at the end.
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

export function createApiClient(opts: {
  baseUrl: string;
  timeoutMs: number;
  fetch?: FetchLike;
}): ApiClient {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const responses: ApiResponse[] = [];
  const request = async (method: string, path: string, req: RequestOptions = {}) => {
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
