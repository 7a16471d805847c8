/**
 * $context and its overrides.
 *
 * $context.responseOverride.status / .header.X are read after the whole template has rendered and
 * replace the integration response's status and headers. API Gateway answers 5XX when a template
 * sets the same override twice, so the maps refuse a second write.
 *
 * $context.requestOverride.header / .querystring / .path are maps a request template fills to
 * change the integration request's headers, query string and path parameters; they are read
 * back after rendering (requestOverrides in MappingResult). See
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
 *
 * Every map here is a real mutable Java map: #set($context.requestOverride.header.X = ...),
 * $context.requestOverride.header.put(...) and $context["requestOverride"] all reach it.
 */
import { TemplateRuntimeError } from './errors';
import { JMap, fromHost, isNull, javaToString } from './values';

/** A map that accepts each key once: a second write is API Gateway's 5XX. */
export class WriteOnceMap extends JMap {
  constructor(private readonly label: string) {
    super();
  }
  override put(key: string, value: unknown): unknown {
    if (this.map.has(key)) {
      throw new TemplateRuntimeError(`${this.label}.${key} is set twice; API Gateway answers 5XX`);
    }
    return super.put(key, value);
  }
}

export interface ContextVariable {
  context: JMap;
  responseOverride: JMap;
  responseHeaders: JMap;
  requestOverride: { header: JMap; querystring: JMap; path: JMap };
}

export function buildContext(values: Record<string, unknown> | undefined): ContextVariable {
  const context = fromHost(values ?? {}) as JMap;
  const responseOverride = new WriteOnceMap('$context.responseOverride');
  const responseHeaders = new WriteOnceMap('$context.responseOverride.header');
  // The header map is part of the template's initial state, not a write by the template.
  responseOverride.map.set('header', responseHeaders);
  context.map.set('responseOverride', responseOverride);
  const requestOverride = { header: new JMap(), querystring: new JMap(), path: new JMap() };
  context.map.set('requestOverride', new JMap(Object.entries(requestOverride)));
  return { context, responseOverride, responseHeaders, requestOverride };
}

export interface RequestOverrides {
  header: Record<string, string>;
  querystring: Record<string, string>;
  path: Record<string, string>;
}

const NO_OVERRIDES: Record<string, string> = Object.freeze(
  Object.create(null) as Record<string, string>,
);

/** The request overrides a template set, as strings (null values are not overrides). */
export function readRequestOverrides(ctx: ContextVariable): RequestOverrides {
  const strings = (map: JMap): Record<string, string> => {
    if (map.map.size === 0) return NO_OVERRIDES;
    // Null-prototype: names are client-chosen data, never object properties.
    const out = Object.create(null) as Record<string, string>;
    for (const [name, value] of map.map) if (!isNull(value)) out[name] = javaToString(value);
    return out;
  };
  return {
    header: strings(ctx.requestOverride.header),
    querystring: strings(ctx.requestOverride.querystring),
    path: strings(ctx.requestOverride.path),
  };
}

/** Reads the overrides a template set. */
export function readOverrides(ctx: ContextVariable): {
  statusOverride?: number;
  headerOverrides: Record<string, string>;
} {
  const headerOverrides: Record<string, string> = {};
  for (const [name, value] of ctx.responseHeaders.map) {
    if (!isNull(value)) headerOverrides[name] = javaToString(value);
  }
  const status = ctx.responseOverride.map.get('status');
  if (isNull(status)) return { headerOverrides };
  const code = Number(javaToString(status));
  if (!Number.isInteger(code) || code < 100 || code > 599) {
    throw new TemplateRuntimeError(
      `$context.responseOverride.status must be an HTTP status code, got ${JSON.stringify(javaToString(status))}`,
    );
  }
  return { statusOverride: code, headerOverrides };
}
