/**
 * $util: exactly the six functions API Gateway documents, with the Java behaviour behind them.
 */
import { TemplateRuntimeError, UnsupportedTemplateError } from './errors';
import { HostObject, parseJsonToJava } from './values';

export const UTIL_FUNCTIONS = [
  'escapeJavaScript',
  'parseJson',
  'urlEncode',
  'urlDecode',
  'base64Encode',
  'base64Decode',
] as const;

function hex(code: number): string {
  return code.toString(16).toUpperCase();
}

/** A character escapeJavaScript changes: control, above 0x7f, or one of ' " \ /. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for.
const NEEDS_JS_ESCAPE = /[\u0000-\u001f'"\\/\u0080-\uffff]/;

/**
 * Commons Lang 2.6 StringEscapeUtils.escapeJavaScript (escapeJavaStyleString with single quote and
 * forward slash escaping): chars above 0x7f become \uXXXX (uppercase hex), control chars get
 * their short escape or \u00XX, and ' " \ / get a backslash. 0x7f itself passes through, as in
 * the Commons Lang source (`ch > 0x7f`).
 */
export function escapeJavaScript(s: string): string {
  // Most strings need no escape at all: skip building a copy of them.
  if (!NEEDS_JS_ESCAPE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (code > 0xfff) out += `\\u${hex(code)}`;
    else if (code > 0xff) out += `\\u0${hex(code)}`;
    else if (code > 0x7f) out += `\\u00${hex(code)}`;
    else if (code < 32) {
      switch (ch) {
        case '\b':
          out += '\\b';
          break;
        case '\n':
          out += '\\n';
          break;
        case '\t':
          out += '\\t';
          break;
        case '\f':
          out += '\\f';
          break;
        case '\r':
          out += '\\r';
          break;
        default:
          out += code > 0xf ? `\\u00${hex(code)}` : `\\u000${hex(code)}`;
      }
    } else if (ch === "'" || ch === '"' || ch === '\\' || ch === '/') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** The UTF-8 bytes Java's String.getBytes("UTF-8") produces: a lone surrogate becomes "?". */
export function javaUtf8(s: string): Buffer {
  return Buffer.from(
    s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '?'),
    'utf8',
  );
}

/** java.net.URLEncoder.encode(s, "UTF-8"): form encoding, space -> "+", uppercase hex. */
export function urlEncode(s: string): string {
  let out = '';
  for (const byte of javaUtf8(s)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** java.net.URLDecoder.decode(s, "UTF-8"): "+" -> space, %XX runs decoded as UTF-8. */
export function urlDecode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length;) {
    const ch = s[i];
    if (ch === '+') {
      out += ' ';
      i++;
    } else if (ch === '%') {
      const bytes: number[] = [];
      while (i < s.length && s[i] === '%') {
        const pair = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(pair)) {
          throw new TemplateRuntimeError(
            `URLDecoder: Illegal hex characters in escape (%) pattern in ${JSON.stringify(s)}`,
          );
        }
        bytes.push(parseInt(pair, 16));
        i += 3;
      }
      // Malformed UTF-8 decodes to U+FFFD, as Java's String(bytes, UTF-8) does.
      out += Buffer.from(bytes).toString('utf8');
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

export function base64Encode(s: string): string {
  return javaUtf8(s).toString('base64');
}

export function base64Decode(s: string): string {
  // Java's Base64 decoder rejects characters outside the alphabet; Buffer would skip them.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) {
    throw new TemplateRuntimeError(
      `base64Decode: illegal base64 input ${JSON.stringify(s.slice(0, 40))}`,
    );
  }
  return Buffer.from(s, 'base64').toString('utf8');
}

export function parseJson(s: string): unknown {
  try {
    return parseJsonToJava(s);
  } catch (e) {
    throw new TemplateRuntimeError(`$util.parseJson: ${(e as Error).message}`);
  }
}

/** Each $util function on a java.lang.String argument. */
const IMPLEMENTATIONS = new Map<string, (arg: string) => unknown>([
  ['escapeJavaScript', escapeJavaScript],
  ['parseJson', parseJson],
  ['urlEncode', urlEncode],
  ['urlDecode', urlDecode],
  ['base64Encode', base64Encode],
  ['base64Decode', base64Decode],
]);

/**
 * $util.name as a function of one argument. Each function takes a java.lang.String: Velocity
 * finds no method for another argument type (or null) and the call yields null, which renders
 * as nothing. Undefined for a name that is not one of the six.
 */
export function utilFunction(name: string): ((arg: unknown) => unknown) | undefined {
  const implementation = IMPLEMENTATIONS.get(name);
  if (!implementation) return undefined;
  return (arg) => (typeof arg === 'string' ? implementation(arg) : null);
}

/** $util as a Velocity object. */
export class UtilObject implements HostObject {
  readonly hostName = '$util';
  getProperty(): unknown {
    return undefined;
  }
  callMethod(name: string, args: unknown[]): unknown {
    if (args.length !== 1) {
      throw new UnsupportedTemplateError(`$util.${name} takes exactly one argument`);
    }
    const call = utilFunction(name);
    if (!call) {
      throw new UnsupportedTemplateError(
        `$util.${name} is not one of API Gateway's $util functions`,
      );
    }
    return call(args[0]);
  }
}

/** $util holds no state: one instance serves every render. */
export const UTIL = new UtilObject();
