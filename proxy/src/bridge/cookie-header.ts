/**
 * A Cookie header without the named session cookie (every occurrence), or undefined when
 * nothing else is left. A `jwt` backend authenticates by the bridged token alone, so the
 * session cookie, a credential it has no use for, never reaches it (or its logs).
 */
export function withoutSessionCookie(header: string, name: string): string | undefined {
  const pair = `${name}=`;
  if (!header.includes(pair)) return header;
  const kept = header.split(';').map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith(pair));
  return kept.length ? kept.join('; ') : undefined;
}

/**
 * The Set-Cookie list with `values` as the only session cookies: whatever a backend set for
 * the named cookie is replaced, so the browser gets exactly the bridge's (the contract's
 * logout sends exactly one clearing cookie).
 */
export function withSessionSetCookie(existing: string | string[] | undefined, values: readonly string[], name: string): string[] {
  const pair = `${name}=`;
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  return [...list.filter((c) => !c.trimStart().startsWith(pair)), ...values];
}

/** Whether a Set-Cookie list sets the named cookie (a login, logout or regenerate on the legacy side). */
export function setsCookie(existing: string | string[] | undefined, name: string): boolean {
  if (existing === undefined) return false;
  const pair = `${name}=`;
  return (Array.isArray(existing) ? existing : [existing]).some((c) => c.trimStart().startsWith(pair));
}
