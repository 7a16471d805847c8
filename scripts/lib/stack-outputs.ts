/**
 * Stage → what its CloudFormation stack (`config-store-<stage>`) says about it: the outputs
 * (table, endpoint, writer key id) by DescribeStacks, and the writer key's value by API
 * Gateway's GetApiKey with includeValue, the way `sls info` finds them. Anyone with read access
 * to the stage needs no `.env.<stage>` and no secret. Every failure names the stage, the region
 * (and where that came from) and the stack, and says what to do.
 */
import {
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { GetApiKeyCommand, type GetApiKeyCommandOutput } from '@aws-sdk/client-api-gateway';
import type { ResolvedRegion } from './region';

/** The outputs resources/outputs.ts declares. */
export const STACK_OUTPUT_KEYS = [
  'ServiceEndpoint',
  'TableName',
  'RestApiId',
  'ApiKeyId',
  'PreviousApiKeyId',
  'WriterKeys',
] as const;
export type StackOutputKey = (typeof STACK_OUTPUT_KEYS)[number];

/** The one call the scripts make; a `CloudFormationClient` fits, and so does a recorded fake. */
export interface DescribeStacksClient {
  send(command: DescribeStacksCommand): Promise<DescribeStacksCommandOutput>;
}

/** GetApiKey only; an `APIGatewayClient` fits, and so does a recorded fake. */
export interface GetApiKeyClient {
  send(command: GetApiKeyCommand): Promise<GetApiKeyCommandOutput>;
}

export interface StackOutputs {
  stage: string;
  stackName: string;
  region: string;
  /** Where the region came from (`--region`, `AWS_REGION`, ...), for messages. */
  regionSource: string;
  status: string;
  /** Every output of the stack by key, including ones Serverless adds. */
  values: Record<string, string>;
  /** Every template parameter of the stack by key (WriterKeys). */
  parameters: Record<string, string>;
}

/** serverless.ts: `stackName: '${self:service}-${sls:stage}'`. */
export function stackNameFor(stage: string): string {
  return `config-store-${stage}`;
}

/** The stage was never deployed to this region (or has been removed). */
export class StackNotFoundError extends Error {
  override readonly name = 'StackNotFoundError';
}

/** The stack exists but lacks an output the script needs (failed or older deploy). */
export class MissingStackOutputError extends Error {
  override readonly name = 'MissingStackOutputError';
}

/** No AWS credentials were found at all. */
export class NoCredentialsError extends Error {
  override readonly name = 'NoCredentialsError';
}

/** The credentials may not do what the script needs (DescribeStacks or GetApiKey). */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedError';
}

/** How the caller's AWS error reads: its code (`name`), as the SDK sets it. */
function awsErrorCode(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** Error codes of a refused call: CloudFormation says AccessDenied, API Gateway AccessDeniedException. */
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** The SDK's credential chain found nothing (@smithy/property-provider CredentialsProviderError). */
const NO_CREDENTIALS = new Set(['CredentialsProviderError']);

const CREDENTIALS_HINT =
  'set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and ' +
  'AWS_SECRET_ACCESS_KEY, then run it again';

function describeWhere(stage: string, region: ResolvedRegion): string {
  return `stack ${stackNameFor(stage)} (stage ${stage}, region ${region.region} from ${region.source})`;
}

export async function describeStackOutputs(
  cfn: DescribeStacksClient,
  stage: string,
  region: ResolvedRegion,
): Promise<StackOutputs> {
  const stackName = stackNameFor(stage);
  const where = describeWhere(stage, region);
  let response: DescribeStacksCommandOutput;
  try {
    response = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (err) {
    throw translateAwsError(err, {
      notFound: () =>
        new StackNotFoundError(
          `No ${where}. Deploy the stage with \`npx sls deploy --stage ${stage}\`; if it was ` +
            'deployed to another region, pass that region with --region <region> (or set ' +
            'AWS_REGION); `aws cloudformation list-stacks --region <region>` shows what a region has',
          { cause: err },
        ),
      denied: () =>
        new AccessDeniedError(
          `Not allowed to read ${where}: your credentials need cloudformation:DescribeStacks on it ` +
            `(${(err as Error).message})`,
          { cause: err },
        ),
      noCredentials: () =>
        new NoCredentialsError(`No AWS credentials to read ${where}: ${CREDENTIALS_HINT}`, {
          cause: err,
        }),
    });
  }
  const stack = response.Stacks?.[0];
  if (!stack) throw new StackNotFoundError(`DescribeStacks returned no ${where}`);
  const values: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) {
      values[output.OutputKey] = output.OutputValue;
    }
  }
  const parameters: Record<string, string> = {};
  for (const parameter of stack.Parameters ?? []) {
    if (parameter.ParameterKey && parameter.ParameterValue !== undefined) {
      parameters[parameter.ParameterKey] = parameter.ParameterValue;
    }
  }
  return {
    stage,
    stackName,
    region: region.region,
    regionSource: region.source,
    status: stack.StackStatus ?? 'UNKNOWN',
    values,
    parameters,
  };
}

