/**
 * `sls info` prints no endpoint for a service without functions: this plugin reads the
 * stack's outputs after Serverless has displayed its own endpoints and adds ours.
 */

export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
}

interface ServerlessLike {
  getProvider(name: 'aws'): {
    request(service: string, method: string, params: Record<string, unknown>): Promise<unknown>;
    naming: { getStackName(): string };
  };
  serviceOutputs: Map<string, string | string[]>;
}

/** The lines `sls info` prints under "endpoints:" for this service's outputs. */
export function endpointLines(outputs: StackOutput[]): string[] {
  const endpoint = outputs.find((o) => o.OutputKey === 'ServiceEndpoint')?.OutputValue;
  if (!endpoint) return [];
  const base = endpoint.replace(/\/$/, '');
  return [
    `GET - ${base}/{id}`,
    `GET - ${base}/{id}/{range}`,
    `PUT - ${base}/{id}/{range}`,
    `DELETE - ${base}/{id}/{range}`,
  ];
}

export async function fetchStackOutputs(serverless: ServerlessLike): Promise<StackOutput[]> {
  const provider = serverless.getProvider('aws');
  const result = (await provider.request('CloudFormation', 'describeStacks', {
    StackName: provider.naming.getStackName(),
  })) as { Stacks?: { Outputs?: StackOutput[] }[] };
  return result.Stacks?.[0]?.Outputs ?? [];
}

class EndpointInfoPlugin {
  readonly hooks: Record<string, () => Promise<void>>;

  constructor(serverless: ServerlessLike) {
    this.hooks = {
      'after:aws:info:displayEndpoints': async () => {
        const outputs = await fetchStackOutputs(serverless);
        const lines = endpointLines(outputs);
        if (lines.length > 0) serverless.serviceOutputs.set('endpoints', lines);
        const table = outputs.find((o) => o.OutputKey === 'TableName')?.OutputValue;
        if (table) serverless.serviceOutputs.set('table', table);
      },
    };
  }
}

module.exports = EndpointInfoPlugin;
module.exports.endpointLines = endpointLines;
module.exports.fetchStackOutputs = fetchStackOutputs;
