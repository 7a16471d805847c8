/**
 * Reading the method request's parameters the way API Gateway does, for every stage that needs
 * them: header names match case-insensitively, path and query string names exactly.
 */

/**
 * One case-insensitive index per header map (lower-cased name → the first name of that spelling
 * the client sent), built on its first case-insensitive lookup: a request's stages look up
 * half a dozen headers, each used to scan every name. Rebuilt if names were added since.
 */
const caseInsensitiveIndexes = new WeakMap<
  Record<string, string>,
  { names: number; index: Map<string, string> }
>();

function caseInsensitiveIndex(map: Record<string, string>): Map<string, string> {
  const names = Object.keys(map);
  const cached = caseInsensitiveIndexes.get(map);
  if (cached && cached.names === names.length) return cached.index;
  const index = new Map<string, string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    if (!index.has(lower)) index.set(lower, name);
  }
  caseInsensitiveIndexes.set(map, { names: names.length, index });
  return index;
}

export function lookupParam(
  map: Record<string, string>,
  name: string,
  caseInsensitive: boolean,
): string | undefined {
  if (Object.hasOwn(map, name)) return map[name];
  if (!caseInsensitive) return undefined;
  const key = caseInsensitiveIndex(map).get(name.toLowerCase());
  return key === undefined ? undefined : map[key];
}

/** The media type of the request body, without parameters; `application/json` when absent. */
export function requestContentType(header: Record<string, string>): string {
  const value = lookupParam(header, 'content-type', true);
  const type = value?.split(';')[0].trim().toLowerCase();
  return type || 'application/json';
}

/**
 * `map[key]` when `map` has its own `key`: for maps keyed by names the client chooses (media
 * types from Content-Type or Accept), where `constructor` or `__proto__` must find nothing.
 */
export function ownValue<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
