import type { Request, RequestHandler, Response } from 'express';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { TokenService } from '../../../lib/tokens.js';
import { bodyObject } from '../../../lib/http/body-parser.js';
import { MESSAGES } from '../http/messages.js';
import type { RouteSpec } from '../http/route-spec.js';
import { sendError } from '../../../lib/http/send-error.js';
import { refuseThrottled, type LoginThrottle } from '../../../lib/login-throttle/login-throttle.js';
import { User } from '../users/user-schemas.js';
import { toPublicUser, type PublicUser, type UserRepository } from '../users/user-repository.js';
import {
  Credentials, ErrorBody, LogoutRequest, Message, RefreshRequest, TOKEN_MESSAGES, TokenRequest, TokenResponse,
  refreshTokenIn, validateCredentials, validateTokenRequest,
} from './auth-schemas.js';
import { currentAuth, type Authenticator } from './authenticate.js';
import type { Passwords } from './passwords.js';
import type { RefreshTokens } from './refresh-tokens.js';
import type { TokenIssuer } from './token-issuer.js';
import type { TokenState } from './token-state.js';

/** Response headers the proxy's session bridge reads (DESIGN §6). */
export const BRIDGE_HEADERS = { token: 'X-Auth-Token', logout: 'X-Auth-Logout' } as const;
export const REFRESH_COOKIE = 'refresh_token';
export const REFRESH_COOKIE_PATH = '/auth/refresh';

export interface AuthRoutesDeps {
  readonly users: UserRepository;
  readonly passwords: Passwords;
  readonly tokens: TokenService;
  readonly issuer: TokenIssuer;
  readonly state: TokenState;
  readonly refresh: RefreshTokens;
  readonly auth: Authenticator;
  /** Counts attempts per username and client address in the shared database, with the legacy app. */
  readonly throttle: LoginThrottle;
}

const unauthorized = { description: `\`${MESSAGES.notAuthenticated}\`: no bearer token, or one that is invalid, expired, revoked, issued before a password change, or whose user is gone.`, schema: ErrorBody };
const badBody = { description: `\`${MESSAGES.invalidJson}\`, or a validation message.`, schema: ErrorBody };
const tooLarge = { description: `\`${MESSAGES.tooLarge}\` (over 100 kB).`, schema: ErrorBody };
const unsupported = { description: `\`${MESSAGES.contentType}\`.`, schema: ErrorBody };
const crossSite = { description: `\`${MESSAGES.crossSiteForm}\`: a form posted from another site's page (its Origin is not this host).`, schema: ErrorBody };
const throttled = {
  description: `\`${MESSAGES.tooManyLogins}\`: too many attempts for this username (5, then a doubling wait from 5 s to 15 min) or from this address (50).`,
  schema: ErrorBody,
  headers: { 'Retry-After': { description: 'Seconds until an attempt is accepted again.' } },
};

