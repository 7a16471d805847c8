/**
 * $input: the body, JSONPath over it, and the method request parameters.
 *
 * API Gateway evaluates JSONPath with Jayway JsonPath on json-smart, which is why a map from
 * $input.path prints Java-style ({a=b}) and a list prints as JSON: see values.ts.
 */
import { JSONPath } from 'jsonpath-plus';
import { BodyNotJsonError, UnsupportedTemplateError } from './errors';
import { HostObject, JDouble, JList, JMap, parseJsonToJava, toJsonSmart } from './values';

export interface InputParams {
  path?: Record<string, string>;
  querystring?: Record<string, string>;
  header?: Record<string, string>;
}

/**
 * Refuses JSONPath that jsonpath-plus would read differently from Jayway: script and function
 * extensions, and jsonpath-plus' own operators (^ parent, ~ property names, @path...).
 */
export function checkJsonPath(path: string): void {
  if (!path.startsWith('$')) {
    throw new UnsupportedTemplateError(`JSONPath ${JSON.stringify(path)} must start with "$"`);
  }
  const outsideStrings = path.replace(/'[^']*'|"[^"]*"/g, "''");
  if (/\(\)|[\^~`]|@(?:path|parent|property|parentProperty|root)\b|\.\.\s*$/.test(outsideStrings)) {
    throw new UnsupportedTemplateError(
      `JSONPath ${JSON.stringify(path)} uses a construct the local VTL runtime does not support (functions, ^, ~, @path ...)`,
    );
  }
}

/** Jayway returns one value for a definite path and a list for wildcards, filters, slices... */
function isDefinite(path: string): boolean {
  const outsideStrings = path.replace(/'[^']*'|"[^"]*"/g, "''");
  return !/\*|\.\.|\?\(|\[[^\]]*[,:][^\]]*\]/.test(outsideStrings);
}

/** A plain JS mirror of the Java model, for jsonpath-plus to walk (filters compare numbers). */
function mirror(value: unknown): unknown {
  if (value instanceof JMap)
    return Object.fromEntries([...value.map].map(([k, v]) => [k, mirror(v)]));
  if (value instanceof JList) return value.items.map(mirror);
  if (value instanceof JDouble) return value.value;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let node = root;
  if (pointer === '') return node;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node instanceof JMap) node = node.map.get(key);
    else if (node instanceof JList) node = node.items[Number(key)];
    else return undefined;
  }
  return node;
}

export class InputObject implements HostObject {
  readonly hostName = '$input';
  /** The body parsed once per render, on first use; its mirror only when JSONPath needs it. */
  private parsed: { root: unknown; mirror?: unknown } | undefined;

  constructor(
    private readonly rawBody: string,
    private readonly params: InputParams,
  ) {}

  /** API Gateway hands an empty payload to templates as "{}" (LocalStack AWS snapshot). */
  get body(): string {
    return this.rawBody === '' ? '{}' : this.rawBody;
  }

  private document(): { root: unknown; mirror?: unknown } {
    if (!this.parsed) {
      let root: unknown;
      try {
        root = parseJsonToJava(this.body);
      } catch (e) {
        throw new BodyNotJsonError(
          `$input.path/$input.json: the body is not valid JSON (${(e as Error).message})`,
        );
      }
      this.parsed = { root };
    }
    return this.parsed;
  }

  path(path: string): unknown {
    checkJsonPath(path);
    const doc = this.document();
    // "$" is the whole body (what JSONPath would find too), the path every template starts with.
    if (path === '$') return doc.root;
    doc.mirror ??= mirror(doc.root);
    const pointers = JSONPath({
      path,
      json: doc.mirror as object,
      resultType: 'pointer',
      wrap: true,
    }) as string[];
    const found = pointers.map((p) => resolvePointer(doc.root, p));
    if (isDefinite(path)) return found.length > 0 ? found[0] : null;
    return new JList(found, true);
  }

  json(path: string): unknown {
    const value = this.path(path);
    // A missing definite path yields null (renders as nothing), like $input.path: unverified
    // on AWS, which documents no behaviour for it.
    return value === null || value === undefined ? null : toJsonSmart(value);
  }

  paramsMap(): JMap {
    const section = (values: Record<string, string> | undefined): JMap =>
      new JMap(Object.entries(values ?? {}));
    return new JMap([
      ['path', section(this.params.path)],
      ['querystring', section(this.params.querystring)],
      ['header', section(this.params.header)],
    ]);
  }

  /** $input.params(x): path, then query string, then header; "" when absent. */
  param(name: string): string {
    for (const where of ['path', 'querystring', 'header'] as const) {
      const values = this.params[where];
      if (values && Object.prototype.hasOwnProperty.call(values, name)) return values[name];
    }
    return '';
  }

  getProperty(name: string): unknown {
    if (name === 'body') return this.body;
    return undefined;
  }

  callMethod(name: string, args: unknown[]): unknown {
    if (name === 'params' && args.length === 0) return this.paramsMap();
    if (name === 'params' && args.length === 1)
      return typeof args[0] === 'string' ? this.param(args[0]) : null;
    if ((name === 'path' || name === 'json') && args.length === 1) {
      if (typeof args[0] !== 'string') return null;
      return name === 'path' ? this.path(args[0]) : this.json(args[0]);
    }
    if (name === 'getBody' && args.length === 0) return this.body;
    throw new UnsupportedTemplateError(
      `$input.${name}() with ${args.length} argument(s) is not an API Gateway $input method`,
    );
  }
}

/**
 * $input.name(args) as a function of the $input object and the arguments, for the compiler to
 * call directly while $input is API Gateway's; undefined for anything else (then the generic
 * call applies, and refuses what $input does not have).
 */
export function inputMethod(
  name: string,
  arity: number,
): ((input: InputObject, arg?: unknown) => unknown) | undefined {
  if (name === 'params' && arity === 0) return (input) => input.paramsMap();
  if (name === 'params' && arity === 1)
    return (input, arg) => (typeof arg === 'string' ? input.param(arg) : null);
  if (name === 'path' && arity === 1)
    return (input, arg) => (typeof arg === 'string' ? input.path(arg) : null);
  if (name === 'json' && arity === 1)
    return (input, arg) => (typeof arg === 'string' ? input.json(arg) : null);
  return undefined;
}
