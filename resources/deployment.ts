import { REST_API } from './api';
import type { CfnResources } from '../lib/cloudformation';
import { ref } from './intrinsics';

/**
 * The deployment's logical id as written here. `plugins/api-deployment-id.ts` renames it at
 * package time to `ApiDeployment<hash of the API definition>`, so CloudFormation creates a
 * new deployment exactly when the API changes (and never when only something else does).
 */
export const DEPLOYMENT = 'ApiDeployment';
export const STAGE = 'ApiStage';
export const ACCESS_LOG_GROUP = 'ApiAccessLogGroup';

/** Metrics and throttling of the stage's methods (paths in MethodSettings' `~1` form). */
const methodSettings = (ResourcePath: string, HttpMethod: string) => ({
  ResourcePath,
  HttpMethod,
  MetricsEnabled: '${param:metrics}',
  ThrottlingBurstLimit: '${param:throttleBurst}',
  ThrottlingRateLimit: '${param:throttleRate}',
});

const getCaching = {
  CachingEnabled: '${param:cacheEnabled}',
  CacheTtlInSeconds: '${param:cacheTtl}',
};

/** Methods the deployment must wait for (CloudFormation deploys an API only once they exist). */
export function deploymentResources(methodIds: string[]): CfnResources {
  return {
    [DEPLOYMENT]: {
      Type: 'AWS::ApiGateway::Deployment',
      DependsOn: methodIds,
      Properties: { RestApiId: ref(REST_API), Description: 'Deployed by serverless package' },
    },
    [STAGE]: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: ref(REST_API),
        DeploymentId: ref(DEPLOYMENT),
        StageName: '${sls:stage}',
        Description: 'Stage ${sls:stage}',
        TracingEnabled: '${param:tracing}',
        CacheClusterEnabled: '${param:cacheEnabled}',
        CacheClusterSize: '${param:cacheSize}',
        MethodSettings: [
          { ...methodSettings('/*', '*'), CachingEnabled: false },
          // Only reads are cached (when the stage has a cache); writes never are.
          { ...methodSettings('/~1{id}', 'GET'), ...getCaching },
          { ...methodSettings('/~1{id}~1{range}', 'GET'), ...getCaching },
        ],
        AccessLogSetting: {
          'Fn::If': [
            'AccessLogs',
            {
              DestinationArn: { 'Fn::GetAtt': [ACCESS_LOG_GROUP, 'Arn'] },
              Format:
                '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod","path":"$context.path","status":"$context.status","latencyMs":"$context.responseLatency","integrationStatus":"$context.integration.status","error":"$context.error.message"}',
            },
            { Ref: 'AWS::NoValue' },
          ],
        },
      },
    },
    [ACCESS_LOG_GROUP]: {
      Type: 'AWS::Logs::LogGroup',
      Condition: 'AccessLogs',
      Properties: {
        LogGroupName: '/aws/apigateway/${self:service}-${sls:stage}/access',
        RetentionInDays: '${param:logRetentionDays}',
      },
    },
  };
}

export const deploymentConditions = {
  AccessLogs: { 'Fn::Equals': ['${param:accessLogs}', true] },
};
