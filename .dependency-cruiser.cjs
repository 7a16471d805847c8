/**
 * Import rules `npm run lint` enforces (dependency-cruiser). Type-only imports count: a cycle
 * through `import type` still ties two modules together for a reader (tsPreCompilationDeps).
 */
const GATEWAY_STAGES =
  '(resource-router|method-request|integration-request|integration|integration-response|method-response|gateway-response)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-import-cycles',
      comment:
        'A module cannot (even through types) depend on itself: give the shared part its own module.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'local-not-from-scripts',
      comment:
        'The local stage (local/) does not import the deploy-side scripts (scripts/): what both need lives in lib/.',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'gateway-stage-not-from-another-stage',
      comment:
        'Each gateway stage stands alone, as in API Gateway: what two stages share (request-params, template-mapping, stage-types, gateway-errors, invocation) has its own module.',
      severity: 'error',
      from: { path: `^local/gateway/${GATEWAY_STAGES}\\.ts$` },
      to: { path: `^local/gateway/${GATEWAY_STAGES}\\.ts$`, pathNot: '^$0$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|\\.serverless|coverage)/' },
  },
};
