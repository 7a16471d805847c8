/**
 * Reading the method request's parameters the way API Gateway does, for every stage that needs
 * them: header names match case-insensitively, path and query string names exactly.
 */

export function lookupParam(
  map: Record<string, string>,
  name: string,
  caseInsensitive: boolean,
): string | undefined {
  if (Object.hasOwn(map, name)) return map[name];
  if (!caseInsensitive) return undefined;
  const lower = name.toLowerCase();
  const key = Object.keys(map).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : map[key];
}

/** The media type of the request body, without parameters; `application/json` when absent. */
export function requestContentType(header: Record<string, string>): string {
  const value = lookupParam(header, 'content-type', true);
  const type = value?.split(';')[0].trim().toLowerCase();
  return type || 'application/json';
}
