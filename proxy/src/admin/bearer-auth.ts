import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';

/**
 * A second way into the admin endpoints besides the bearer token: the ops console's cookie
 * session. Asked only when the request carries no `Authorization` header. `absent`: it has
 * nothing to say (the 401 follows); `refused`: it has answered the request itself.
 */
export type AdminAlternative = (req: Request, res: Response) => 'accepted' | 'refused' | 'absent';

/**
 * Accepts `Authorization: Bearer <token>` only for the admin token, or what `alternative`
 * accepts (a signed-in console). Both sides are hashed first, so the comparison is
 * constant-time and of equal length whatever the client sends.
 */
export function requireBearer(expected: string, alternative?: AdminAlternative): RequestHandler {
  const isAdminToken = adminTokenCheck(expected);
  return (req, res, next) => {
    const given = bearerToken(req.headers.authorization);
    if (given === undefined && alternative) {
      const verdict = alternative(req, res);
      if (verdict === 'accepted') return next();
      if (verdict === 'refused') return;
    }
    if (given !== undefined && isAdminToken(given)) {
      next();
      return;
    }
    res.status(401).set('www-authenticate', 'Bearer realm="strangler-proxy"').json({
      error: given === undefined
        ? 'Unauthorized: send Authorization: Bearer <PROXY_ADMIN_TOKEN>, or sign in to the console at /__proxy/ui'
        : 'Unauthorized: the bearer token is not PROXY_ADMIN_TOKEN',
    });
  };
}

/** Whether a string is the admin token, compared in constant time. */
export function adminTokenCheck(expected: string): (given: string) => boolean {
  if (!expected) throw new Error('the admin token is empty: set PROXY_ADMIN_TOKEN');
  const expectedDigest = createHash('sha256').update(expected).digest();
  return (given) => timingSafeEqual(createHash('sha256').update(given).digest(), expectedDigest);
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
