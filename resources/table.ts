import type { CfnResources } from '../lib/cloudformation';

/** Logical id of the configuration table. */
export const TABLE = 'ConfigTable';

/**
 * The table: one item per (id, range). Its name carries the stage, so every stage gets its
 * own table. Production safety (PITR, deletion protection, Retain) follows stage params.
 */
export const tableResources: CfnResources = {
  [TABLE]: {
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: '${param:tableRetainPolicy}' as 'Retain',
    UpdateReplacePolicy: '${param:tableRetainPolicy}' as 'Retain',
    Properties: {
      TableName: '${self:service}-${sls:stage}',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'range', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'id', KeyType: 'HASH' },
        { AttributeName: 'range', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: {
        PointInTimeRecoveryEnabled: '${param:pointInTimeRecovery}',
      },
      DeletionProtectionEnabled: '${param:deletionProtection}',
      SSESpecification: { SSEEnabled: '${param:tableKmsEncryption}' },
    },
  },
};
