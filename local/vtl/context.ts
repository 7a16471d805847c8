/**
 * $context and its response overrides.
 *
 * $context.responseOverride.status / .header.X are read after the whole template has rendered and
 * replace the integration response's status and headers. API Gateway answers 5XX when a template
 * sets the same override twice, so the maps refuse a second write.
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
}

export function buildContext(values: Record<string, unknown> | undefined): ContextVariable {
  const context = fromHost(values ?? {}) as JMap;
  const responseOverride = new WriteOnceMap('$context.responseOverride');
  const responseHeaders = new WriteOnceMap('$context.responseOverride.header');
  // The header map is part of the template's initial state, not a write by the template.
  responseOverride.map.set('header', responseHeaders);
  context.map.set('responseOverride', responseOverride);
  return { context, responseOverride, responseHeaders };
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
