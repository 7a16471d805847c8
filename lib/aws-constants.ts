/**
 * AWS names and the local stage's stand-ins for an account, in one place. The local stage
 * answers as one deployment in LOCAL_REGION of LOCAL_ACCOUNT_ID (the placeholder account that
 * AWS's own examples and LocalStack use); a real deploy goes to `AWS_REGION`, else
 * DEFAULT_REGION (serverless.ts).
 */

/** Where `sls deploy` goes when neither `--region` nor `AWS_REGION` says otherwise. */
export const DEFAULT_REGION = 'us-east-1';

/** `AWS::Region` of the local stage (and the region the embedded DynamoDB's clients sign for). */
export const LOCAL_REGION = 'us-east-1';

/** `AWS::AccountId` of the local stage. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** `AWS::Partition` of the commercial regions. */
export const PARTITION = 'aws';

/** `AWS::URLSuffix` of the commercial regions. */
export const URL_SUFFIX = 'amazonaws.com';

/** The service principal API Gateway assumes integration roles as. */
export const API_GATEWAY_PRINCIPAL = `apigateway.${URL_SUFFIX}`;

/** `https://<this>/<stage>`: the default endpoint host of a REST API. */
export function executeApiHost(apiId: string, region: string): string {
  return `${apiId}.execute-api.${region}.${URL_SUFFIX}`;
}