/** One output by key, or an error naming the stack, its status and how to fix it. */
export function requireOutput(outputs: StackOutputs, key: StackOutputKey): string {
  const value = outputs.values[key];
  if (value) return value;
  throw new MissingStackOutputError(
    `Stack ${outputs.stackName} (stage ${outputs.stage}, region ${outputs.region}, ` +
      `${outputs.status}) has no output ${key}; redeploy the stage with the current ` +
      `serverless.ts (\`npx sls deploy --stage ${outputs.stage}\`)`,
  );
}

/** A writer key of the stack, with its value (GetApiKey includeValue). */
export interface WriterKey {
  id: string;
  name: string;
  value: string;
}

/**
 * The value of the key with output `key` (ApiKeyId: the current writer key). API Gateway
 * returns a key's value only when asked with includeValue and only to callers allowed
 * apigateway:GET on /apikeys/<id>
 * (https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKey.html).
 */
export async function readWriterKey(
  apiGateway: GetApiKeyClient,
  outputs: StackOutputs,
  key: 'ApiKeyId' | 'PreviousApiKeyId' = 'ApiKeyId',
): Promise<WriterKey> {
  const id = requireOutput(outputs, key);
  const where = `${describeWhere(outputs.stage, { region: outputs.region, source: outputs.regionSource })}`;
  let answer: GetApiKeyCommandOutput;
  try {
    answer = await apiGateway.send(new GetApiKeyCommand({ apiKey: id, includeValue: true }));
  } catch (err) {
    throw translateAwsError(err, {
      denied: () =>
        new AccessDeniedError(
          `Cannot read the writer key ${id} of ${where}: your credentials need apigateway:GET ` +
            `on arn:aws:apigateway:${outputs.region}::/apikeys/${id}. Ask for that permission, or ` +
            'for the key itself and pass it with --api-key',
          { cause: err },
        ),
      notFound: () =>
        new MissingStackOutputError(
          `The writer key ${id} of ${where} no longer exists in API Gateway (deleted outside ` +
            `CloudFormation?): redeploy the stage, or run \`npm run rotate-key -- --stage ${outputs.stage}\``,
          { cause: err },
        ),
      noCredentials: () =>
        new NoCredentialsError(
          `No AWS credentials to read the writer key of ${where}: ${CREDENTIALS_HINT}`,
          {
            cause: err,
          },
        ),
    });
  }
  if (!answer.value) {
    throw new AccessDeniedError(`GetApiKey returned no value for the writer key ${id} of ${where}`);
  }
  return { id, name: answer.name ?? id, value: answer.value };
}

/** Maps an AWS error to the script's error for that case; anything else passes unchanged. */
function translateAwsError(
  err: unknown,
  cases: { notFound: () => Error; denied: () => Error; noCredentials: () => Error },
): unknown {
  const code = awsErrorCode(err);
  if (code === undefined) return err;
  if (NO_CREDENTIALS.has(code)) return cases.noCredentials();
  if (ACCESS_DENIED.has(code)) return cases.denied();
  // CloudFormation answers an unknown stack with a ValidationError "Stack with id X does not
  // exist"; API Gateway an unknown key with NotFoundException.
  if (code === 'NotFoundException') return cases.notFound();
  if (code === 'ValidationError' && /does not exist/.test((err as Error).message)) {
    return cases.notFound();
  }
  return err;
}
