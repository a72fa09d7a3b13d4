import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * Accepts `Authorization: Bearer <token>` only for the admin token. Both sides are hashed
 * first, so the comparison is constant-time and of equal length whatever the client sends.
 */
export function requireBearer(expected: string): RequestHandler {
  if (!expected) throw new Error('the admin token is empty: set PROXY_ADMIN_TOKEN');
  const expectedDigest = createHash('sha256').update(expected).digest();
  return (req, res, next) => {
    const given = bearerToken(req.headers.authorization);
    const givenDigest = createHash('sha256').update(given ?? '').digest();
    if (given !== undefined && timingSafeEqual(givenDigest, expectedDigest)) {
      next();
      return;
    }
    res.status(401).set('www-authenticate', 'Bearer realm="strangler-proxy"').json({
      error: given === undefined
        ? 'Unauthorized: send Authorization: Bearer <PROXY_ADMIN_TOKEN>'
        : 'Unauthorized: the bearer token is not PROXY_ADMIN_TOKEN',
    });
  };
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
