/**
 * Throttling and quotas, as the template declares them, in API Gateway's documented order
 * (developer guide, api-gateway-request-throttling.md, "How throttling limit settings are
 * applied"): the usage plan's per-client per-method limits (`ApiStages[].Throttle`), the usage
 * plan's per-client limits (`Throttle`), then the stage's per-method limits (`MethodSettings`:
 * a method's own entry, else the `/*` `*` default). Each is a token bucket: `BurstLimit` is the
 * bucket size, `RateLimit` the tokens added per second; a bucket starts full and a request takes
 * one token. Every method has its own stage bucket (the default is a per-method limit, not one
 * bucket shared by all methods). The account-level limit (10,000 rps, burst 5,000) is not
 * modelled. Then the usage plan's `Quota`: requests per DAY/WEEK/MONTH per API key, counted once
 * a request has passed every throttle (a throttled request is not counted; one the integration
 * fails is), `Offset` requests fewer in the period the stage started in.
 *
 * Usage plans meter only methods that require an API key: that is how API Gateway identifies the
 * client (api-gateway-api-usage-plans.md). Requests to other methods meet only the stage limits.
 */
import { gatewayErrors } from './gateway-errors';

/** Steady requests per second and bucket size. */
export interface ThrottleLimits {
  rateLimit: number;
  burstLimit: number;
}

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

export interface QuotaModel {
  limit: number;
  /** Requests subtracted from `limit` in the initial period (the one the stage started in). */
  offset: number;
  period: QuotaPeriod;
}

/** The usage plan that meters one API key on this stage. */
export interface UsagePlanModel {
  logicalId: string;
  throttle?: ThrottleLimits;
  /** Per-method limits of the plan for this stage, by `methodKey(path, httpMethod)`. */
  methodThrottles: Map<string, ThrottleLimits>;
  quota?: QuotaModel;
}

/** The stage's `MethodSettings` throttling. */
export interface StageThrottling {
  /** The `/*` `*` entry. */
  defaults?: ThrottleLimits;
  /** By `methodKey(path, httpMethod)`; `httpMethod` may be `*` for every method of a path. */
  methods: Map<string, ThrottleLimits>;
}

export function methodKey(resourcePath: string, httpMethod: string): string {
  return `${httpMethod.toUpperCase()} ${resourcePath}`;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limits: ThrottleLimits,
    now: number,
  ) {
    this.tokens = limits.burstLimit;
    this.last = now;
  }

  /** Takes a token when there is one. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + elapsed * this.limits.rateLimit);
    this.last = Math.max(this.last, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Start of the quota period holding `epochMs`, in UTC: days at midnight, weeks on Sunday
 * (AWS documents neither; Sunday is what the API reference once gave as offset 0), months on
 * the 1st.
 */
export function periodStart(period: QuotaPeriod, epochMs: number): number {
  const d = new Date(epochMs);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day;
  if (period === 'WEEK') return day - d.getUTCDay() * 86_400_000;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export interface ThrottleRequest {
  resourcePath: string;
  httpMethod: string;
  /** The API key the method request accepted (only methods that require one). */
  apiKey?: string;
}

export interface Limiter {
  /** Throws the THROTTLED or QUOTA_EXCEEDED gateway error, else counts the request. */
  admit(request: ThrottleRequest): void;
}

export function createLimiter(
  stage: StageThrottling,
  plans: Map<string, UsagePlanModel>,
  clock: () => number,
): Limiter {
  const started = clock();
  const buckets = new Map<string, TokenBucket>();
  const quotaUse = new Map<string, { periodStart: number; used: number }>();
  const take = (id: string, limits: ThrottleLimits | undefined, now: number): boolean => {
    if (!limits) return true;
    let bucket = buckets.get(id);
    if (!bucket) buckets.set(id, (bucket = new TokenBucket(limits, now)));
    return bucket.take(now);
  };

  return {
    admit({ resourcePath, httpMethod, apiKey }) {
      const now = clock();
      const key = methodKey(resourcePath, httpMethod);
      const plan = apiKey === undefined ? undefined : plans.get(apiKey);
      if (plan && apiKey !== undefined) {
        if (!take(`plan-method ${apiKey} ${key}`, plan.methodThrottles.get(key), now)) {
          throw gatewayErrors.throttled(`usage plan limit on ${key} for this key`);
        }
        if (!take(`plan ${apiKey}`, plan.throttle, now)) {
          throw gatewayErrors.throttled('usage plan limit for this key');
        }
      }
      const stageLimits =
        stage.methods.get(key) ?? stage.methods.get(methodKey(resourcePath, '*')) ?? stage.defaults;
      if (!take(`stage ${key}`, stageLimits, now)) {
        throw gatewayErrors.throttled(`stage limit on ${key}`);
      }
      if (plan?.quota && apiKey !== undefined) {
        const { limit, offset, period } = plan.quota;
        const start = periodStart(period, now);
        let use = quotaUse.get(apiKey);
        if (!use || use.periodStart !== start)
          quotaUse.set(apiKey, (use = { periodStart: start, used: 0 }));
        const allowed = start === periodStart(period, started) ? limit - offset : limit;
        if (use.used >= allowed) {
          throw gatewayErrors.quotaExceeded(`usage plan quota of ${allowed} per ${period}`);
        }
        use.used++;
      }
    },
  };
}
