/**
 * `sls deploy` keeps the writer key slots the deployed stack has. The template parameter
 * `WriterKeys` (resources/api-keys.ts) is changed only by `npm run rotate-key`, on the stack
 * itself; CloudFormation would otherwise reset a parameter that an update does not pass to its
 * Default (`A`, https://github.com/aws/aws-cli/pull/2573) and so delete a key mid-rotation.
 * This passes `UsePreviousValue` whenever the stack already has the parameter; a stack created
 * before it existed gets the Default (UsePreviousValue is refused for a parameter the previous
 * template lacks, https://github.com/aws/aws-cli/issues/2873).
 */
import { WRITER_KEYS_PARAMETER } from '../resources/api-keys';

interface StackParameter {
  ParameterKey: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

interface ServerlessLike {
  getProvider(name: 'aws'): {
    request(service: string, method: string, params: Record<string, unknown>): Promise<unknown>;
    naming: { getStackName(): string };
  };
  service: { provider: { stackParameters?: StackParameter[]; shouldNotDeploy?: boolean } };
}

/** The stack parameters to deploy with, given the deployed stack's own parameters. */
export function keepWriterKeys(
  deployed: { ParameterKey?: string }[],
  configured: StackParameter[] = [],
): StackParameter[] {
  const others = configured.filter((p) => p.ParameterKey !== WRITER_KEYS_PARAMETER);
  if (!deployed.some((p) => p.ParameterKey === WRITER_KEYS_PARAMETER)) return others;
  return [...others, { ParameterKey: WRITER_KEYS_PARAMETER, UsePreviousValue: true }];
}

class WriterKeysPlugin {
  readonly hooks: Record<string, () => Promise<void>>;

  constructor(serverless: ServerlessLike) {
    this.hooks = {
      // After Serverless has created the stack if it had to, right before UpdateStack.
      'before:aws:deploy:deploy:updateStack': async () => {
        const provider = serverless.service.provider;
        if (provider.shouldNotDeploy) return;
        const aws = serverless.getProvider('aws');
        let deployed: { ParameterKey?: string }[] = [];
        try {
          const result = (await aws.request('CloudFormation', 'describeStacks', {
            StackName: aws.naming.getStackName(),
          })) as { Stacks?: { Parameters?: { ParameterKey?: string }[] }[] };
          deployed = result.Stacks?.[0]?.Parameters ?? [];
        } catch (error) {
          // No stack yet (Serverless creates it in this step with a custom deployment bucket):
          // CloudFormation answers ValidationError "Stack with id X does not exist".
          const code = (error as { providerError?: { code?: string } }).providerError?.code;
          if (code !== 'ValidationError' || !/does not exist/.test((error as Error).message)) {
            throw error;
          }
        }
        const parameters = keepWriterKeys(deployed, provider.stackParameters);
        provider.stackParameters = parameters.length > 0 ? parameters : undefined;
      },
    };
  }
}

module.exports = WriterKeysPlugin;
module.exports.keepWriterKeys = keepWriterKeys;
