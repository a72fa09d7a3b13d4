import bcrypt from 'bcryptjs';
import { Router, type Request } from 'express';
import { clearSessionCookie } from '../../../lib/legacy-session/session-cookie.js';
import { CONTRACT_MESSAGES as MESSAGES } from '../../../lib/http/contract-messages.js';
import { sendError } from '../../../lib/http/send-error.js';
import { refuseThrottled, type LoginThrottle } from '../../../lib/login-throttle/login-throttle.js';
import { toPublicUser, type UserStore } from '../users/user-store.js';
import { validateLogin } from '../users/user-validation.js';
import { currentUser, requireUser } from './current-user.js';

export interface AuthRoutesDeps {
  readonly users: UserStore;
  /** Counts attempts per username and client address in the shared database. */
  readonly throttle: LoginThrottle;
  readonly secureCookies: boolean;
  /** A hash of the configured cost, compared against when the username is unknown. */
  readonly dummyHash: string;
}

/** `/auth`: login (JSON or form), who am I, logout. */
export function authRoutes({ users, throttle, secureCookies, dummyHash }: AuthRoutesDeps): Router {
  const router = Router();

  router.post('/login', async (req, res) => {
    const input = validateLogin(req.body as Record<string, unknown>);
    if (!input.ok) {
      sendError(res, 400, input.message);
      return;
    }
    // Before bcrypt: a locked username or address costs no hashing at all.
    const attempt = await throttle.begin(input.value.username, req.ip);
    if (!attempt.ok) {
      req.log.warn({ lockedBy: attempt.lockedBy, retryAfterSec: attempt.retryAfterSec }, 'login throttled');
      refuseThrottled(res, attempt);
      return;
    }
    const user = users.findByUsername(input.value.username);
    // bcrypt runs either way, so response time does not tell which usernames exist.
    const matches = await bcrypt.compare(input.value.password, user?.password ?? dummyHash);
    if (!user || !matches) {
      sendError(res, 401, MESSAGES.badCredentials);
      return;
    }
    await throttle.succeeded(attempt);
    // A new id at login: a session id planted before login (fixation) never gains rights.
    await regenerate(req);
    req.session.userId = user.id;
    await save(req);
    res.json(toPublicUser(user));
  });

  router.get('/me', requireUser(users), (_req, res) => {
    res.json(toPublicUser(currentUser(res)));
  });

  router.post('/logout', async (req, res) => {
    if (req.session) await destroy(req);
    res.append('Set-Cookie', clearSessionCookie(secureCookies));
    res.json({ message: MESSAGES.loggedOut });
  });

  return router;
}

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

function destroy(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
