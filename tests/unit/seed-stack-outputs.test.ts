/**
 * Stage → stack outputs, from recorded CloudFormation DescribeStacks answers; and the region
 * the scripts look in.
 */
import type { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  describeStackOutputs,
  MissingStackOutputError,
  requireOutput,
  StackNotFoundError,
} from '../../scripts/lib/stack-outputs';
import { resolveRegion } from '../../scripts/lib/region';
import { FakeClient, recorded, recordedError } from '../fixtures/scripts/fake-aws';

describe('describeStackOutputs', () => {
  it('asks for stack config-store-<stage> and returns every output by key', async () => {
    const cfn = new FakeClient<DescribeStacksCommand>([
      { response: recorded('describe-stacks.alice.json') },
    ]);
    const outputs = await describeStackOutputs(cfn, 'alice', 'eu-west-1');
    expect(cfn.sent).toEqual([{ StackName: 'config-store-alice' }]);
    expect(outputs).toMatchObject({
      stackName: 'config-store-alice',
      status: 'UPDATE_COMPLETE',
      values: {
        ServiceEndpoint: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice',
        TableName: 'config-store-alice',
        RestApiId: 'a1b2c3d4e5',
        ApiKeyId: 'k9j8h7g6f5',
      },
    });
    expect(requireOutput(outputs, 'TableName')).toBe('config-store-alice');
  });

  it('turns "Stack with id … does not exist" into an error that says how to deploy it', async () => {
    const cfn = new FakeClient<DescribeStacksCommand>([
      { error: recordedError('describe-stacks.not-found.json') },
    ]);
    const failure = describeStackOutputs(cfn, 'x', 'eu-west-1');
    await expect(failure).rejects.toThrow(StackNotFoundError);
    await expect(failure).rejects.toThrow(
      'Stack config-store-x does not exist in eu-west-1: deploy the stage with `npx sls deploy --stage x`',
    );
  });

  it('passes other errors through unchanged', async () => {
    const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' });
    const cfn = new FakeClient<DescribeStacksCommand>([{ error: denied }]);
    await expect(describeStackOutputs(cfn, 'alice', 'eu-west-1')).rejects.toBe(denied);
  });

  it.each(['ServiceEndpoint', 'TableName'] as const)(
    'names the stack, its status and the missing output %s of a rolled-back stack',
    async (key) => {
      const cfn = new FakeClient<DescribeStacksCommand>([
        { response: recorded('describe-stacks.rolled-back.json') },
      ]);
      const outputs = await describeStackOutputs(cfn, 'bob', 'eu-west-1');
      expect(() => requireOutput(outputs, key)).toThrow(MissingStackOutputError);
      expect(() => requireOutput(outputs, key)).toThrow(
        `Stack config-store-bob (eu-west-1, ROLLBACK_COMPLETE) has no output ${key}`,
      );
    },
  );
});

describe('resolveRegion', () => {
  it.each([
    [
      '--region wins',
      {
        flag: 'ap-south-1',
        env: { AWS_REGION: 'eu-west-1' },
        stageEnv: { AWS_REGION: 'us-west-2' },
      },
      'ap-south-1',
      '--region',
    ],
    [
      'then AWS_REGION of the environment',
      { env: { AWS_REGION: 'eu-west-1' }, stageEnv: { AWS_REGION: 'us-west-2' } },
      'eu-west-1',
      'AWS_REGION',
    ],
    [
      'then AWS_REGION of .env.<stage>',
      { env: {}, stageEnv: { AWS_REGION: 'us-west-2' }, stage: 'alice' },
      'us-west-2',
      'AWS_REGION in .env.alice',
    ],
    [
      'else the default of serverless.ts',
      { env: {}, stageEnv: {} },
      'us-east-1',
      'default of serverless.ts',
    ],
  ])('%s', (_case, input, region, source) => {
    expect(resolveRegion(input)).toEqual({ region, source });
  });
});
