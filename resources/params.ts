/**
 * Per-stage settings, read in resources/ as `${param:name}`.
 *
 * Production safety is chosen by the `profile` param, not by the stage's name: the `prod`
 * stage sets it, and any other stage can opt in with `STAGE_PROFILE=production` in its
 * `.env.<stage>` (a `staging` stage, say). Each setting below is the profile's value unless a
 * stage overrides it. `.env.example` documents every environment variable.
 */
export const profiles = {
  development: {
    /** Point-in-time recovery of the table (continuous backups). */
    pointInTimeRecovery: false,
    /** The table cannot be deleted while this is on (not even by `sls remove`). */
    deletionProtection: false,
    /** DeletionPolicy/UpdateReplacePolicy of the table: `Delete` keeps `sls remove` clean. */
    tableRetainPolicy: 'Delete',
    /** Encrypt the table with the AWS-managed KMS key instead of an AWS-owned key. */
    tableKmsEncryption: false,
    /** API Gateway access logs to a CloudWatch log group (needs the account's logging role). */
    accessLogs: false,
    /** Execution metrics in CloudWatch, per method. */
    metrics: false,
    /** X-Ray tracing of API requests. */
    tracing: false,
    /**
     * Stage throttling per method: steady requests/s and burst, all clients together. A cap
     * on what a runaway client can cost a development stage (1000/s is $3.50 every ~17 minutes),
     * well above what a team's services and tests need.
     */
    throttleRate: 1000,
    throttleBurst: 2000,
    /** Usage plan for the API key (writes): requests/s, burst, requests per day. */
    keyThrottleRate: 100,
    keyThrottleBurst: 200,
    keyQuotaPerDay: 1000000,
  },
  production: {
    pointInTimeRecovery: true,
    deletionProtection: true,
    tableRetainPolicy: 'Retain',
    tableKmsEncryption: true,
    accessLogs: true,
    metrics: true,
    tracing: true,
    // Burst at most 5000: API Gateway's account-level burst in a region.
    throttleRate: 5000,
    throttleBurst: 5000,
    keyThrottleRate: 1000,
    keyThrottleBurst: 2000,
    keyQuotaPerDay: 50000000,
  },
};

type Setting = keyof (typeof profiles)['development'];

/** `${self:custom.profiles.<profile>.<setting>}` for every profile setting. */
const fromProfile = Object.fromEntries(
  (Object.keys(profiles.development) as Setting[]).map((setting) => [
    setting,
    `\${self:custom.profiles.\${param:profile}.${setting}}`,
  ]),
);

export const stageParams = {
  default: {
    /** `development` (cheap, removable) or `production` (safe). Env: STAGE_PROFILE. */
    profile: '${env:STAGE_PROFILE, "development"}',
    ...fromProfile,
    /**
     * Writer API key value to pin, else empty: API Gateway generates the key. Env: API_KEY
     * (20-128 characters). A pinned value sits in the template (docs/stages-and-deploy.md).
     */
    apiKey: '${pinnedApiKey:API_KEY}',
    /** Allowed CORS origin of every response. Env: CORS_ORIGIN, default `*`. */
    corsOrigin: '${env:CORS_ORIGIN, "*"}',
    /** Reads need the API key too when true. Env: READ_API_KEY_REQUIRED, default false. */
    readApiKeyRequired: '${strToBool(${env:READ_API_KEY_REQUIRED, "false"})}',
    /** Days to keep access logs. Env: LOG_RETENTION_DAYS, default 30. */
    logRetentionDays: '${env:LOG_RETENTION_DAYS, 30}',
    /** Cache GET responses in a stage cache cluster (billed per hour). Env: GET_CACHE=true. */
    cacheEnabled: '${strToBool(${env:GET_CACHE, "false"})}',
    /** Cache cluster size in GB and TTL in seconds. Env: GET_CACHE_SIZE, GET_CACHE_TTL. */
    cacheSize: '${env:GET_CACHE_SIZE, "0.5"}',
    cacheTtl: '${env:GET_CACHE_TTL, 60}',
  },
  prod: {
    profile: 'production',
  },
};
