/**
 * `${requiredEnv:NAME}`: the value of an environment variable that a stage cannot do
 * without (e.g. API_KEY). Plain `${env:NAME}` fails with "Value not found at env source"
 * without naming the file to fix; this says which variable, for which stage, and where.
 * Variables from `.env.<stage>` are loaded (useDotenv) before plugins resolve.
 */

export interface RequiredEnvRule {
  /** Smallest accepted length, where a value has one (API keys: 20). */
  minLength?: number;
}

const RULES: Record<string, RequiredEnvRule> = {
  API_KEY: { minLength: 20 },
};

export function requireEnv(name: string, stage: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  const where = `Set it in .env.${stage} (see .env.example) or in the environment.`;
  if (value === undefined || value === '') {
    throw new Error(`${name} is required for stage "${stage}" but is not set. ${where}`);
  }
  const minLength = RULES[name]?.minLength;
  if (minLength !== undefined && value.length < minLength) {
    throw new Error(
      `${name} for stage "${stage}" must be at least ${minLength} characters (API Gateway's minimum for API key values). ${where}`,
    );
  }
  return value;
}

interface ServerlessLike {
  classes: { Error: new (message: string, code?: string) => Error };
}

class RequiredEnvPlugin {
  readonly configurationVariablesSources: Record<
    string,
    { resolve(input: { address: string; options: { stage?: string } }): Promise<{ value: string }> }
  >;

  constructor(serverless: ServerlessLike) {
    this.configurationVariablesSources = {
      requiredEnv: {
        async resolve({ address, options }) {
          try {
            return { value: requireEnv(address, options.stage ?? 'dev', process.env) };
          } catch (error) {
            throw new serverless.classes.Error((error as Error).message, 'MISSING_REQUIRED_ENV');
          }
        },
      },
    };
  }
}

module.exports = RequiredEnvPlugin;
module.exports.requireEnv = requireEnv;
