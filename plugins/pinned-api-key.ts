/**
 * `${pinnedApiKey:API_KEY}`: the writer key value a stage pins, or '' when it pins none (the
 * default: API Gateway generates the key, and no `sls` command needs a secret). A value that
 * is set must be one API Gateway accepts (20 to 128 characters,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-apikey.html):
 * this says so at package time, naming the stage and the file to fix, instead of a failed
 * deploy. Variables from `.env.<stage>` are loaded (useDotenv) before plugins resolve.
 */

export const PINNED_KEY_LENGTH = { min: 20, max: 128 } as const;

/** A pinned key value that API Gateway would refuse. */
export class InvalidPinnedKeyError extends Error {
  override readonly name = 'InvalidPinnedKeyError';
}

/** The pinned value of variable `name` for `stage`, or '' when it is unset or empty. */
export function pinnedKeyValue(name: string, stage: string, env: NodeJS.ProcessEnv): string {
  const value = env[name] ?? '';
  if (value === '') return '';
  const { min, max } = PINNED_KEY_LENGTH;
  if (value.length < min || value.length > max) {
    throw new InvalidPinnedKeyError(
      `${name} for stage "${stage}" must be ${min} to ${max} characters (API Gateway's limits ` +
        `for API key values), got ${value.length}. Fix it in .env.${stage} or the environment, ` +
        'or unset it to let API Gateway generate the key.',
    );
  }
  return value;
}

interface ServerlessLike {
  classes: { Error: new (message: string, code?: string) => Error };
}

class PinnedApiKeyPlugin {
  readonly configurationVariablesSources: Record<
    string,
    { resolve(input: { address: string; options: { stage?: string } }): Promise<{ value: string }> }
  >;

  constructor(serverless: ServerlessLike) {
    this.configurationVariablesSources = {
      pinnedApiKey: {
        async resolve({ address, options }) {
          try {
            return { value: pinnedKeyValue(address, options.stage ?? 'dev', process.env) };
          } catch (error) {
            if (!(error instanceof InvalidPinnedKeyError)) throw error;
            throw new serverless.classes.Error(error.message, 'INVALID_PINNED_API_KEY');
          }
        },
      },
    };
  }
}

module.exports = PinnedApiKeyPlugin;
module.exports.pinnedKeyValue = pinnedKeyValue;
module.exports.InvalidPinnedKeyError = InvalidPinnedKeyError;
module.exports.PINNED_KEY_LENGTH = PINNED_KEY_LENGTH;
