import { REST_API } from './api';
import { STAGE } from './deployment';
import { ref, type CfnResources } from './types';

export const API_KEY = 'WriterApiKey';
export const USAGE_PLAN = 'UsagePlan';

/**
 * Writes (and, when the stage says so, reads) need an `x-api-key`. The key's value comes
 * from the stage's environment (`API_KEY` in `.env.<stage>`), never from the repository.
 * The usage plan throttles and caps what one key can do per stage.
 */
export const apiKeyResources: CfnResources = {
  [API_KEY]: {
    Type: 'AWS::ApiGateway::ApiKey',
    DependsOn: [STAGE],
    Properties: {
      Name: '${self:service}-${sls:stage}-writer',
      Description: 'Writes configuration records (stage ${sls:stage})',
      Enabled: true,
      Value: '${param:apiKey}',
    },
  },
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
  UsagePlanKey: {
    Type: 'AWS::ApiGateway::UsagePlanKey',
    Properties: { KeyId: ref(API_KEY), KeyType: 'API_KEY', UsagePlanId: ref(USAGE_PLAN) },
  },
};
