/**
 * The AWS SDK client the local stage uses for admin calls on its embedded DynamoDB (creating
 * tables, loading items): dummy credentials, the local endpoint, no retries.
 */
import {
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from '../../lib/aws-constants';
import { LOCAL_CREDENTIALS } from './client';

export function adminClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    // A local engine that fails once will fail again; retries only hide the first error.
    maxAttempts: 1,
  });
}

/** The table's description, or undefined when it does not exist. */
export async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}
