/**
 * Renders API Gateway REST mapping templates the way AWS does: Apache Velocity 1.7 semantics on
 * Java objects, API Gateway's $input/$util/$context/$stageVariables, its limits, and
 * $context.responseOverride / requestOverride. See docs/mapping-template-runtime.md.
 *
 * The runtime, file by file: parser.ts (template text to a checked tree), compiler.ts (the tree
 * to one JavaScript function), helpers.ts (what that function calls), operators.ts (Java
 * numbers and Velocity's operators), java.ts (Java methods), values.ts (the Java value model),
 * input.ts / context.ts / util.ts ($input, $context, $util).
 */
import { RequestOverrides, buildContext, readOverrides, readRequestOverrides } from './context';
import { compileTemplate } from './compiler';
import { BodyNotJsonError, TemplateRuntimeError, UnsupportedTemplateError } from './errors';
import { Warning } from './helpers';
import { InputObject } from './input';
import { UTIL } from './util';
import { JMap } from './values';

export { BodyNotJsonError, TemplateRuntimeError, UnsupportedTemplateError };
export type { RequestOverrides, Warning };

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
  /**
   * Every other entry of $context.responseOverride the template left (status included), as
   * strings: the gateway hands them, with the header and request overrides, to the response
   * template through `context.responseOverride` / `context.requestOverride`.
   */
  responseOverrideValues: Record<string, string>;
  /**
   * What the template put in $context.requestOverride.header / .querystring / .path (empty maps
   * when it set none): the integration request's overrides, applied by the gateway.
   */
  requestOverrides: RequestOverrides;
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
  const { render } = compileTemplate(template);
  const state = { onWarning: options.onWarning };
  return (input: MappingInput): MappingResult => {
    const ctx = buildContext(input.context);
    // In GLOBAL_NAMES order (compiler.ts).
    const globals = [
      new InputObject(input.body, input.params ?? {}),
      UTIL,
      ctx.context,
      new JMap(Object.entries(input.stageVariables ?? {})),
    ];
    const body = render(globals, state);
    return { body, ...readOverrides(ctx), requestOverrides: readRequestOverrides(ctx) };
  };
}

export function renderMappingTemplate(
  template: string,
  input: MappingInput,
  options: RenderOptions = {},
): MappingResult {
  return compileMappingTemplate(template, options)(input);
}
