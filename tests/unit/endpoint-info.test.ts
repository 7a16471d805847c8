/**
 * `sls info --stage X` prints the writer key, the endpoint and the table: the local plugin,
 * driven as Serverless drives it, with recorded CloudFormation DescribeStacks and API Gateway
 * GetApiKey answers instead of AWS (a fake `provider.request`, no network).
 */
import { endpointLines } from '../../plugins/endpoint-info';
import { recorded, recordedError } from '../fixtures/scripts/fake-aws';

const EndpointInfoPlugin = require('../../plugins/endpoint-info');
const HOOK = 'after:aws:info:displayApiKeys';

/** Answers by `service.method` (and, for GetApiKey, by key id); records every request. */
function fakeServerless(stage: string, answers: Record<string, unknown>) {
  const requests: unknown[][] = [];
  return {
    requests,
    serviceOutputs: new Map<string, string | string[]>(),
    getProvider: () => ({
      naming: { getStackName: () => `config-store-${stage}` },
      request: async (service: string, method: string, params: Record<string, unknown>) => {
        requests.push([service, method, params]);
        const answer =
          answers[`${service}.${method}.${String(params.apiKey)}`] ??
          answers[`${service}.${method}`];
        if (answer instanceof Error) throw answer;
        if (answer === undefined) throw new Error(`unexpected ${service}.${method}`);
        return answer;
      },
    }),
  };
}

const alice = {
  'CloudFormation.describeStacks': recorded('describe-stacks.alice.json'),
  'APIGateway.getApiKey.k9j8h7g6f5': recorded('get-api-key.alice.json'),
  'APIGateway.getApiKey.p4q5r6s7t8': recorded('get-api-key.alice-b.json'),
};

async function info(stage: string, answers: Record<string, unknown>, options = {}) {
  const serverless = fakeServerless(stage, answers);
  await new EndpointInfoPlugin(serverless, options).hooks[HOOK]();
  return serverless;
}

describe('sls info', () => {
  it('hooks where Serverless prints its own API keys', () => {
    expect(Object.keys(new EndpointInfoPlugin(fakeServerless('alice', alice)).hooks)).toEqual([
      HOOK,
    ]);
  });

  it('prints the writer key read from the stack, every route and the table', async () => {
    const serverless = await info('alice', alice);
    expect(serverless.requests).toEqual([
      ['CloudFormation', 'describeStacks', { StackName: 'config-store-alice' }],
      ['APIGateway', 'getApiKey', { apiKey: 'k9j8h7g6f5', includeValue: true }],
    ]);
    expect([...serverless.serviceOutputs]).toEqual([
      [
        'api keys',
        [
          'config-store-alice-writer: Qm4tX8vLr2Zp7Wd1Ks9Hy3Nc6Bf0Gj5Ta8Ue2Vo1 - Writes configuration records (stage alice)',
        ],
      ],
      [
        'endpoints',
        [
          'GET - https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/{id}',
          'GET - https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/{id}/{range}',
          'PUT - https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/{id}/{range}',
          'DELETE - https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/{id}/{range}',
        ],
      ],
      ['table', 'config-store-alice'],
    ]);
  });

  it('--conceal leaves the values out, as Serverless does for its own keys', async () => {
    const serverless = await info('alice', alice, { conceal: true });
    expect(serverless.requests[1]).toEqual([
      'APIGateway',
      'getApiKey',
      { apiKey: 'k9j8h7g6f5', includeValue: false },
    ]);
    expect(serverless.serviceOutputs.get('api keys')).toEqual([
      'config-store-alice-writer - Writes configuration records (stage alice)',
    ]);
  });

  it('during a rotation, prints the new key and the retiring one', async () => {
    const serverless = await info('alice', {
      ...alice,
      'CloudFormation.describeStacks': recorded('describe-stacks.alice-rotating.json'),
    });
    expect(serverless.serviceOutputs.get('api keys')).toEqual([
      'config-store-alice-writer-b: Rz7Yc2Lp9Kx4Mv1Qw8Ht5Jn3Sd6Fg0Ba2Ce7Ui4o - Writes configuration records (stage alice)',
      'config-store-alice-writer: Qm4tX8vLr2Zp7Wd1Ks9Hy3Nc6Bf0Gj5Ta8Ue2Vo1 - Writes configuration records (stage alice) (retiring: npm run rotate-key -- --finish deletes it)',
    ]);
  });

  it('without apigateway:GET, still prints the endpoint and says why the key is missing', async () => {
    const serverless = await info('alice', {
      ...alice,
      'APIGateway.getApiKey.k9j8h7g6f5': recordedError('get-api-key.access-denied.json'),
    });
    expect(serverless.serviceOutputs.get('api keys')).toEqual([
      'k9j8h7g6f5: (not readable: User: arn:aws:iam::123456789012:user/bob is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:eu-west-1::/apikeys/k9j8h7g6f5)',
    ]);
    expect(serverless.serviceOutputs.get('endpoints')).toHaveLength(4);
  });

  it('prints the prod stage from its own stack', async () => {
    const serverless = await info('prod', {
      'CloudFormation.describeStacks': recorded('describe-stacks.prod.json'),
      'APIGateway.getApiKey': recorded('get-api-key.prod.json'),
    });
    expect(serverless.requests[0][2]).toEqual({ StackName: 'config-store-prod' });
    expect(serverless.serviceOutputs.get('api keys')).toEqual([
      'config-store-prod-writer: Hd8Kq2Wm5Xr1Zt7Lc4Nv9Bp3Gs6Fy0Je2Ua5Mo8 - Writes configuration records (stage prod)',
    ]);
    expect(serverless.serviceOutputs.get('endpoints')?.[0]).toBe(
      'GET - https://z9y8x7w6v5.execute-api.us-east-1.amazonaws.com/prod/{id}',
    );
    expect(serverless.serviceOutputs.get('table')).toBe('config-store-prod');
  });

  it('prints nothing for a stack without outputs', async () => {
    const serverless = await info('bob', {
      'CloudFormation.describeStacks': { Stacks: [{ Outputs: [] }] },
    });
    expect(serverless.serviceOutputs.size).toBe(0);
    expect(endpointLines([])).toEqual([]);
  });
});
