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
 *
 * What a request template left in both is still there for the response template (as recorded on
 * AWS: LocalStack test_integration_mock_with_request_overrides_in_response_template and
 * test_integration_mock_with_response_override_in_request_template[True]): the gateway passes it
 * back in as `context.requestOverride` / `context.responseOverride`, which seed the maps here.
 * A seeded entry may be set again by the response template; only a second write within one
 * template is the 5XX.
 */
import { TemplateRuntimeError } from './errors';
import { JMap, fromHost, isNull, javaToString } from './values';

/** A map that accepts each key once: a second write is API Gateway's 5XX. */
export class WriteOnceMap extends JMap {
  private readonly written = new Set<string>();
  constructor(private readonly label: string) {
    super();
  }
  override put(key: string, value: unknown): unknown {
    if (this.written.has(key)) {
      throw new TemplateRuntimeError(`${this.label}.${key} is set twice; API Gateway answers 5XX`);
    }
    this.written.add(key);
    return super.put(key, value);
  }
}

/** A host record's own entries (null-prototype or plain), else none. */
function entriesOf(value: unknown): [string, unknown][] {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value)
    : [];
}

export interface ContextVariable {
  context: JMap;
  responseOverride: JMap;
  responseHeaders: JMap;
  requestOverride: { header: JMap; querystring: JMap; path: JMap };
}

export function buildContext(values: Record<string, unknown> | undefined): ContextVariable {
  const { requestOverride: requestSeed, responseOverride: responseSeed, ...rest } = values ?? {};
  const context = fromHost(rest) as JMap;
  const responseOverride = new WriteOnceMap('$context.responseOverride');
  const responseHeaders = new WriteOnceMap('$context.responseOverride.header');
  // Seeded entries and the header map are the template's initial state, not writes by it.
  for (const [name, value] of entriesOf(responseSeed)) {
    if (name !== 'header') responseOverride.map.set(name, fromHost(value));
  }
  for (const [name, value] of entriesOf(
    (responseSeed as { header?: unknown } | undefined)?.header,
  )) {
    responseHeaders.map.set(name, fromHost(value));
  }
  responseOverride.map.set('header', responseHeaders);
  context.map.set('responseOverride', responseOverride);
  const seeded = (where: string) =>
    new JMap(
      entriesOf((requestSeed as Record<string, unknown> | undefined)?.[where]).map(
        ([name, value]) => [name, fromHost(value)],
      ),
    );
  const requestOverride = {
    header: seeded('header'),
    querystring: seeded('querystring'),
    path: seeded('path'),
  };
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
  responseOverrideValues: Record<string, string>;
} {
  // Every entry but the header map, as strings (status included): what the gateway passes on.
  const responseOverrideValues = Object.create(null) as Record<string, string>;
  for (const [name, value] of ctx.responseOverride.map) {
    if (name !== 'header' && !isNull(value)) responseOverrideValues[name] = javaToString(value);
  }
  const headerOverrides: Record<string, string> = {};
  for (const [name, value] of ctx.responseHeaders.map) {
    if (!isNull(value)) headerOverrides[name] = javaToString(value);
  }
  const status = ctx.responseOverride.map.get('status');
  if (isNull(status)) return { headerOverrides, responseOverrideValues };
  const code = Number(javaToString(status));
  if (!Number.isInteger(code) || code < 100 || code > 599) {
    throw new TemplateRuntimeError(
      `$context.responseOverride.status must be an HTTP status code, got ${JSON.stringify(javaToString(status))}`,
    );
  }
  return { statusOverride: code, headerOverrides, responseOverrideValues };
}
