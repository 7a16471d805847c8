/**
 * Throttling and quotas as the template declares them: a hand-written fixture with small limits
 * (tests/fixtures/gateway/throttling.json) served with an injected clock, so every case is exact
 * and nothing sleeps. Each row starts its own stage (fresh buckets and quota counters) and
 * replays requests at given clock times. Semantics: docs/local-stage.md, "Throttling and quotas".
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildApiModel, UnsupportedConstructError, type CfnTemplate } from '../../local/gateway';
import { startLocalStage, type RunningLocalStage } from '../../local/start';
import { send } from '../helpers/local-stage';
import { templatePath } from '../helpers/packaged';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'gateway', 'throttling.json');

const KEY_A = 'throttle-key-a-0123456789abcdef';
const KEY_B = 'throttle-key-b-0123456789abcdef';
const DAY_KEY = 'quota-day-key-0123456789abcdef';
const WEEK_KEY = 'quota-week-key-0123456789abcdef';
const MONTH_KEY = 'quota-month-key-0123456789abcdef';
const THROTTLED_QUOTA_KEY = 'quota-throttled-key-0123456789abcdef';

/** 200 (the MOCK answers), 403 (bad key), T (THROTTLED), Q (QUOTA_EXCEEDED). */
type Outcome = 200 | 403 | 'T' | 'Q';
/** `[clock offset in ms, method and path, API key or '', expected]`. */
type Step = [number, string, string, Outcome];

const SECOND = 1000;
const DAY = 86_400_000;
/** Wednesday 2025-01-15 12:00 UTC: mid-day, mid-week, mid-month. */
const WEDNESDAY_NOON = Date.UTC(2025, 0, 15, 12);
/** Saturday 2025-01-18 23:59:59 UTC: one second before a new week (weeks start on Sunday). */
const SATURDAY_LATE = Date.UTC(2025, 0, 18, 23, 59, 59);
/** Friday 2025-01-31 23:59:59 UTC: one second before a new month. */
const MONTH_END = Date.UTC(2025, 0, 31, 23, 59, 59);

const times = (n: number, step: Step): Step[] => Array.from({ length: n }, () => step);

