/**
 * Stage → stack outputs and writer key, from recorded CloudFormation DescribeStacks and API
 * Gateway GetApiKey answers; every failure names stage, region and stack and says what to do.
 * And the region the scripts look in.
 */
import type { GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import type { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AccessDeniedError,
  describeStackOutputs,
  MissingStackOutputError,
  NoCredentialsError,
  readWriterKey,
  requireOutput,
  StackNotFoundError,
} from '../../scripts/lib/stack-outputs';
import { resolveRegion } from '../../scripts/lib/region';
import { FakeClient, recorded, recordedError } from '../fixtures/scripts/fake-aws';

const EU_WEST_1 = { region: 'eu-west-1', source: 'AWS_REGION' };
const stacks = (...replies: ConstructorParameters<typeof FakeClient>[0]) =>
  new FakeClient<DescribeStacksCommand>(replies);
const alice = () =>
  describeStackOutputs(
    stacks({ response: recorded('describe-stacks.alice.json') }),
    'alice',
    EU_WEST_1,
  );

describe('describeStackOutputs', () => {
  it('asks for stack config-store-<stage> and returns every output and parameter by key', async () => {
    const cfn = stacks({ response: recorded('describe-stacks.alice.json') });
    const outputs = await describeStackOutputs(cfn, 'alice', EU_WEST_1);
    expect(cfn.sent).toEqual([{ StackName: 'config-store-alice' }]);
    expect(outputs).toMatchObject({
      stage: 'alice',
      stackName: 'config-store-alice',
      status: 'UPDATE_COMPLETE',
      values: {
        ServiceEndpoint: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice',
        TableName: 'config-store-alice',
        RestApiId: 'a1b2c3d4e5',
        ApiKeyId: 'k9j8h7g6f5',
        WriterKeys: 'A',
      },
      parameters: { WriterKeys: 'A' },
    });
    expect(requireOutput(outputs, 'TableName')).toBe('config-store-alice');
  });

  it('no stack: names stage, region and its source, and says to deploy or pass the region', async () => {
    const cfn = stacks({ error: recordedError('describe-stacks.not-found.json') });
    const failure = describeStackOutputs(cfn, 'x', {
      region: 'us-east-1',
      source: 'default of serverless.ts',
    });
    await expect(failure).rejects.toThrow(StackNotFoundError);
    await expect(failure).rejects.toThrow(
      'No stack config-store-x (stage x, region us-east-1 from default of serverless.ts). ' +
        'Deploy the stage with `npx sls deploy --stage x`; if it was deployed to another region, ' +
        'pass that region with --region <region> (or set AWS_REGION)',
    );
  });

  it('no credentials: says how to provide them', async () => {
    const cfn = stacks({ error: recordedError('no-credentials.json') });
    const failure = describeStackOutputs(cfn, 'alice', EU_WEST_1);
    await expect(failure).rejects.toThrow(NoCredentialsError);
    await expect(failure).rejects.toThrow(
      'No AWS credentials to read stack config-store-alice (stage alice, region eu-west-1 from AWS_REGION): set AWS_PROFILE',
    );
  });

  it('DescribeStacks refused: names the permission', async () => {
    const cfn = stacks({ error: recordedError('describe-stacks.access-denied.json') });
    const failure = describeStackOutputs(cfn, 'alice', EU_WEST_1);
    await expect(failure).rejects.toThrow(AccessDeniedError);
    await expect(failure).rejects.toThrow(
      'Not allowed to read stack config-store-alice (stage alice, region eu-west-1 from AWS_REGION): your credentials need cloudformation:DescribeStacks',
    );
  });

  it('passes other errors through unchanged', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    const cfn = stacks({ error: throttled });
    await expect(describeStackOutputs(cfn, 'alice', EU_WEST_1)).rejects.toBe(throttled);
  });

  it.each(['ServiceEndpoint', 'TableName', 'ApiKeyId'] as const)(
    'names the stack, its status and the missing output %s of a rolled-back stack',
    async (key) => {
      const cfn = stacks({ response: recorded('describe-stacks.rolled-back.json') });
      const outputs = await describeStackOutputs(cfn, 'bob', EU_WEST_1);
      expect(() => requireOutput(outputs, key)).toThrow(MissingStackOutputError);
      expect(() => requireOutput(outputs, key)).toThrow(
        `Stack config-store-bob (stage bob, region eu-west-1, ROLLBACK_COMPLETE) has no output ${key}`,
      );
    },
  );
});

describe('readWriterKey', () => {
  it('reads the current key with includeValue', async () => {
    const apiGateway = new FakeClient<GetApiKeyCommand>([
      { response: recorded('get-api-key.alice.json') },
    ]);
    expect(await readWriterKey(apiGateway, await alice())).toEqual({
      id: 'k9j8h7g6f5',
      name: 'config-store-alice-writer',
      value: 'Qm4tX8vLr2Zp7Wd1Ks9Hy3Nc6Bf0Gj5Ta8Ue2Vo1',
    });
    expect(apiGateway.sent).toEqual([{ apiKey: 'k9j8h7g6f5', includeValue: true }]);
  });

  it('key not readable: names the key, stack and the permission, offers --api-key', async () => {
    const apiGateway = new FakeClient<GetApiKeyCommand>([
      { error: recordedError('get-api-key.access-denied.json') },
    ]);
    const failure = readWriterKey(apiGateway, await alice());
    await expect(failure).rejects.toThrow(AccessDeniedError);
    await expect(failure).rejects.toThrow(
      'Cannot read the writer key k9j8h7g6f5 of stack config-store-alice (stage alice, region eu-west-1 from AWS_REGION): ' +
        'your credentials need apigateway:GET on arn:aws:apigateway:eu-west-1::/apikeys/k9j8h7g6f5. ' +
        'Ask for that permission, or for the key itself and pass it with --api-key',
    );
  });

  it('key gone from API Gateway: says to redeploy or rotate', async () => {
    const apiGateway = new FakeClient<GetApiKeyCommand>([
      { error: recordedError('get-api-key.not-found.json') },
    ]);
    await expect(readWriterKey(apiGateway, await alice())).rejects.toThrow(
      /The writer key k9j8h7g6f5 of stack config-store-alice .* no longer exists in API Gateway/,
    );
  });
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
      'or of .env when the stage has no file of its own',
      { env: {}, stageEnv: { AWS_REGION: 'us-west-2' }, stage: 'alice', stageEnvFile: '.env' },
      'us-west-2',
      'AWS_REGION in .env',
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
