import type { AWS } from '@serverless/typescript';

import { DEFAULT_REGION } from './lib/aws-constants';
import { apiKeyConditions, apiKeyParameters, apiKeyResources } from './resources/api-keys';
import { apiResources } from './resources/api';
import { deploymentConditions, deploymentResources } from './resources/deployment';
import { gatewayResponseResources } from './resources/gateway-responses';
import { iamResources } from './resources/iam';
import { outputs } from './resources/outputs';
import { profiles, stageParams } from './resources/params';
import { tableResources } from './resources/table';

/**
 * A REST API over one DynamoDB table with no application code: API Gateway calls DynamoDB
 * directly and VTL templates (vtl/) shape requests and responses. Everything is declared as
 * CloudFormation in resources/; this file only puts the pieces together.
 */
const serverlessConfiguration: AWS = {
  service: 'config-store',
  frameworkVersion: '3',
  useDotenv: true,
  plugins: [
    // Loaded with no functions: part of the stack this service is built on, for the first one.
    'serverless-iam-roles-per-function',
    './plugins/pinned-api-key',
    './plugins/writer-keys',
    './plugins/api-deployment-id',
    './plugins/endpoint-info',
  ],
  provider: {
    name: 'aws',
    stage: 'dev',
    region: `\${env:AWS_REGION, "${DEFAULT_REGION}"}` as 'us-east-1',
    stackName: '${self:service}-${sls:stage}',
    deploymentMethod: 'direct',
  },
  params: stageParams,
  custom: { profiles },
  resources: {
    Description: 'config-store (${sls:stage}): DynamoDB table served over REST by API Gateway',
    Parameters: apiKeyParameters,
    Conditions: { ...deploymentConditions, ...apiKeyConditions },
    Resources: {
      ...tableResources,
      ...iamResources,
      ...apiResources,
      ...gatewayResponseResources,
      ...deploymentResources(
        Object.entries(apiResources)
          .filter(([, resource]) => resource.Type === 'AWS::ApiGateway::Method')
          .map(([logicalId]) => logicalId),
      ),
      ...apiKeyResources,
    },
    Outputs: outputs,
  },
};

module.exports = serverlessConfiguration;
