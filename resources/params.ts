/**
 * Per-stage settings (`${param:name}` in resources/). `default` applies to every stage;
 * a named stage overrides what it lists. Values read from the environment come from
 * `.env.<stage>` (useDotenv); `.env.example` documents each of them.
 */
export const stageParams = {
  default: {
    /** Allowed CORS origin for every response. Default `*`. */
    corsOrigin: '${env:CORS_ORIGIN, "*"}',
    /** Value of the writer API key; required, never committed. */
    apiKey: '${env:API_KEY}',
    /** Whether reads need the API key too. Default false: reads are public. */
    readApiKeyRequired: '${env:READ_API_KEY_REQUIRED, false}',
    /** Stage-wide throttling (requests/s and burst) for all clients. */
    throttleRate: 50,
    throttleBurst: 100,
    /** Throttling and daily quota for one API key (usage plan). */
    keyThrottleRate: 10,
    keyThrottleBurst: 20,
    keyQuotaPerDay: 10000,
    /** Production safety of the table: PITR, deletion protection, Retain policy, KMS. */
    pointInTimeRecovery: false,
    deletionProtection: false,
    tableRetainPolicy: 'Delete',
    tableKmsEncryption: false,
    /** Observability: access logs (with retention), execution metrics, X-Ray tracing. */
    accessLogs: false,
    logRetentionDays: 14,
    metrics: false,
    tracing: false,
    /** Response caching of GETs (a stage cache cluster costs money by the hour). */
    cacheEnabled: false,
    cacheSize: '0.5',
    cacheTtl: 60,
  },
  prod: {
    throttleRate: 500,
    throttleBurst: 1000,
    keyThrottleRate: 50,
    keyThrottleBurst: 100,
    keyQuotaPerDay: 1000000,
    pointInTimeRecovery: true,
    deletionProtection: true,
    tableRetainPolicy: 'Retain',
    tableKmsEncryption: true,
    accessLogs: true,
    logRetentionDays: 90,
    metrics: true,
    tracing: true,
  },
};
