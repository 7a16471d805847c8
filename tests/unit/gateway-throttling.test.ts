/**
 * The throttling limiter on its own (throttling.ts), on an injected clock: token buckets per
 * method, usage-plan limits before stage limits, quotas counted per period.
 */
import { GatewayError, type GatewayResponseType } from '../../local/gateway/gateway-errors';
import {
  createLimiter,
  methodKey,
  periodStart,
  TokenBucket,
  type StageThrottling,
  type UsagePlanModel,
} from '../../local/gateway/throttling';

const GET_ITEM = { resourcePath: '/{id}/{range}', httpMethod: 'GET' };
const PUT_ITEM = { resourcePath: '/{id}/{range}', httpMethod: 'PUT' };

/** What admit does with each request: 'ok' or the gateway response type it throws. */
function outcomes(admit: () => void, count: number): string[] {
  return Array.from({ length: count }, () => {
    try {
      admit();
      return 'ok';
    } catch (err) {
      if (err instanceof GatewayError) return err.type as GatewayResponseType;
      throw err;
    }
  });
}

function clock(start = Date.UTC(2026, 0, 7, 12)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const noPlans = new Map<string, UsagePlanModel>();

describe('token bucket', () => {
  it('starts full at the burst limit, then refills at the rate', () => {
    const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, 0);
    expect([0, 0, 0, 0].map((t) => bucket.take(t))).toEqual([true, true, true, false]);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    // Never more than the burst, however long it rested.
    expect([60_000, 60_000, 60_000, 60_000].map((t) => bucket.take(t))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('limiter', () => {
  it("throttles a method past the stage's default limits, each method with its own bucket", () => {
    const c = clock();
    const stage: StageThrottling = {
      defaults: { rateLimit: 1, burstLimit: 2 },
      methods: new Map(),
    };
    const limiter = createLimiter(stage, noPlans, c.now);
    expect(outcomes(() => limiter.admit(GET_ITEM), 3)).toEqual(['ok', 'ok', 'THROTTLED']);
    expect(outcomes(() => limiter.admit(PUT_ITEM), 2)).toEqual(['ok', 'ok']);
    c.advance(1000);
    expect(outcomes(() => limiter.admit(GET_ITEM), 2)).toEqual(['ok', 'THROTTLED']);
  });

  it("prefers a method's own MethodSettings entry, then the path's `*` entry, to the default", () => {
    const stage: StageThrottling = {
      defaults: { rateLimit: 100, burstLimit: 100 },
      methods: new Map([
        [methodKey('/{id}/{range}', 'GET'), { rateLimit: 1, burstLimit: 1 }],
        [methodKey('/{id}/{range}', '*'), { rateLimit: 1, burstLimit: 2 }],
      ]),
    };
    const limiter = createLimiter(stage, noPlans, clock().now);
    expect(outcomes(() => limiter.admit(GET_ITEM), 2)).toEqual(['ok', 'THROTTLED']);
    expect(outcomes(() => limiter.admit(PUT_ITEM), 3)).toEqual(['ok', 'ok', 'THROTTLED']);
  });

  it("applies a usage plan's limits to the key that presents it, not to other callers", () => {
    const plans = new Map<string, UsagePlanModel>([
      [
        'key-a',
        {
          logicalId: 'Plan',
          throttle: { rateLimit: 1, burstLimit: 1 },
          methodThrottles: new Map(),
        },
      ],
    ]);
    const limiter = createLimiter({ methods: new Map() }, plans, clock().now);
    expect(outcomes(() => limiter.admit({ ...PUT_ITEM, apiKey: 'key-a' }), 2)).toEqual([
      'ok',
      'THROTTLED',
    ]);
    expect(outcomes(() => limiter.admit(PUT_ITEM), 3)).toEqual(['ok', 'ok', 'ok']);
  });

  it('counts a quota per period, less the offset in the first one, and only admitted requests', () => {
    const c = clock();
    const plans = new Map<string, UsagePlanModel>([
      [
        'key-a',
        {
          logicalId: 'Plan',
          throttle: { rateLimit: 1, burstLimit: 1 },
          methodThrottles: new Map(),
          quota: { limit: 3, offset: 1, period: 'DAY' },
        },
      ],
    ]);
    const limiter = createLimiter({ methods: new Map() }, plans, c.now);
    const put = () => limiter.admit({ ...PUT_ITEM, apiKey: 'key-a' });
    // The second request within the same instant is throttled, so it does not count.
    expect(outcomes(put, 2)).toEqual(['ok', 'THROTTLED']);
    c.advance(1000);
    expect(outcomes(put, 1)).toEqual(['ok']);
    c.advance(1000);
    expect(outcomes(put, 1)).toEqual(['QUOTA_EXCEEDED']);
    c.advance(86_400_000);
    expect(
      [0, 1, 2, 3].map(() => {
        c.advance(1000);
        return outcomes(put, 1)[0];
      }),
    ).toEqual(['ok', 'ok', 'ok', 'QUOTA_EXCEEDED']);
  });
});

describe('quota periods (UTC)', () => {
  const at = Date.UTC(2026, 0, 7, 15, 30); // a Wednesday
  it.each([
    ['DAY', Date.UTC(2026, 0, 7)],
    ['WEEK', Date.UTC(2026, 0, 4)],
    ['MONTH', Date.UTC(2026, 0, 1)],
  ] as const)('%s starts at its boundary', (period, start) => {
    expect(periodStart(period, at)).toBe(start);
  });
});
