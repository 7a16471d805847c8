/**
 * Builds the limits throttling.ts enforces: the stage's `MethodSettings` throttling, and the API
 * keys linked by usage plans to this API and stage, each with its plan's throttles and quota.
 */
import { randomBytes } from 'node:crypto';
import {
  apiResources,
  isOneOf,
  isTrue,
  refuse,
  type LimitsProps,
  type MethodSettingProps,
  type UsagePlanProps,
} from './api-model-schemas';
import type { CfnTemplate } from '../../lib/cloudformation';
import { stableId } from './packaged-template';
import {
  methodKey,
  type QuotaPeriod,
  type StageThrottling,
  type ThrottleLimits,
  type UsagePlanModel,
} from './throttling';

/** AWS's account-level limits: what a limit the template leaves out falls back to. */
const ACCOUNT_LIMITS: ThrottleLimits = { rateLimit: 10_000, burstLimit: 5_000 };

function limitNumber(where: string, property: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value === 'boolean' || value === '' || !Number.isFinite(n) || n < 0) {
    refuse(where, property, `the limit ${JSON.stringify(value)} (a number >= 0 is needed)`);
  }
  return n;
}

/** `{RateLimit, BurstLimit}` (usage plans) or `Throttling*Limit` (method settings). */
function throttleLimits(
  where: string,
  rate: [string, unknown],
  burst: [string, unknown],
  fallback: ThrottleLimits,
): ThrottleLimits | undefined {
  const rateLimit = limitNumber(where, rate[0], rate[1]);
  const burstLimit = limitNumber(where, burst[0], burst[1]);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  return {
    rateLimit: rateLimit ?? fallback.rateLimit,
    burstLimit: Math.floor(burstLimit ?? fallback.burstLimit),
  };
}

function planLimits(where: string, limits: LimitsProps): ThrottleLimits | undefined {
  return throttleLimits(
    where,
    ['RateLimit', limits.RateLimit],
    ['BurstLimit', limits.BurstLimit],
    ACCOUNT_LIMITS,
  );
}

/**
 * `MethodSettings`: `/*` + `*` is every method's default; `/~1a~1{b}` + `GET` (or `*`) one
 * method's own limits, a limit it leaves out taken from the default.
 */
export function buildStageThrottling(
  logicalId: string,
  settings: MethodSettingProps[],
): StageThrottling {
  const limitsOf = (setting: MethodSettingProps, i: number, fallback: ThrottleLimits) =>
    throttleLimits(
      `${logicalId}.MethodSettings[${i}]`,
      ['ThrottlingRateLimit', setting.ThrottlingRateLimit],
      ['ThrottlingBurstLimit', setting.ThrottlingBurstLimit],
      fallback,
    );
  const isDefault = (s: MethodSettingProps) =>
    (s.ResourcePath ?? '/*') === '/*' && (s.HttpMethod ?? '*') === '*';
  const defaultIndex = settings.findIndex(isDefault);
  const defaults =
    defaultIndex >= 0 ? limitsOf(settings[defaultIndex], defaultIndex, ACCOUNT_LIMITS) : undefined;
  const methods = new Map<string, ThrottleLimits>();
  settings.forEach((setting, i) => {
    if (isDefault(setting)) return;
    const resourcePath = setting.ResourcePath ?? '';
    const httpMethod = (setting.HttpMethod ?? '').toUpperCase();
    if (!resourcePath.startsWith('/') || resourcePath.includes('*') || httpMethod === '') {
      refuse(
        `${logicalId}.MethodSettings[${i}]`,
        'ResourcePath',
        `the method setting ${resourcePath} ${httpMethod} (only /* with * or one resource path)`,
      );
    }
    const limits = limitsOf(setting, i, defaults ?? ACCOUNT_LIMITS);
    // `/` then the path with its slashes as `~1`: `/~1a~1{b}` is `/a/{b}`; `/` alone is the root.
    const path = resourcePath === '/' ? '/' : resourcePath.slice(1).replace(/~1/g, '/');
    if (limits) methods.set(methodKey(path, httpMethod), limits);
  });
  return { defaults, methods };
}

