/**
 * A Content-Type reduced to what changes meaning: type/subtype and parameter names in
 * lower case, the charset value in lower case, whitespace and parameter order gone.
 * `charset=utf-8` on JSON is dropped: JSON is UTF-8 by definition (RFC 8259), so
 * `application/json` and `application/json; charset=UTF-8` are the same answer.
 */
export function normalizeMediaType(header: string | undefined): string {
  if (!header) return '';
  const [type = '', ...rawParams] = header.split(';');
  const media = type.trim().toLowerCase();
  const params: string[] = [];
  for (const raw of rawParams) {
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    const name = raw.slice(0, eq).trim().toLowerCase();
    let value = raw.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (name === 'charset') {
      value = value.toLowerCase();
      if (isJsonMediaType(media) && value === 'utf-8') continue;
    }
    if (name) params.push(`${name}=${value}`);
  }
  params.sort();
  return [media, ...params].join('; ');
}

/** `application/json`, `application/problem+json`, `text/json` and the like. */
export function isJsonMediaType(header: string | undefined): boolean {
  const media = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}
