/** The console's session cookie. Not `__Host-`: that prefix demands `Path=/`, and this one stays under `/__proxy/`. */
export const CONSOLE_COOKIE = 'strangler_console';

const ATTRIBUTES = 'Path=/__proxy/; HttpOnly; SameSite=Strict';

/** The Set-Cookie value that signs a browser in for `maxAgeMs`. */
export function sessionCookie(id: string, maxAgeMs: number, secure: boolean): string {
  return `${CONSOLE_COOKIE}=${id}; ${ATTRIBUTES}; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that removes it (sign-out, or a cookie whose session is gone). */
export function clearedCookie(secure: boolean): string {
  return `${CONSOLE_COOKIE}=; ${ATTRIBUTES}; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** The console cookie's value in a `Cookie` header, or undefined. */
export function consoleCookieOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === CONSOLE_COOKIE) {
      const value = part.slice(eq + 1).trim();
      // Ids are base64url; anything else was never ours.
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}
