import { REST_API } from './api';
import { STAGE } from './deployment';
import type { CfnResources } from '../lib/cloudformation';
import { ref } from './intrinsics';

/** Writer key slot A: the stage's key until its first rotation (logical id kept from before). */
export const API_KEY = 'WriterApiKey';
/** Writer key slot B: the key a rotation adds next to slot A (and the other way round). */
export const API_KEY_B = 'WriterApiKeyB';
export const USAGE_PLAN = 'UsagePlan';

/**
 * Template parameter naming the writer key slots that exist, current key last: `A`, `B`,
 * `A,B` (rotating from A to B) or `B,A` (rotating from B to A). `npm run rotate-key` changes
 * it on the deployed stack (UpdateStack with the previous template); `sls deploy` keeps the
 * stack's value (plugins/writer-keys.ts). Both keys stay CloudFormation's: a rotation never
 * deletes a key behind the stack's back. docs/stages-and-deploy.md ("Rotating the writer key").
 */
export const WRITER_KEYS_PARAMETER = 'WriterKeys';
export const WRITER_KEYS_VALUES = ['A', 'B', 'A,B', 'B,A'] as const;
export type WriterKeysValue = (typeof WRITER_KEYS_VALUES)[number];

export const apiKeyParameters = {
  [WRITER_KEYS_PARAMETER]: {
    Type: 'String',
    Default: 'A',
    AllowedValues: [...WRITER_KEYS_VALUES],
    Description:
      'Writer API key slots, current key last (A, B, A,B or B,A); changed by npm run rotate-key',
  },
};

const writerKeysIs = (...values: WriterKeysValue[]) => ({
  'Fn::Or': values.map((value) => ({ 'Fn::Equals': [ref(WRITER_KEYS_PARAMETER), value] })),
});

export const apiKeyConditions = {
  /** API_KEY pins the value of slot A; without it API Gateway generates one. */
  PinnedWriterKey: { 'Fn::Not': [{ 'Fn::Equals': ['${param:apiKey}', ''] }] },
  WriterKeyA: writerKeysIs('A', 'A,B', 'B,A'),
  WriterKeyB: writerKeysIs('B', 'A,B', 'B,A'),
  WriterKeyBIsCurrent: writerKeysIs('B', 'A,B'),
  WriterKeyRotating: writerKeysIs('A,B', 'B,A'),
};

/** The current writer key's id (`ApiKeyId`) and, during a rotation, the retiring one's. */
export const currentWriterKey = {
  'Fn::If': ['WriterKeyBIsCurrent', ref(API_KEY_B), ref(API_KEY)],
};
export const previousWriterKey = {
  'Fn::If': ['WriterKeyBIsCurrent', ref(API_KEY), ref(API_KEY_B)],
};

const writerKey = (slot: 'A' | 'B') => ({
  Type: 'AWS::ApiGateway::ApiKey',
  Condition: `WriterKey${slot}`,
  DependsOn: [STAGE],
  Properties: {
    // Slot A keeps the name it always had, so that existing stages keep their key.
    Name:
      slot === 'A'
        ? '${self:service}-${sls:stage}-writer'
        : '${self:service}-${sls:stage}-writer-b',
    Description: 'Writes configuration records (stage ${sls:stage})',
    Enabled: true,
    // No Value: API Gateway generates one at deploy; it never appears in the template, the
    // repository or .serverless/. `sls info` reads it from the stack (plugins/endpoint-info.ts).
    ...(slot === 'A'
      ? { Value: { 'Fn::If': ['PinnedWriterKey', '${param:apiKey}', ref('AWS::NoValue')] } }
      : {}),
  },
});

const usagePlanKey = (slot: 'A' | 'B', keyId: string) => ({
  Type: 'AWS::ApiGateway::UsagePlanKey',
  Condition: `WriterKey${slot}`,
  Properties: { KeyId: ref(keyId), KeyType: 'API_KEY', UsagePlanId: ref(USAGE_PLAN) },
});

/**
 * Writes (and, when the stage says so, reads) need an `x-api-key`. The usage plan throttles
 * and caps what one key can do per stage.
 */
export const apiKeyResources: CfnResources = {
  [API_KEY]: writerKey('A'),
  [API_KEY_B]: writerKey('B'),
  [USAGE_PLAN]: {
    Type: 'AWS::ApiGateway::UsagePlan',
    Properties: {
      UsagePlanName: '${self:service}-${sls:stage}',
      Description: 'Throttling and quota for API keys of stage ${sls:stage}',
      ApiStages: [{ ApiId: ref(REST_API), Stage: ref(STAGE) }],
      Throttle: {
        BurstLimit: '${param:keyThrottleBurst}',
        RateLimit: '${param:keyThrottleRate}',
      },
      Quota: { Limit: '${param:keyQuotaPerDay}', Period: 'DAY' },
    },
  },
  UsagePlanKey: usagePlanKey('A', API_KEY),
  UsagePlanKeyB: usagePlanKey('B', API_KEY_B),
};
