/**
 * `sls info --stage X` prints the endpoint: the local plugin, driven as Serverless drives it,
 * with a recorded CloudFormation DescribeStacks response instead of AWS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { endpointLines } from '../../plugins/endpoint-info';

const EndpointInfoPlugin = require('../../plugins/endpoint-info');

const recordedOutputs = (stage: string) =>
  JSON.parse(
    readFileSync(
      path.join(__dirname, '..', 'fixtures', 'aws', `describe-stacks.${stage}.json`),
      'utf8',
    ),
  );
const recorded = recordedOutputs('alice');

function fakeServerless(stage: string, response: unknown) {
  const requests: unknown[][] = [];
  return {
    requests,
    serviceOutputs: new Map<string, string | string[]>(),
    getProvider: () => ({
      naming: { getStackName: () => `config-store-${stage}` },
      request: async (...args: unknown[]) => {
        requests.push(args);
        return response;
      },
    }),
  };
}

describe('sls info endpoint', () => {
  it('hooks after Serverless has displayed its own (empty) endpoints', () => {
    const plugin = new EndpointInfoPlugin(fakeServerless('alice', recorded));
    expect(Object.keys(plugin.hooks)).toEqual(['after:aws:info:displayEndpoints']);
  });

  it('reads the stage stack outputs and prints every route under the endpoint', async () => {
    const serverless = fakeServerless('alice', recorded);
    const plugin = new EndpointInfoPlugin(serverless);
    await plugin.hooks['after:aws:info:displayEndpoints']();
    expect(serverless.requests).toEqual([
      ['CloudFormation', 'describeStacks', { StackName: 'config-store-alice' }],
    ]);
    expect(serverless.serviceOutputs.get('endpoints')).toEqual([
      'GET - https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/{id}',
      'GET - https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/{id}/{range}',
      'PUT - https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/{id}/{range}',
      'DELETE - https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/{id}/{range}',
    ]);
    expect(serverless.serviceOutputs.get('table')).toBe('config-store-alice');
  });

  it.each([
    ['alice', 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice'],
    ['prod', 'https://z9y8x7w6v5.execute-api.us-east-1.amazonaws.com/prod'],
  ])('prints the %s stage endpoint from that stage`s own stack', async (stage, endpoint) => {
    const serverless = fakeServerless(stage, recordedOutputs(stage));
    await new EndpointInfoPlugin(serverless).hooks['after:aws:info:displayEndpoints']();
    expect(serverless.requests[0][2]).toEqual({ StackName: `config-store-${stage}` });
    expect(serverless.serviceOutputs.get('endpoints')?.[0]).toBe(`GET - ${endpoint}/{id}`);
    expect(serverless.serviceOutputs.get('table')).toBe(`config-store-${stage}`);
  });

  it('prints nothing for a stack without the endpoint output', async () => {
    const serverless = fakeServerless('bob', { Stacks: [{ Outputs: [] }] });
    await new EndpointInfoPlugin(serverless).hooks['after:aws:info:displayEndpoints']();
    expect(serverless.serviceOutputs.size).toBe(0);
    expect(endpointLines([])).toEqual([]);
  });
});
