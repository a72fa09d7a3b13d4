export type NormalizedPath = { ok: true; path: string; search: string } | { ok: false; reason: string };

const HEX = /^[0-9A-Fa-f]{2}$/;

function isUnreserved(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
    || code === 0x2d || code === 0x2e || code === 0x5f || code === 0x7e;
}

/**
 * Turns a request target into the canonical path the route table matches, or refuses it.
 * Refused (the proxy answers 400): `..` segments however spelled (`%2e%2e`, `.%2E`),
 * encoded slashes and backslashes (`%2f`, `%5c`), raw backslashes, control characters
 * (raw or encoded, NUL included), bad or non-UTF-8 percent-encodings.
 * Kept canonical: percent-encoded unreserved characters are decoded (`%75sers` is `users`)
 * and the rest upper-cased (`%c3%a9` becomes `%C3%A9`), so the path stays a valid request
 * target to forward; `//` collapses and `.` segments drop. The query string is returned
 * apart, untouched.
 *
 * @example
 * normalizeRequestPath('/users//7/./?x=1') // { ok: true, path: '/users/7/', search: '?x=1' }
 * normalizeRequestPath('/users/%2e%2e/admin') // { ok: false, reason: '".." segment in path' }
 */
export function normalizeRequestPath(rawUrl: string): NormalizedPath {
  const end = canonicalPathEnd(rawUrl);
  if (end === rawUrl.length) return { ok: true, path: rawUrl, search: '' };
  if (end > 0) return { ok: true, path: rawUrl.slice(0, end), search: rawUrl.slice(end) };
  let target = rawUrl;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(target);
  if (scheme) {
    // absolute-form (`GET http://host/path`): only the path is ours to route.
    const slash = target.indexOf('/', scheme[0].length);
    const cut = [slash, target.indexOf('?', scheme[0].length), target.indexOf('#', scheme[0].length)].filter((i) => i >= 0);
    const start = cut.length ? Math.min(...cut) : target.length;
    target = start === slash ? target.slice(start) : `/${target.slice(start)}`;
  }
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  const search = q >= 0 ? target.slice(q) : '';
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  if (!rawPath.startsWith('/')) return { ok: false, reason: 'the request path must start with "/"' };

  const out: string[] = [];
  const parts = rawPath.split('/');
  parts.shift();
  let trailingSlash = false;
  for (const [i, part] of parts.entries()) {
    const seg = canonicalSegment(part);
    if (!seg.ok) return seg;
    const last = i === parts.length - 1;
    if (seg.value === '..') return { ok: false, reason: '".." segment in path' };
    if (seg.value === '' || seg.value === '.') {
      if (last) trailingSlash = true;
      continue;
    }
    out.push(seg.value);
  }
  const path = `/${out.join('/')}${trailingSlash && out.length > 0 ? '/' : ''}`;
  return { ok: true, path, search };
}

/**
 * Where the path of `rawUrl` ends (its `?`, or its length) when that path is canonical
 * already, as nearly every request's is: it starts with `/`, and has no `%`, backslash,
 * control character or space, no empty segment (`//`), no segment starting with `.`, and
 * no `#` anywhere. Else -1, and the full normalisation decides.
 */
function canonicalPathEnd(rawUrl: string): number {
  if (rawUrl.charCodeAt(0) !== 0x2f /* / */) return -1;
  const length = rawUrl.length;
  let i = 1;
  let previous = 0x2f;
  for (; i < length; i++) {
    const c = rawUrl.charCodeAt(i);
    if (c === 0x3f /* ? */) break;
    if (c === 0x25 /* % */ || c === 0x5c /* \ */ || c <= 0x20 || c === 0x7f || c === 0x23 /* # */) return -1;
    if (previous === 0x2f && (c === 0x2f || c === 0x2e /* . */)) return -1;
    previous = c;
  }
  return i < length && rawUrl.indexOf('#', i) !== -1 ? -1 : i;
}

function canonicalSegment(part: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (!part.includes('%')) {
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      if (c === 0x5c) return { ok: false, reason: 'backslash in path' };
      if (c <= 0x20 || c === 0x7f) return { ok: false, reason: 'control character or space in path' };
    }
    return { ok: true, value: part };
  }
  let value = '';
  for (let i = 0; i < part.length; i++) {
    const ch = part[i] as string;
    const c = ch.charCodeAt(0);
    if (c === 0x5c) return { ok: false, reason: 'backslash in path' };
    if (c <= 0x20 || c === 0x7f) return { ok: false, reason: 'control character or space in path' };
    if (ch !== '%') {
      value += ch;
      continue;
    }
    const hex = part.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return { ok: false, reason: `bad percent-encoding "%${hex}" in path` };
    const byte = parseInt(hex, 16);
    if (byte === 0x2f) return { ok: false, reason: 'encoded slash (%2F) in path' };
    if (byte === 0x5c) return { ok: false, reason: 'encoded backslash (%5C) in path' };
    if (byte < 0x20 || byte === 0x7f) return { ok: false, reason: `encoded control character (%${hex.toUpperCase()}) in path` };
    value += isUnreserved(byte) ? String.fromCharCode(byte) : `%${hex.toUpperCase()}`;
    i += 2;
  }
  try {
    decodeURIComponent(value);
  } catch {
    return { ok: false, reason: 'percent-encoding in path is not valid UTF-8' };
  }
  return { ok: true, value };
}
