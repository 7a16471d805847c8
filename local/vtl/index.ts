/**
 * Renders API Gateway REST mapping templates the way AWS does: Apache Velocity 1.7 semantics on
 * Java objects, API Gateway's $input/$util/$context/$stageVariables, its limits, and
 * $context.responseOverride. See README.md ("The mapping-template runtime").
 */
import { buildContext, readOverrides } from './context';
import { TemplateRuntimeError, UnsupportedTemplateError } from './errors';
import { InputObject } from './input';
import { Warning, compileNodes, compileProgram } from './interpreter';
import { UtilObject } from './util';
import { JMap } from './values';

export { TemplateRuntimeError, UnsupportedTemplateError };
export type { Warning };

export interface MappingInput {
  body: string; // raw body the template sees as $input.body (request body for request templates, integration response body for response templates)
  params?: {
    path?: Record<string, string>;
    querystring?: Record<string, string>;
    header?: Record<string, string>;
  }; // method request params ($input.params)
  context?: Record<string, unknown>; // $context values (requestId, stage, httpMethod, resourcePath, path, identity: {sourceIp, userAgent, apiKey}, requestTimeEpoch, apiId, ...)
  stageVariables?: Record<string, string>;
}

export interface MappingResult {
  body: string; // rendered output
  statusOverride?: number; // from $context.responseOverride.status
  headerOverrides: Record<string, string>; // from $context.responseOverride.header.X
}

export interface RenderOptions {
  /**
   * Called when the template hits a limit that AWS enforces silently (a #foreach cut at 1000
   * iterations). Default: none.
   */
  onWarning?: (warning: Warning) => void;
}

/** API Gateway's mapping template size limit (limits.md). */
export const TEMPLATE_SIZE_LIMIT = 300 * 1024;

/** Parses once (throws UnsupportedTemplateError for constructs AWS would not run the same way). */
export function compileMappingTemplate(
  template: string,
  options: RenderOptions = {},
): (input: MappingInput) => MappingResult {
  const size = Buffer.byteLength(template, 'utf8');
  if (size > TEMPLATE_SIZE_LIMIT) {
    throw new TemplateRuntimeError(
      `mapping template is ${size} bytes; API Gateway's limit is 300 KB (${TEMPLATE_SIZE_LIMIT} bytes)`,
    );
  }
  const program = compileProgram(compileNodes(template));
  return (input: MappingInput): MappingResult => {
    const ctx = buildContext(input.context);
    const globals: [string, unknown][] = [
      ['input', new InputObject(input.body, input.params ?? {})],
      ['util', new UtilObject()],
      ['context', ctx.context],
      ['stageVariables', new JMap(Object.entries(input.stageVariables ?? {}))],
    ];
    const body = program(globals, options.onWarning);
    return { body, ...readOverrides(ctx) };
  };
}

export function renderMappingTemplate(
  template: string,
  input: MappingInput,
  options: RenderOptions = {},
): MappingResult {
  return compileMappingTemplate(template, options)(input);
}
