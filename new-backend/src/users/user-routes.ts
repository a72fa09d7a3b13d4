import type { RequestHandler } from 'express';
import { currentAuth, type Authenticator } from '../auth/authenticate.js';
import { ErrorBody } from '../auth/auth-schemas.js';
import type { Passwords } from '../auth/passwords.js';
import type { RefreshTokens } from '../auth/refresh-tokens.js';
import type { TokenState } from '../auth/token-state.js';
import { bodyObject } from '../../../lib/http/body-parser.js';
import { MESSAGES } from '../http/messages.js';
import type { RouteSpec } from '../http/route-spec.js';
import { sendError } from '../../../lib/http/send-error.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { endLegacySessions } from './end-legacy-sessions.js';
import type { UserRepository } from './user-repository.js';
import { NewUser, User, UserChanges, UserIdParam, UserList, parseUserId, validateNewUser, validateUserChanges } from './user-schemas.js';

export interface UserRoutesDeps {
  readonly users: UserRepository;
  readonly passwords: Passwords;
  readonly state: TokenState;
  readonly refresh: RefreshTokens;
  readonly auth: Authenticator;
  readonly db: Kysely<Database>;
  /** lib/tokens sessionTag: which legacy session a bridged token stands for. */
  readonly sessionTag: (sid: string) => string;
}

const TAKEN = { 'username-taken': MESSAGES.usernameTaken, 'email-taken': MESSAGES.emailTaken } as const;
const err = (text: string) => ({ description: text, schema: ErrorBody });
const r401 = err(`\`${MESSAGES.notAuthenticated}\`.`);
const r403 = err(`\`${MESSAGES.forbidden}\`.`);
const r404 = err(`\`${MESSAGES.userNotFound}\` (also for an id that is not a positive integer).`);
const bodyErrors = { 413: err(`\`${MESSAGES.tooLarge}\`.`), 415: err(`\`${MESSAGES.contentType}\`.`) };
const idParam = { id: { schema: UserIdParam, description: 'The user id.' } };

/** `/users`. Checks run in the contract's order: 401, 403, the id, the body, conflicts. */
export function userRoutes({ users, passwords, state, refresh, auth, db, sessionTag }: UserRoutesDeps): RouteSpec[] {
  const list: RequestHandler = async (_req, res) => {
    res.json(await users.list());
  };

  const create: RequestHandler = async (req, res) => {
    const input = validateNewUser(bodyObject(req));
    if (!input.ok) return sendError(res, 400, input.message);
    const { password, role, ...rest } = input.value;
    const result = await users.create({ ...rest, role: role ?? 'user', passwordHash: await passwords.hash(password) });
    if (!result.ok) return sendError(res, 400, TAKEN[result.reason]);
    res.status(201).json(result.user);
  };

  const read: RequestHandler = async (req, res) => {
    const me = currentAuth(res).user;
    const id = parseUserId(req.params.id);
    if (me.role !== 'admin' && id !== me.id) return sendError(res, 403, MESSAGES.forbidden);
    const found = id === undefined ? undefined : await users.findById(id);
    if (!found) return sendError(res, 404, MESSAGES.userNotFound);
    res.json(found);
  };

  const update: RequestHandler = async (req, res) => {
    const { user: me, claims } = currentAuth(res);
    const id = parseUserId(req.params.id);
    const body = bodyObject(req);
    if (me.role !== 'admin' && (id !== me.id || Object.hasOwn(body, 'role'))) return sendError(res, 403, MESSAGES.forbidden);
    if (id === undefined || !(await users.findById(id))) return sendError(res, 404, MESSAGES.userNotFound);
    const changes = validateUserChanges(body);
    if (!changes.ok) return sendError(res, 400, changes.message);
    const { password, ...rest } = changes.value;
    const passwordHash = password === undefined ? undefined : await passwords.hash(password);
    const result = await users.update(id, { ...rest, ...(passwordHash ? { passwordHash } : {}) });
    if (!result.ok) return sendError(res, result.reason === 'not-found' ? 404 : 400, result.reason === 'not-found' ? MESSAGES.userNotFound : TAKEN[result.reason]);
    if (passwordHash) {
      // J9: every token issued before the change stops working, refresh families included.
      await state.invalidateUser(id);
      await refresh.revokeAllForUser(id);
      if (id === me.id) await state.revoke(claims.jti, claims.exp);
      // The user's legacy sessions end too, but the one this request was bridged from.
      await endLegacySessions(db, id, (sid) => claims.sid !== undefined && sessionTag(sid) === claims.sid);
    }
    res.json(result.user);
  };

  const remove: RequestHandler = async (req, res) => {
    const id = parseUserId(req.params.id);
    if (id === currentAuth(res).user.id) return sendError(res, 400, MESSAGES.cannotDeleteSelf);
    if (id === undefined || !(await users.remove(id))) return sendError(res, 404, MESSAGES.userNotFound);
    res.status(204).end();
  };

  return [
    {
      method: 'get', path: '/users', tag: 'users', auth: 'bearer', summary: 'All users (admin)',
      responses: { 200: { description: 'Every user, by id.', schema: UserList }, 401: r401, 403: r403 },
      handlers: [auth.requireUser, auth.requireAdmin, list],
    },
    {
      method: 'post', path: '/users', tag: 'users', auth: 'bearer', summary: 'Create a user (admin)',
      body: { schema: NewUser, required: true },
      responses: {
        201: { description: 'The new user.', schema: User },
        400: err(`The first failing rule: \`${MESSAGES.createRequired}\`, \`${MESSAGES.username}\`, \`${MESSAGES.name}\`, \`${MESSAGES.email}\`, \`${MESSAGES.password}\`, \`${MESSAGES.role}\`; then \`${MESSAGES.usernameTaken}\` or \`${MESSAGES.emailTaken}\`; or \`${MESSAGES.invalidJson}\`.`),
        401: r401, 403: r403, ...bodyErrors,
      },
      handlers: [auth.requireUser, auth.requireAdmin, create],
    },
    {
      method: 'get', path: '/users/:id', tag: 'users', auth: 'bearer', summary: 'One user (admin, or the user themself)',
      params: idParam,
      responses: { 200: { description: 'The user.', schema: User }, 401: r401, 403: r403, 404: r404 },
      handlers: [auth.requireUser, read],
    },
    {
      method: 'put', path: '/users/:id', tag: 'users', auth: 'bearer', summary: 'Change a user (admin; or themself, except role)',
      params: idParam,
      body: { schema: UserChanges },
      responses: {
        200: { description: 'The updated user.', schema: User },
        400: err(`The first failing rule among \`${MESSAGES.name}\`, \`${MESSAGES.email}\`, \`${MESSAGES.password}\`, \`${MESSAGES.role}\`; then \`${MESSAGES.emailTaken}\`; or \`${MESSAGES.invalidJson}\`.`),
        401: r401, 403: r403, 404: r404, ...bodyErrors,
      },
      handlers: [auth.requireUser, update],
    },
    {
      method: 'delete', path: '/users/:id', tag: 'users', auth: 'bearer', summary: 'Delete a user (admin, not themself)',
      params: idParam,
      responses: {
        204: { description: 'Deleted; their tokens and sessions stop working.' },
        400: err(`\`${MESSAGES.cannotDeleteSelf}\`.`), 401: r401, 403: r403, 404: r404,
      },
      handlers: [auth.requireUser, auth.requireAdmin, remove],
    },
  ];
}
