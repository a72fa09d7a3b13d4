import type { RequestHandler, Response } from 'express';
import { sendError } from '../../../lib/http/send-error.js';
import { CONTRACT_MESSAGES as MESSAGES } from '../../../lib/http/contract-messages.js';
import type { UserRow, UserStore } from '../users/user-store.js';

/** Loads the session's user fresh from `users` (a deleted user is logged out at once), else 401. */
export function requireUser(users: UserStore): RequestHandler {
  return (req, res, next) => {
    const id = req.session?.userId;
    const user = typeof id === 'number' ? users.findById(id) : undefined;
    if (!user) {
      sendError(res, 401, MESSAGES.notAuthenticated);
      return;
    }
    res.locals.user = user;
    next();
  };
}

/** After requireUser: admins only, else 403. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (currentUser(res).role !== 'admin') {
    sendError(res, 403, MESSAGES.forbidden);
    return;
  }
  next();
};

/** The user requireUser loaded for this request. */
export function currentUser(res: Response): UserRow {
  const user = res.locals.user as UserRow | undefined;
  if (!user) throw new Error('currentUser() called on a route without requireUser');
  return user;
}
