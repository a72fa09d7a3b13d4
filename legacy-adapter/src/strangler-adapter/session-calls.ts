import type { Request } from 'express';
import type { Session } from 'express-session';

/**
 * express-session's callback methods as promises. Each takes the session object current at
 * call time: regenerate() replaces `req.session`, so callers read it again afterwards.
 */
export function regenerateSession(req: Request): Promise<void> {
  return call(req.session, (s, cb) => s.regenerate(cb));
}

export function saveSession(req: Request): Promise<void> {
  return call(req.session, (s, cb) => s.save(cb));
}

export function destroySession(req: Request): Promise<void> {
  return call(req.session, (s, cb) => s.destroy(cb));
}

function call(session: Session | undefined, method: (s: Session, cb: (err?: unknown) => void) => void): Promise<void> {
  if (!session) return Promise.resolve();
  return new Promise((resolve, reject) => method(session, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())));
}