/** `/auth`: the legacy app's login/me/logout, answered with bearer tokens, plus the token API. */
export function authRoutes(deps: AuthRoutesDeps): RouteSpec[] {
  const { users, passwords, issuer, auth, throttle } = deps;

  /**
   * The user behind a username and password, after the same bcrypt work either way. While
   * the username or the client address is locked: answers 429 itself, with no bcrypt at all.
   */
  async function checkCredentials(req: Request, res: Response, username: string, password: string): Promise<PublicUser | 'throttled' | undefined> {
    const attempt = await throttle.begin(username, req.ip);
    if (!attempt.ok) {
      req.log?.warn({ lockedBy: attempt.lockedBy, retryAfterSec: attempt.retryAfterSec }, 'login throttled');
      refuseThrottled(res, attempt);
      return 'throttled';
    }
    const row = await users.findForLogin(username);
    const user = (await passwords.verify(password, row?.password)) && row ? toPublicUser(row) : undefined;
    if (user) await throttle.succeeded(attempt);
    return user;
  }

  const login: RequestHandler = async (req, res) => {
    const input = validateCredentials(bodyObject(req));
    if (!input.ok) return sendError(res, 400, input.message);
    const user = await checkCredentials(req, res, input.value.username, input.value.password);
    if (user === 'throttled') return;
    if (!user) return sendError(res, 401, MESSAGES.badCredentials);
    const { token } = await issuer.accessToken(user);
    // The proxy turns this into a legacy session cookie and strips it; no cookie is set here.
    res.setHeader(BRIDGE_HEADERS.token, token);
    res.json(user);
  };

  const me: RequestHandler = (_req, res) => {
    res.json(currentAuth(res).user);
  };

  const logout: RequestHandler = async (req, res) => {
    const bearer = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const verified = bearer ? await deps.auth.verifyToken(bearer) : undefined;
    if (verified?.ok) {
      await deps.state.revoke(verified.claims.jti, verified.claims.exp);
      await deps.refresh.revokeByAccessJti(verified.claims.jti);
    }
    const refreshToken = refreshTokenIn(bodyObject(req));
    if (refreshToken) await deps.refresh.revoke(refreshToken);
    // The proxy destroys the legacy session and clears connect.sid on seeing this.
    res.setHeader(BRIDGE_HEADERS.logout, '1');
    res.json({ message: MESSAGES.loggedOut });
  };

  async function answerRefresh(req: Request, res: Response, fromBody: string | undefined): Promise<void> {
    const presented = fromBody ?? refreshCookie(req);
    if (!presented) return sendError(res, 400, TOKEN_MESSAGES.refreshRequired);
    const spent = await deps.refresh.spend(presented, deps.state.validAfter);
    const user = spent.ok ? await users.findById(spent.userId) : undefined;
    if (!spent.ok || !user) {
      req.log?.info({ reason: spent.ok ? 'user gone' : spent.reason }, 'refresh refused');
      return sendError(res, 401, MESSAGES.notAuthenticated);
    }
    const rotated = await issuer.tokenPair(user, { id: spent.familyId, expiresAt: spent.familyExpiresAt });
    if (!rotated) {
      req.log?.info({ reason: 'family revoked during rotation' }, 'refresh refused');
      return sendError(res, 401, MESSAGES.notAuthenticated);
    }
    sendPair(res, rotated);
  }

  const token: RequestHandler = async (req, res) => {
    const input = validateTokenRequest(bodyObject(req));
    if (!input.ok) return sendError(res, 400, input.message);
    if (input.value.grant === 'refresh_token') return answerRefresh(req, res, input.value.refreshToken);
    const user = await checkCredentials(req, res, input.value.username, input.value.password);
    if (user === 'throttled') return;
    if (!user) return sendError(res, 401, MESSAGES.badCredentials);
    const pair = await issuer.tokenPair(user);
    if (!pair) throw new Error('a new refresh family cannot be revoked before it exists');
    sendPair(res, pair);
  };

  const refresh: RequestHandler = (req, res) => answerRefresh(req, res, refreshTokenIn(bodyObject(req)));

  const tokenHeaders = { 'Set-Cookie': { description: `\`${REFRESH_COOKIE}\`, HttpOnly; Secure; SameSite=Strict; Path=${REFRESH_COOKIE_PATH}.` } };

  return [
    {
      method: 'post', path: '/auth/login', tag: 'auth', auth: 'none',
      summary: 'Log in (the legacy contract)',
      description: `Answers the legacy body. A fresh access token for this backend comes in the \`${BRIDGE_HEADERS.token}\` header, for the proxy's session bridge; no cookie is set.`,
      body: { schema: Credentials, form: Credentials },
      responses: {
        200: { description: 'The user.', schema: User, headers: { [BRIDGE_HEADERS.token]: { description: 'An access token (JWT) for this backend.' } } },
        400: { description: `\`${MESSAGES.loginRequired}\`.`, schema: ErrorBody },
        401: { description: `\`${MESSAGES.badCredentials}\`.`, schema: ErrorBody },
        403: crossSite, 413: tooLarge, 415: unsupported, 429: throttled,
      },
      handlers: [login],
    },
    {
      method: 'get', path: '/auth/me', tag: 'auth', auth: 'bearer',
      summary: 'The current user, read fresh',
      responses: { 200: { description: 'The user.', schema: User }, 401: unauthorized },
      handlers: [auth.requireUser, me],
    },
    {
      method: 'post', path: '/auth/logout', tag: 'auth', auth: 'optional',
      summary: 'Log out: revokes the presented token and its refresh family',
      description: `Always 200. Revokes the bearer token's jti and the refresh family issued with it. Answers \`${BRIDGE_HEADERS.logout}: 1\` so the proxy destroys the legacy session.`,
      body: { schema: LogoutRequest },
      responses: {
        200: { description: `\`{"message": "${MESSAGES.loggedOut}"}\`.`, schema: Message, headers: { [BRIDGE_HEADERS.logout]: { description: 'Always `1`.' } } },
        400: badBody, 413: tooLarge, 415: unsupported,
      },
      handlers: [logout],
    },
    {
      method: 'post', path: '/auth/token', tag: 'token API', auth: 'none',
      summary: 'OAuth2 token endpoint: password grant (or refresh grant)',
      body: { schema: TokenRequest, form: TokenRequest },
      responses: {
        200: { description: 'An access token and a refresh token.', schema: TokenResponse, headers: tokenHeaders },
        400: { description: `\`${MESSAGES.loginRequired}\`, \`${TOKEN_MESSAGES.grantType}\` or \`${TOKEN_MESSAGES.refreshRequired}\`.`, schema: ErrorBody },
        401: { description: `\`${MESSAGES.badCredentials}\`, or \`${MESSAGES.notAuthenticated}\` for a bad refresh token.`, schema: ErrorBody },
        403: crossSite, 413: tooLarge, 415: unsupported, 429: throttled,
      },
      handlers: [token],
    },
    {
      method: 'post', path: '/auth/refresh', tag: 'token API', auth: 'none',
      summary: 'Rotate a refresh token',
      description: 'Spends the refresh token and returns a new pair in the same family. A spent token presented again revokes the whole family (401), as does one issued before a password change.',
      body: { schema: RefreshRequest, form: RefreshRequest },
      responses: {
        200: { description: 'A new access token and refresh token.', schema: TokenResponse, headers: tokenHeaders },
        400: { description: `\`${TOKEN_MESSAGES.refreshRequired}\`.`, schema: ErrorBody },
        401: { description: `\`${MESSAGES.notAuthenticated}\`: unknown, spent, revoked, expired or stale refresh token.`, schema: ErrorBody },
        413: tooLarge, 415: unsupported,
      },
      handlers: [refresh],
    },
  ];
}

function refreshCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  try {
    return parseCookies(header)[REFRESH_COOKIE] || undefined;
  } catch {
    return undefined;
  }
}

function sendPair(res: Response, { pair, refreshExpiresIn }: NonNullable<Awaited<ReturnType<TokenIssuer['tokenPair']>>>): void {
  res.append('Set-Cookie', serializeCookie(REFRESH_COOKIE, pair.refresh_token, {
    httpOnly: true, secure: true, sameSite: 'strict', path: REFRESH_COOKIE_PATH, maxAge: refreshExpiresIn,
  }));
  res.setHeader('Pragma', 'no-cache');
  res.json(pair);
}
