/**
 * Stage → the outputs of its CloudFormation stack (`config-store-<stage>`): the scripts find
 * the table and the endpoint of a deployed stage the way `sls info` does, by DescribeStacks.
 */
import {
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';

/** The outputs resources/outputs.ts declares. */
export const STACK_OUTPUT_KEYS = ['ServiceEndpoint', 'TableName', 'RestApiId', 'ApiKeyId'] as const;
export type StackOutputKey = (typeof STACK_OUTPUT_KEYS)[number];

/** The one call the scripts make; a `CloudFormationClient` fits, and so does a recorded fake. */
export interface DescribeStacksClient {
  send(command: DescribeStacksCommand): Promise<DescribeStacksCommandOutput>;
}

export interface StackOutputs {
  stackName: string;
  region: string;
  status: string;
  /** Every output of the stack by key, including ones Serverless adds. */
  values: Record<string, string>;
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

export async function describeStackOutputs(
  cfn: DescribeStacksClient,
  stage: string,
  region: string,
): Promise<StackOutputs> {
  const stackName = stackNameFor(stage);
  let response: DescribeStacksCommandOutput;
  try {
    response = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (err) {
    if (isStackMissing(err)) {
      throw new StackNotFoundError(
        `Stack ${stackName} does not exist in ${region}: deploy the stage with ` +
          `\`npx sls deploy --stage ${stage}\`, or pass the region it was deployed to with --region`,
        { cause: err },
      );
    }
    throw err;
  }
  const stack = response.Stacks?.[0];
  if (!stack) throw new StackNotFoundError(`DescribeStacks returned no stack ${stackName}`);
  const values: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) {
      values[output.OutputKey] = output.OutputValue;
    }
  }
  return { stackName, region, status: stack.StackStatus ?? 'UNKNOWN', values };
}

/** One output by key, or an error naming the stack, its status and how to fix it. */
export function requireOutput(outputs: StackOutputs, key: StackOutputKey): string {
  const value = outputs.values[key];
  if (value) return value;
  throw new MissingStackOutputError(
    `Stack ${outputs.stackName} (${outputs.region}, ${outputs.status}) has no output ${key}; ` +
      'redeploy the stage with the current serverless.ts (resources/outputs.ts declares it)',
  );
}

/** CloudFormation answers an unknown stack with a ValidationError, not a "not found" code. */
function isStackMissing(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'ValidationError' && /does not exist/.test(err.message);
}