const QUOTA_PERIODS: QuotaPeriod[] = ['DAY', 'WEEK', 'MONTH'];

function buildUsagePlan(
  logicalId: string,
  props: UsagePlanProps,
  perMethod: Record<string, LimitsProps>,
): UsagePlanModel {
  const methodThrottles = new Map<string, ThrottleLimits>();
  for (const [name, limits] of Object.entries(perMethod)) {
    // `/pets/GET`: the resource path, then the method.
    const where = `${logicalId}.ApiStages.Throttle.${name}`;
    const match = /^(\/.*?)\/?([A-Za-z]+|\*)$/.exec(name);
    if (!match) refuse(where, 'key', `the method ${name} (write /resource/path/METHOD)`);
    const parsed = planLimits(where, limits);
    if (parsed) methodThrottles.set(methodKey(match[1] || '/', match[2]), parsed);
  }
  let quota: UsagePlanModel['quota'];
  if (props.Quota !== undefined) {
    const q = props.Quota;
    const where = `${logicalId}.Quota`;
    const limit = limitNumber(where, 'Limit', q.Limit);
    const period = q.Period ?? '';
    if (!isOneOf(QUOTA_PERIODS, period)) {
      refuse(where, 'Period', `the quota period ${JSON.stringify(q.Period)} (DAY, WEEK or MONTH)`);
    }
    if (limit !== undefined) {
      quota = {
        limit: Math.floor(limit),
        offset: Math.floor(limitNumber(where, 'Offset', q.Offset) ?? 0),
        period,
      };
    }
  }
  return {
    logicalId,
    throttle: planLimits(`${logicalId}.Throttle`, props.Throttle ?? {}),
    methodThrottles,
    quota,
  };
}

/** A value like the 40 letters and digits API Gateway generates for a key. */
export function generateApiKeyValue(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(40), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** Enabled API keys linked by a usage plan to this API and stage, with that plan. */
export function linkedApiKeys(
  template: CfnTemplate,
  apiId: string,
  stageName: string,
  generatedApiKey: (logicalId: string, stageName: string) => string = generateApiKeyValue,
): Map<string, UsagePlanModel> {
  const keys = new Map(
    apiResources(template, 'AWS::ApiGateway::ApiKey').map((key) => {
      // API Gateway generates the value of a key created without one.
      const value = key.props.Value ?? generatedApiKey(key.logicalId, stageName);
      return [stableId(key.logicalId), { ...key.props, Value: value }] as const;
    }),
  );
  const plans = new Map(
    apiResources(template, 'AWS::ApiGateway::UsagePlan').map((plan) => {
      const stage = (plan.props.ApiStages ?? []).find(
        (s) => s.ApiId === apiId && s.Stage === stageName,
      );
      // A plan for other stages still gets its properties checked.
      const model = buildUsagePlan(plan.logicalId, plan.props, stage?.Throttle ?? {});
      return [stableId(plan.logicalId), stage ? model : undefined];
    }),
  );
  const linked = new Map<string, UsagePlanModel>();
  for (const link of apiResources(template, 'AWS::ApiGateway::UsagePlanKey')) {
    const key = keys.get(link.props.KeyId);
    const plan = plans.get(link.props.UsagePlanId);
    // CloudFormation's ApiKey Enabled defaults to false.
    if (!key || !isTrue(key.Enabled) || !plan) continue;
    const other = linked.get(key.Value);
    if (other && other !== plan) {
      // AWS refuses this too: one usage plan per API key and stage.
      refuse(
        link.logicalId,
        'UsagePlanId',
        `a second usage plan (${plan.logicalId} besides ${other.logicalId}) for one API key on stage ${stageName}`,
      );
    }
    linked.set(key.Value, plan);
  }
  return linked;
}
