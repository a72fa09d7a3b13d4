import type { RequestHandler, Response } from 'express';
import { sendError } from '../../../lib/http/send-error.js';
import type { UserRow, UserStore } from '../users/user-store.js';

export const AUTH_MESSAGES = {
  notAuthenticated: 'Not authenticated',
  forbidden: 'Insufficient permissions',
} as const;

/** Loads the session's user fresh from `users` (a deleted user is logged out at once), else 401. */
export function requireUser(users: UserStore): RequestHandler {
  return (req, res, next) => {
    const id = req.session?.userId;
    const user = typeof id === 'number' ? users.findById(id) : undefined;
    if (!user) {
      sendError(res, 401, AUTH_MESSAGES.notAuthenticated);
      return;
    }
    res.locals.user = user;
    next();
  };
}

/** After requireUser: admins only, else 403. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (currentUser(res).role !== 'admin') {
    sendError(res, 403, AUTH_MESSAGES.forbidden);
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
