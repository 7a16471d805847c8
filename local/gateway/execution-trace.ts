/**
 * The execution trace of one request (`npm start -- --trace`): the steps API Gateway writes to
 * its execution log and shows in the console's Test invoke, in its wording ("Method request
 * path", "Endpoint request body after transformations", "Method completed with status", as in
 * LocalStack's AWS-modelled TEST_INVOKE_TEMPLATE, https://github.com/localstack/localstack/blob/main/localstack-core/localstack/services/apigateway/next_gen/execute_api/test_invoke.py),
 * each with the time since the request arrived. Secrets in headers are masked.
 * Recorded only when a trace sink is configured: the pipeline's hot path does not pay for it.
 */

/** Headers whose values are credentials: shown as `****` plus the last 4 characters. */
const SECRET_HEADERS = new Set(['x-api-key', 'authorization', 'x-amz-security-token', 'cookie']);

export interface TraceStep {
  /** Milliseconds since the request arrived. */
  ms: number;
  /** The execution log's name for the step, e.g. `Method request headers`. */
  step: string;
  /** What it logged, e.g. `{id=feature-flags}` or a body. */
  value?: string;
}

export interface ExecutionTrace {
  requestId: string;
  httpMethod: string;
  /** Path after the stage, as sent. */
  path: string;
  status: number;
  /** Gateway response type and reason, for requests that ended in one. */
  error?: string;
  totalMs: number;
  steps: TraceStep[];
}

export class TraceRecorder {
  private readonly started = process.hrtime.bigint();
  readonly steps: TraceStep[] = [];

  step(step: string, value?: string): void {
    this.steps.push({ ms: this.elapsed(), step, value });
  }

  elapsed(): number {
    return Number(process.hrtime.bigint() - this.started) / 1e6;
  }
}

/** Java's `Map.toString()`, as the execution log prints maps: `{a=1, b=2}`. */
export function javaMap(entries: Iterable<[string, string]>): string {
  return `{${[...entries].map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

export function maskSecret(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return value;
  return value.length > 8 ? `****${value.slice(-4)}` : '****';
}

export function maskedHeaders(headers: Record<string, string>): string {
  return javaMap(Object.entries(headers).map(([k, v]) => [k, maskSecret(k, v)]));
}

/** Readable in a terminal: one line per step, bodies indented under theirs. */
export function formatTrace(trace: ExecutionTrace): string {
  const lines = [
    `── ${trace.httpMethod} ${trace.path} → ${trace.status} (${trace.totalMs.toFixed(1)} ms) request ${trace.requestId}`,
  ];
  for (const { ms, step, value } of trace.steps) {
    const at = `+${ms.toFixed(1)} ms`.padStart(11);
    if (value === undefined) {
      lines.push(`${at}  ${step}`);
    } else if (!value.includes('\n') && value.length <= 120) {
      lines.push(`${at}  ${step}: ${value}`);
    } else {
      lines.push(`${at}  ${step}:`, ...value.split('\n').map((line) => `${' '.repeat(15)}${line}`));
    }
  }
  return lines.join('\n');
}
