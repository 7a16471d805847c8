import { API_GATEWAY_PRINCIPAL } from '../lib/aws-constants';
import { TABLE } from './table';
import type { CfnResources } from '../lib/cloudformation';
import { getAtt } from './intrinsics';

/** Role names: one role per integration, each allowed only what its methods call. */
export const READ_ROLE = 'ApiReadRole';
export const PUT_ROLE = 'ApiPutItemRole';
export const DELETE_ROLE = 'ApiDeleteItemRole';

/** A role API Gateway (and nothing else) can assume, allowed `actions` on the table only. */
function integrationRole(policyName: string, actions: string[]) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: API_GATEWAY_PRINCIPAL },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      Policies: [
        {
          PolicyName: policyName,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: actions.map((action) => `dynamodb:${action}`),
                Resource: getAtt(TABLE, 'Arn'),
              },
            ],
          },
        },
      ],
    },
  };
}

export const iamResources: CfnResources = {
  [READ_ROLE]: integrationRole('read-config-table', ['Query', 'GetItem']),
  [PUT_ROLE]: integrationRole('put-config-item', ['PutItem']),
  [DELETE_ROLE]: integrationRole('delete-config-item', ['DeleteItem']),
};
