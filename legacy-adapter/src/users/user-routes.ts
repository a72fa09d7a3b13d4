import bcrypt from 'bcryptjs';
import { Router } from 'express';
import { sendError } from '../../../lib/http/send-error.js';
import { CONTRACT_MESSAGES as MESSAGES } from '../../../lib/http/contract-messages.js';
import { currentUser, requireAdmin, requireUser } from '../auth/current-user.js';
import { toPublicUser, type UserStore } from './user-store.js';
import { validateNewUser, validateUserChanges } from './user-validation.js';
import { parseUserId } from './parse-user-id.js';
import { endOtherCredentials } from '../../../lib/password-change.js';
import type { SqliteDatabase } from '../../../lib/sqlite.js';

export interface UserRoutesDeps {
  readonly users: UserStore;
  readonly bcryptRounds: number;
  /** The shared database: a password change ends the user's other sessions and tokens there. */
  readonly db: SqliteDatabase;
}

const NOT_FOUND = MESSAGES.userNotFound;
const TAKEN = { 'username-taken': MESSAGES.usernameTaken, 'email-taken': MESSAGES.emailTaken } as const;

/**
 * `/users`. Checks run in the contract's order: 401, 403, the id, the body, conflicts.
 */
export function userRoutes({ users, bcryptRounds, db }: UserRoutesDeps): Router {
  const router = Router();
  // Per route, not router.use: an unknown path or method must stay a 404 even when logged out.
  const user = requireUser(users);

  router.get('/', user, requireAdmin, (_req, res) => {
    res.json(users.list());
  });

  router.post('/', user, requireAdmin, async (req, res) => {
    const input = validateNewUser(req.body as Record<string, unknown>);
    if (!input.ok) {
      sendError(res, 400, input.message);
      return;
    }
    const { password, ...rest } = input.value;
    const result = users.create({ ...rest, passwordHash: await bcrypt.hash(password, bcryptRounds) });
    if (!result.ok) {
      sendError(res, 400, TAKEN[result.reason]);
      return;
    }
    res.status(201).json(result.user);
  });

  router.get('/:id', user, (req, res) => {
    const me = currentUser(res);
    const id = parseUserId(req.params.id);
    if (me.role !== 'admin' && id !== me.id) {
      sendError(res, 403, MESSAGES.forbidden);
      return;
    }
    const found = id === undefined ? undefined : users.findById(id);
    if (!found) {
      sendError(res, 404, NOT_FOUND);
      return;
    }
    res.json(toPublicUser(found));
  });

  router.put('/:id', user, async (req, res) => {
    const me = currentUser(res);
    const id = parseUserId(req.params.id);
    const body = req.body as Record<string, unknown>;
    if (me.role !== 'admin' && (id !== me.id || Object.prototype.hasOwnProperty.call(body, 'role'))) {
      sendError(res, 403, MESSAGES.forbidden);
      return;
    }
    if (id === undefined || !users.findById(id)) {
      sendError(res, 404, NOT_FOUND);
      return;
    }
    const changes = validateUserChanges(body);
    if (!changes.ok) {
      sendError(res, 400, changes.message);
      return;
    }
    const { password, ...rest } = changes.value;
    const passwordHash = password === undefined ? undefined : await bcrypt.hash(password, bcryptRounds);
    const result = users.update(id, { ...rest, ...(passwordHash ? { passwordHash } : {}) });
    if (!result.ok) {
      sendError(res, result.reason === 'not-found' ? 404 : 400, result.reason === 'not-found' ? NOT_FOUND : TAKEN[result.reason]);
      return;
    }
    // Every other session of the user ends, on both sides; the one that made the change stays.
    if (passwordHash) endOtherCredentials(db, id, (sid) => sid === req.sessionID);
    res.json(result.user);
  });

  router.delete('/:id', user, requireAdmin, (req, res) => {
    const id = parseUserId(req.params.id);
    if (id === currentUser(res).id) {
      sendError(res, 400, MESSAGES.cannotDeleteSelf);
      return;
    }
    if (id === undefined || !users.remove(id)) {
      sendError(res, 404, NOT_FOUND);
      return;
    }
    res.status(204).end();
  });

  return router;
}