const CASES: [string, number, Step[]][] = [
  [
    'stage default (/* *): burst 2 at once, then 1 request/s',
    WEDNESDAY_NOON,
    [
      ...times(2, [0, 'GET /open', '', 200]),
      [0, 'GET /open', '', 'T'],
      [999, 'GET /open', '', 'T'],
      [1000, 'GET /open', '', 200],
      [1000, 'GET /open', '', 'T'],
      [3500, 'GET /open', '', 200],
      [3500, 'GET /open', '', 200],
      [3500, 'GET /open', '', 'T'],
    ],
  ],
  [
    "a method's own MethodSettings entry overrides the default (burst 5, 100/s)",
    WEDNESDAY_NOON,
    [
      ...times(5, [0, 'GET /fast', '', 200]),
      [0, 'GET /fast', '', 'T'],
      [10, 'GET /fast', '', 200],
      [10, 'GET /fast', '', 'T'],
    ],
  ],
  [
    'every method has its own stage bucket (the default is per method, not shared)',
    WEDNESDAY_NOON,
    [
      ...times(2, [0, 'GET /open', '', 200]),
      [0, 'GET /open', '', 'T'],
      ...times(2, [0, 'POST /open', '', 200]),
      [0, 'POST /open', '', 'T'],
      [0, 'GET /fast', '', 200],
    ],
  ],
  [
    'rate 0 and burst 0 refuse every request, however long one waits',
    WEDNESDAY_NOON,
    [
      [0, 'GET /blocked', '', 'T'],
      [DAY, 'GET /blocked', '', 'T'],
    ],
  ],
  [
    "usage plan Throttle: per API key (burst 3, 1/s), one key's bucket does not drain another's",
    WEDNESDAY_NOON,
    [
      ...times(3, [0, 'GET /keyed', KEY_A, 200]),
      [0, 'GET /keyed', KEY_A, 'T'],
      ...times(3, [0, 'GET /keyed', KEY_B, 200]),
      [0, 'GET /keyed', KEY_B, 'T'],
      [1000, 'GET /keyed', KEY_A, 200],
      [1000, 'GET /keyed', KEY_A, 'T'],
    ],
  ],
  [
    'usage plan per-method throttle (ApiStages Throttle /keyed-method/GET, burst 1) comes first',
    WEDNESDAY_NOON,
    [
      [0, 'GET /keyed-method', KEY_A, 200],
      [0, 'GET /keyed-method', KEY_A, 'T'],
      // The per-method bucket refused it, so the plan's own bucket still holds 2 of 3.
      ...times(2, [0, 'GET /keyed', KEY_A, 200]),
      [0, 'GET /keyed', KEY_A, 'T'],
    ],
  ],
  [
    'a usage plan meters only methods that require an API key',
    WEDNESDAY_NOON,
    [...times(5, [0, 'GET /fast', KEY_A, 200]), [0, 'GET /fast', KEY_A, 'T']],
  ],
  [
    'a missing or wrong key is 403 and takes no token',
    WEDNESDAY_NOON,
    [
      ...times(5, [0, 'GET /keyed', 'wrong-key-0123456789abcdef', 403]),
      ...times(5, [0, 'GET /keyed', '', 403]),
      ...times(3, [0, 'GET /keyed', KEY_A, 200]),
    ],
  ],
  [
    'Quota DAY with Offset 1: Limit - Offset in the first day, Limit from the next UTC midnight',
    WEDNESDAY_NOON,
    [
      ...times(2, [0, 'GET /keyed', DAY_KEY, 200]),
      [0, 'GET /keyed', DAY_KEY, 'Q'],
      [11 * 3600 * SECOND, 'GET /keyed', DAY_KEY, 'Q'],
      ...times(3, [12 * 3600 * SECOND, 'GET /keyed', DAY_KEY, 200]),
      [12 * 3600 * SECOND, 'GET /keyed', DAY_KEY, 'Q'],
      ...times(3, [36 * 3600 * SECOND, 'GET /keyed', DAY_KEY, 200]),
    ],
  ],
  [
    'Quota WEEK: a new week starts on Sunday 00:00 UTC',
    SATURDAY_LATE,
    [
      ...times(2, [0, 'GET /keyed', WEEK_KEY, 200]),
      [0, 'GET /keyed', WEEK_KEY, 'Q'],
      ...times(2, [SECOND, 'GET /keyed', WEEK_KEY, 200]),
      [SECOND, 'GET /keyed', WEEK_KEY, 'Q'],
      [6 * DAY, 'GET /keyed', WEEK_KEY, 'Q'],
    ],
  ],
  [
    'Quota MONTH: a new month starts on the 1st, 00:00 UTC',
    MONTH_END,
    [
      ...times(2, [0, 'GET /keyed', MONTH_KEY, 200]),
      [0, 'GET /keyed', MONTH_KEY, 'Q'],
      ...times(2, [SECOND, 'GET /keyed', MONTH_KEY, 200]),
      [27 * DAY, 'GET /keyed', MONTH_KEY, 'Q'],
    ],
  ],
  [
    'throttling comes before the quota, and a throttled request uses no quota',
    WEDNESDAY_NOON,
    [
      [0, 'GET /keyed', THROTTLED_QUOTA_KEY, 200],
      ...times(3, [0, 'GET /keyed', THROTTLED_QUOTA_KEY, 'T']),
      [1000, 'GET /keyed', THROTTLED_QUOTA_KEY, 200],
      [3000, 'GET /keyed', THROTTLED_QUOTA_KEY, 'Q'],
      [3000, 'GET /keyed', THROTTLED_QUOTA_KEY, 'T'],
    ],
  ],
];

const stages: RunningLocalStage[] = [];

afterAll(async () => {
  await Promise.all(stages.map((stage) => stage.stop()));
});

async function serveWithClock(start: number): Promise<{ url: string; at: (ms: number) => void }> {
  let now = start;
  const stage = await startLocalStage({
    port: 0,
    template: FIXTURE,
    log: () => undefined,
    clock: () => now,
  });
  stages.push(stage);
  return { url: stage.url, at: (ms) => (now = start + ms) };
}

describe('throttling and quotas (fixture with small limits, injected clock)', () => {
  it.each(CASES)('%s', async (_, start, steps) => {
    const { url, at } = await serveWithClock(start);
    const outcomes: string[] = [];
    for (const [offset, request, key] of steps) {
      at(offset);
      const [method, urlPath] = request.split(' ');
      const res = await send(url, urlPath, {
        method,
        headers: key ? { 'x-api-key': key } : {},
      });
      outcomes.push(`${offset} ${request} ${key || '-'} ${outcome(res.status, res.json)}`);
    }
    expect(outcomes).toEqual(
      steps.map(
        ([offset, request, key, expected]) => `${offset} ${request} ${key || '-'} ${expected}`,
      ),
    );
  });

  it.each([
    ['THROTTLED', 'GET /open', '', 'Too Many Requests', 'TooManyRequestsException'],
    ['QUOTA_EXCEEDED', 'GET /keyed', DAY_KEY, 'Limit Exceeded', 'LimitExceededException'],
  ])(
    '%s answers 429 through the template gateway response: JSON, CORS, AWS message',
    async (_, request, key, message, errorType) => {
      const { url } = await serveWithClock(WEDNESDAY_NOON);
      const [method, urlPath] = request.split(' ');
      const headers: Record<string, string> = key ? { 'x-api-key': key } : {};
      let res = await send(url, urlPath, { method, headers });
      for (let i = 0; i < 5 && res.status !== 429; i++) {
        res = await send(url, urlPath, { method, headers });
      }
      expect({ status: res.status, json: res.json }).toEqual({ status: 429, json: { message } });
      expect(res.headers).toMatchObject({
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
        'x-amzn-errortype': errorType,
      });
    },
  );
});

