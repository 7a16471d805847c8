/**
 * `sls info` prints no endpoint and no API key for a service without functions and without
 * `provider.apiKeys`: this plugin reads the stack and adds what a teammate needs, the way
 * Serverless prints its own sections: `api keys:` (name: value - description, as
 * serverless/lib/plugins/aws/info/display.js does; `--conceal` leaves the values out),
 * `endpoints:` and `table:`. It needs read access to the stack and `apigateway:GET` on the
 * keys, no `.env.<stage>` and no secret. `--verbose` still lists every stack output.
 */

export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
}

/** GetApiKey's answer (https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKey.html). */
export interface ApiKeyDescription {
  id?: string;
  name?: string;
  value?: string;
  description?: string;
  enabled?: boolean;
}

type Request = (
  service: string,
  method: string,
  params: Record<string, unknown>,
) => Promise<unknown>;

interface ServerlessLike {
  getProvider(name: 'aws'): {
    request: Request;
    naming: { getStackName(): string };
  };
  serviceOutputs: Map<string, string | string[]>;
}

/** The lines `sls info` prints under "endpoints:" for this service's outputs. */
export function endpointLines(outputs: StackOutput[]): string[] {
  const endpoint = outputValue(outputs, 'ServiceEndpoint');
  if (!endpoint) return [];
  const base = endpoint.replace(/\/$/, '');
  return [
    `GET - ${base}/{id}`,
    `GET - ${base}/{id}/{range}`,
    `PUT - ${base}/{id}/{range}`,
    `DELETE - ${base}/{id}/{range}`,
  ];
}

function outputValue(outputs: StackOutput[], key: string): string | undefined {
  return outputs.find((o) => o.OutputKey === key)?.OutputValue;
}

export async function fetchStackOutputs(serverless: ServerlessLike): Promise<StackOutput[]> {
  const provider = serverless.getProvider('aws');
  const result = (await provider.request('CloudFormation', 'describeStacks', {
    StackName: provider.naming.getStackName(),
  })) as { Stacks?: { Outputs?: StackOutput[] }[] };
  return result.Stacks?.[0]?.Outputs ?? [];
}

/**
 * The lines under "api keys:": the current writer key (output ApiKeyId) and, while a rotation
 * is under way, the retiring one (PreviousApiKeyId). A key the caller may not read is listed
 * with the reason, so the rest of `sls info` still helps.
 */
export async function apiKeyLines(
  request: Request,
  outputs: StackOutput[],
  opts: { conceal?: boolean } = {},
): Promise<string[]> {
  const keys = [
    { id: outputValue(outputs, 'ApiKeyId'), note: '' },
    {
      id: outputValue(outputs, 'PreviousApiKeyId'),
      note: ' (retiring: npm run rotate-key -- --finish deletes it)',
    },
  ];
  const lines: string[] = [];
  for (const { id, note } of keys) {
    if (!id) continue;
    let key: ApiKeyDescription;
    try {
      key = (await request('APIGateway', 'getApiKey', {
        apiKey: id,
        includeValue: !opts.conceal,
      })) as ApiKeyDescription;
    } catch (error) {
      lines.push(`${id}: (not readable: ${(error as Error).message})${note}`);
      continue;
    }
    const name = key.name ?? id;
    const description = `${key.description ? ` - ${key.description}` : ''}${note}`;
    lines.push(opts.conceal ? `${name}${description}` : `${name}: ${key.value}${description}`);
  }
  return lines;
}

class EndpointInfoPlugin {
  readonly hooks: Record<string, () => Promise<void>>;

  constructor(serverless: ServerlessLike, options: { conceal?: boolean } = {}) {
    this.hooks = {
      // Where Serverless prints its own API keys, before the (here empty) endpoints.
      'after:aws:info:displayApiKeys': async () => {
        const outputs = await fetchStackOutputs(serverless);
        const provider = serverless.getProvider('aws');
        const keys = await apiKeyLines(provider.request.bind(provider), outputs, options);
        if (keys.length > 0) serverless.serviceOutputs.set('api keys', keys);
        const lines = endpointLines(outputs);
        if (lines.length > 0) serverless.serviceOutputs.set('endpoints', lines);
        const table = outputValue(outputs, 'TableName');
        if (table) serverless.serviceOutputs.set('table', table);
      },
    };
  }
}

module.exports = EndpointInfoPlugin;
module.exports.endpointLines = endpointLines;
module.exports.apiKeyLines = apiKeyLines;
module.exports.fetchStackOutputs = fetchStackOutputs;
