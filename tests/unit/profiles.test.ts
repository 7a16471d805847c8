/**
 * Production settings come from the `profile` param: the `prod` stage has it, any stage can
 * opt in (STAGE_PROFILE=production), development stages stay cheap and removable.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { InvalidPinnedKeyError, pinnedKeyValue } from '../../plugins/pinned-api-key';
import { runSls } from '../../local/sls-package';
import type { CfnResource, CfnTemplate } from '../../lib/cloudformation';
import { loadPackagedTemplate, packageStage } from '../helpers/packaged';

const props = (r: CfnResource) => r.Properties as Record<string, any>;

/** The settings that differ between profiles, as they appear in a packaged template. */
function settings(t: CfnTemplate) {
  const table = t.Resources.ConfigTable;
  const stage = props(t.Resources.ApiStage);
  const allMethods = stage.MethodSettings.find((s: any) => s.ResourcePath === '/*');
  return {
    tableDeletionPolicy: table.DeletionPolicy,
    tableUpdateReplacePolicy: table.UpdateReplacePolicy,
    pointInTimeRecovery: props(table).PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled,
    deletionProtection: props(table).DeletionProtectionEnabled,
    kmsEncryption: props(table).SSESpecification.SSEEnabled,
    accessLogs: t.Conditions?.AccessLogs,
    tracing: stage.TracingEnabled,
    metrics: allMethods.MetricsEnabled,
    throttle: [allMethods.ThrottlingRateLimit, allMethods.ThrottlingBurstLimit],
    keyThrottle: [
      props(t.Resources.UsagePlan).Throttle.RateLimit,
      props(t.Resources.UsagePlan).Throttle.BurstLimit,
    ],
  };
}

const DEVELOPMENT = {
  tableDeletionPolicy: 'Delete',
  tableUpdateReplacePolicy: 'Delete',
  pointInTimeRecovery: false,
  deletionProtection: false,
  kmsEncryption: false,
  accessLogs: { 'Fn::Equals': [false, true] },
  tracing: false,
  metrics: false,
  throttle: [1000, 2000],
  keyThrottle: [100, 200],
};

const PRODUCTION = {
  tableDeletionPolicy: 'Retain',
  tableUpdateReplacePolicy: 'Retain',
  pointInTimeRecovery: true,
  deletionProtection: true,
  kmsEncryption: true,
  accessLogs: { 'Fn::Equals': [true, true] },
  tracing: true,
  metrics: true,
  throttle: [5000, 5000],
  keyThrottle: [1000, 2000],
};

async function packageWith(stage: string, env: NodeJS.ProcessEnv): Promise<CfnTemplate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `profile-${stage}-`));
  try {
    await packageStage(stage, dir, env);
    const file = path.join(dir, 'cloudformation-template-update-stack.json');
    return JSON.parse(await readFile(file, 'utf8')) as CfnTemplate;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('stage profiles', () => {
  it.each([
    ['dev', DEVELOPMENT],
    ['alice', DEVELOPMENT],
    ['prod', PRODUCTION],
  ] as const)('%s gets the documented settings', (stage, expected) => {
    expect(settings(loadPackagedTemplate(stage))).toEqual(expected);
  });

  it('prod writes access logs to a log group with retention, in a JSON format', () => {
    const prod = loadPackagedTemplate('prod');
    expect(prod.Resources.ApiAccessLogGroup).toMatchObject({
      Condition: 'AccessLogs',
      Properties: { LogGroupName: '/aws/apigateway/config-store-prod/access', RetentionInDays: 30 },
    });
    const logSetting = props(prod.Resources.ApiStage).AccessLogSetting['Fn::If'];
    expect(logSetting[0]).toBe('AccessLogs');
    expect(logSetting[1].DestinationArn).toEqual({ 'Fn::GetAtt': ['ApiAccessLogGroup', 'Arn'] });
    expect(() => JSON.parse(logSetting[1].Format)).not.toThrow();
  });

  it('dev leaves nothing behind on `sls remove`: no Retain policy on any resource', () => {
    const dev = loadPackagedTemplate('dev');
    const retained = Object.entries(dev.Resources)
      .filter(([, r]) => r.DeletionPolicy === 'Retain' || r.UpdateReplacePolicy === 'Retain')
      .map(([id]) => id);
    expect(retained).toEqual([]);
    expect(props(dev.Resources.ConfigTable).DeletionProtectionEnabled).toBe(false);
  });

  it('caches GETs only when a stage asks for it, and never writes', () => {
    const dev = props(loadPackagedTemplate('dev').Resources.ApiStage);
    expect(dev.CacheClusterEnabled).toBe(false);
    expect(dev.MethodSettings.every((s: any) => s.CachingEnabled === false)).toBe(true);
  });

  it('any stage can opt in to production, and to cached and key-protected reads', async () => {
    const staging = await packageWith('staging', {
      STAGE_PROFILE: 'production',
      GET_CACHE: 'true',
      READ_API_KEY_REQUIRED: 'true',
      CORS_ORIGIN: 'https://config.example.com',
    });
    expect(settings(staging)).toEqual(PRODUCTION);
    const stage = props(staging.Resources.ApiStage);
    expect(stage.CacheClusterEnabled).toBe(true);
    const cached = stage.MethodSettings.filter((s: any) => s.CachingEnabled === true);
    expect(cached.map((s: any) => `${s.HttpMethod} ${s.ResourcePath}`)).toEqual([
      'GET /~1{id}',
      'GET /~1{id}~1{range}',
    ]);
    expect(props(staging.Resources.GetItemsMethod).ApiKeyRequired).toBe(true);
    expect(props(staging.Resources.GetItemMethod).ApiKeyRequired).toBe(true);
    expect(JSON.stringify(staging.Resources.GatewayResponseDefault4xx)).toContain(
      "'https://config.example.com'",
    );
  });

  it('fails packaging with a message naming API_KEY and the file to fix when a pinned key is too short', async () => {
    await expect(packageWith('carol', { API_KEY: 'short' })).rejects.toThrow(
      /API_KEY for stage "carol" must be 20 to 128 characters .*got 5\. Fix it in \.env\.carol/,
    );
  });

  it('sls print works for a stage with no .env.<stage> and no API_KEY', async () => {
    const printed = await runSls('carol', ['print'], { env: { API_KEY: '' }, dotenv: false });
    expect(printed).toContain('config-store-carol-writer');
    expect(printed).toMatch(/PinnedWriterKey:\s+Fn::Not:\s+- Fn::Equals:\s+- ''\s+- ''/);
  });
});

describe('pinnedKeyValue', () => {
  it.each([[{}], [{ API_KEY: '' }]])('is empty (a generated key) for %j', (env) => {
    expect(pinnedKeyValue('API_KEY', 'x', env)).toBe('');
  });

  it.each([['short'], ['k'.repeat(19)], ['k'.repeat(129)]])('refuses %s', (value) => {
    expect(() => pinnedKeyValue('API_KEY', 'x', { API_KEY: value })).toThrow(InvalidPinnedKeyError);
  });

  it.each([['k'.repeat(20)], ['k'.repeat(128)]])('returns a valid value', (value) => {
    expect(pinnedKeyValue('API_KEY', 'x', { API_KEY: value })).toBe(value);
  });
});