describe('throttling: false (load tests of the emulator)', () => {
  it('enforces nothing, not even rate 0', async () => {
    const stage = await startLocalStage({
      port: 0,
      template: FIXTURE,
      log: () => undefined,
      throttling: false,
    });
    stages.push(stage);
    const statuses: number[] = [];
    for (const [urlPath, key] of [
      ...Array.from({ length: 3 }, () => ['/blocked', ''] as const),
      ...Array.from({ length: 5 }, () => ['/keyed', DAY_KEY] as const),
    ]) {
      const res = await send(stage.url, urlPath, { headers: key ? { 'x-api-key': key } : {} });
      statuses.push(res.status);
    }
    expect(statuses).toEqual(Array.from({ length: 8 }, () => 200));
  });
});

function outcome(status: number, json: unknown): string {
  if (status !== 429) return String(status);
  const message = (json as { message?: string } | undefined)?.message;
  if (message === 'Too Many Requests') return 'T';
  if (message === 'Limit Exceeded') return 'Q';
  return `429 ${JSON.stringify(json)}`;
}

describe('limits the template gets wrong stop start-up, naming them', () => {
  const fixture = () => JSON.parse(readFileSync(FIXTURE, 'utf8')) as CfnTemplate;
  type Props = Record<string, any>;
  it.each<[string, (resources: Record<string, { Properties?: Props }>) => void, RegExp]>([
    [
      'a quota period AWS does not have',
      (r) => (r.DayQuotaPlan.Properties!.Quota.Period = 'YEAR'),
      /DayQuotaPlan\.Quota\.Period: the quota period "YEAR"/,
    ],
    [
      'a negative rate limit',
      (r) => (r.ThrottlePlan.Properties!.Throttle.RateLimit = -1),
      /ThrottlePlan\.Throttle\.RateLimit: the limit -1/,
    ],
    [
      'a limit that is not a number',
      (r) => (r.Stage.Properties!.MethodSettings[0].ThrottlingBurstLimit = 'lots'),
      /Stage\.MethodSettings\[0\]\.ThrottlingBurstLimit: the limit "lots"/,
    ],
    [
      'a method setting for every path but one method',
      (r) => r.Stage.Properties!.MethodSettings.push({ ResourcePath: '/*', HttpMethod: 'GET' }),
      /Stage\.MethodSettings\[5\]\.ResourcePath: the method setting \/\* GET/,
    ],
    [
      'one API key in two usage plans of the stage',
      (r) => (r.DayKeyLink.Properties!.KeyId = { Ref: 'ThrottleKeyA' }),
      /DayKeyLink\.UsagePlanId: a second usage plan \(DayQuotaPlan besides ThrottlePlan\)/,
    ],
    [
      'an unknown property of a quota',
      (r) => (r.DayQuotaPlan.Properties!.Quota.StartDate = '2025-01-01'),
      /DayQuotaPlan\.Quota\.StartDate: the property StartDate/,
    ],
  ])('%s', (_, change, message) => {
    const template = fixture();
    change(template.Resources as Record<string, { Properties?: Props }>);
    expect(() => buildApiModel(template)).toThrow(UnsupportedConstructError);
    expect(() => buildApiModel(template)).toThrow(message);
  });
});

describe('the packaged local stage', () => {
  const api = buildApiModel(JSON.parse(readFileSync(templatePath('local'), 'utf8')) as CfnTemplate);

  it('enforces the limits it declares: 1000 rps / burst 2000 per method, key 100 rps / burst 200, 1,000,000 a day', () => {
    expect(api.stageThrottling.defaults).toEqual({ rateLimit: 1000, burstLimit: 2000 });
    expect(Object.fromEntries(api.stageThrottling.methods)).toEqual({
      'GET /{id}': { rateLimit: 1000, burstLimit: 2000 },
      'GET /{id}/{range}': { rateLimit: 1000, burstLimit: 2000 },
    });
    expect([...api.usagePlans.values()]).toEqual([
      expect.objectContaining({
        throttle: { rateLimit: 100, burstLimit: 200 },
        quota: { limit: 1000000, offset: 0, period: 'DAY' },
      }),
    ]);
  });
});
