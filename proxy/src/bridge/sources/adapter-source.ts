import type { Logger } from '../../../../lib/logger.js';
import { ADAPTER_ENDPOINTS, parseSessionAnswer, type AdapterSession } from '../../../../lib/adapter-protocol.js';
import type { LiveSession } from '../bridge-policy.js';
import { createAdapterClient, type AdapterCall, type AdapterReply } from './adapter-client.js';
import { createOutageBackoff } from './outage-backoff.js';
import type { FindResult, LoginResult, SessionSource } from './session-source.js';

export interface AdapterSourceConfig {
  /** routes.yaml `session.adapter.key`: the same key the app gives stranglerAdapter. */
  readonly key: string;
  /** routes.yaml `session.adapter.path` (default /__strangler), no trailing slash. */
  readonly path: string;
  /** The app's session cookie name (routes.yaml `session.cookie`): a logout clears it even if the app's logout does not. */
  readonly cookie?: string;
}

export interface AdapterSourceDeps {
  readonly logger: Logger;
  /** Epoch ms; the backoff's and expiry checks' clock. */
  readonly clock?: () => number;
  /** A call gets this long for its whole exchange (ms). */
  readonly timeoutMs?: number;
  /** Browsers reach the proxy over TLS: tell the app so (`x-forwarded-proto: https`), so a `secure` session cookie is still set. */
  readonly secureCookies?: boolean;
}

/** Short: the request that asked waits for this answer; a slow app means no token, not a slow proxy. */
const TIMEOUT_MS = 1000;

/**
 * The session source for apps whose store the proxy cannot read: it asks the app's own
 * stranglerAdapter middleware over HTTP (docs/adapter-protocol.md), forwarding the client's
 * Cookie header, so the app verifies its cookie and loads its session as for any request.
 * `login` and `logout` return the app's own Set-Cookie values for the browser.
 *
 * An app that is down, slow, answers 5xx or refuses the key (401) reads as `store-error`:
 * the request goes on with no token, one warning is logged per outage (with its fix), and
 * the source backs off (see createOutageBackoff) instead of asking again on every request.
 *
 * @example
 * const source = createAdapterSessionSource({ key, path: '/__strangler' }, new URL('http://127.0.0.1:5601'), { logger });
 * const found = await source.find({ sid, cookieHeader: req.headers.cookie, cachedJti: undefined, nowMs: Date.now() });
 */
export function createAdapterSessionSource(config: AdapterSourceConfig, backendUrl: URL, deps: AdapterSourceDeps): SessionSource {
  const clock = deps.clock ?? Date.now;
  const where = `${backendUrl.origin}${config.path}`;
  const logger = deps.logger.child({ source: 'adapter', adapter: where });
  const client = createAdapterClient({ base: backendUrl, path: config.path, key: config.key, timeoutMs: deps.timeoutMs ?? TIMEOUT_MS, ...(deps.secureCookies ? { forwardedProto: 'https' as const } : {}) });
  const backoff = createOutageBackoff();
  let closed = false;

  /** Why a reply is an outage (the app cannot answer session questions), with the fix; undefined if it answered. */
  function outage(reply: AdapterReply, endpoint: string): string | undefined {
    if (!reply.ok) return `${where}${endpoint}: ${reply.reason}`;
    if (reply.status === 401) return `${where} refused the key (401): give the app's stranglerAdapter the same key as routes.yaml session.adapter.key`;
    if (reply.status === 404) return `nothing answers at ${where}${endpoint} (404): mount stranglerAdapter in the app after its session middleware, or set routes.yaml session.adapter.path to the path it uses`;
    if (reply.status >= 500 && reply.status !== 501) return `${where}${endpoint} answered ${reply.status}${errorText(reply.body)}`;
    return undefined;
  }

  /** One call under the backoff: the app's answer, or why there is none (a pause, or an outage). */
  async function ask(call: AdapterCall): Promise<{ reply: AdapterReply & { ok: true } } | { reply: undefined; reason: string }> {
    if (closed) return { reply: undefined, reason: 'the source is closed' };
    if (!backoff.mayCall(clock())) return { reply: undefined, reason: `it is not asked again yet after ${backoff.failures} failure(s) in a row` };
    const reply = await client.call(call);
    const reason = outage(reply, call.endpoint);
    if (reason !== undefined) {
      if (backoff.failed(clock())) {
        logger.warn({ reason }, `session adapter unavailable: ${reason}. Sessions from it read as no session (requests go on with no token) and it is asked again with backoff`);
      }
      return { reply: undefined, reason };
    }
    if (backoff.succeeded()) logger.info('session adapter answers again: sessions are bridged again');
    return { reply: reply as AdapterReply & { ok: true } };
  }

  function toLive(session: AdapterSession, nowMs: number): FindResult {
    const expiresAt = session.expires_at ?? Number.POSITIVE_INFINITY;
    if (expiresAt <= nowMs) return { ok: false, reason: 'no-session' };
    const live: LiveSession = { sub: session.sub, claims: session.claims, expiresAt, originalMaxAge: session.original_max_age, validAfter: 0, revoked: false };
    return { ok: true, session: live };
  }

  /** A 200 whose body is not the protocol's: the app speaks something else at that path. */
  function malformed(endpoint: string, why: string): FindResult {
    if (backoff.failed(clock())) logger.warn({ reason: why }, `session adapter at ${where}${endpoint} answered 200 with something that is not an adapter answer (${why}): check that session.adapter.path names stranglerAdapter's path`);
    return { ok: false, reason: 'store-error' };
  }

  return {
    kind: 'adapter',
    verifiesCookies: false,

    async find({ cookieHeader, nowMs }) {
      if (!cookieHeader) return { ok: false, reason: 'no-session' };
      const { reply } = await ask({ method: 'GET', endpoint: ADAPTER_ENDPOINTS.session, cookieHeader });
      if (!reply) return { ok: false, reason: 'store-error' };
      if (reply.status !== 200) return malformed(ADAPTER_ENDPOINTS.session, `status ${reply.status}${errorText(reply.body)}`);
      const parsed = parseSessionAnswer(reply.body);
      if (!parsed.ok) return malformed(ADAPTER_ENDPOINTS.session, parsed.reason);
      return parsed.session ? toLive(parsed.session, nowMs) : { ok: false, reason: 'no-session' };
    },

    // The app's session middleware moves the expiry itself (now + its maxAge), as on any request.
    async touch({ cookieHeader }) {
      if (!cookieHeader) return;
      await ask({ method: 'POST', endpoint: ADAPTER_ENDPOINTS.touch, cookieHeader });
    },

    async login(sub, claims, { cookieHeader }): Promise<LoginResult> {
      const asked = await ask({ method: 'POST', endpoint: ADAPTER_ENDPOINTS.login, cookieHeader, body: { sub, claims } });
      const { reply } = asked;
      if (!reply) return { ok: false, reason: `the session adapter at ${where} could not make the session: ${'reason' in asked ? asked.reason : ''}` };
      if (reply.status !== 200) {
        const reason = `the session adapter at ${where} answered ${reply.status} to a login${errorText(reply.body)}`;
        logger.warn({ status: reply.status }, reason);
        return { ok: false, reason };
      }
      return { ok: true, setCookie: setCookies(reply.headers['set-cookie']) };
    },

    async logout({ cookieHeader }) {
      if (!cookieHeader) return { setCookie: clearing() };
      const { reply } = await ask({ method: 'POST', endpoint: ADAPTER_ENDPOINTS.logout, cookieHeader, body: config.cookie ? { cookie: config.cookie } : {} });
      if (!reply || reply.status !== 200) {
        logger.warn({ status: reply?.status }, `session adapter at ${where} did not end a session on logout: it may stay live in the app until it expires; the browser is told to drop its cookie`);
        return { setCookie: clearing() };
      }
      const sent = setCookies(reply.headers['set-cookie']);
      return { setCookie: sent.length || !config.cookie ? sent : clearing() };
    },

    async close() {
      closed = true;
      client.close();
    },
  };

  /** A cookie that makes the browser drop the session cookie (Path=/, as express-session sets it by default). */
  function clearing(): readonly string[] {
    return config.cookie ? [`${config.cookie}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`] : [];
  }
}

function setCookies(value: string[] | undefined): readonly string[] {
  return value ?? [];
}

/** The `{"error": …}` text of an answer, for a log line. */
function errorText(body: unknown): string {
  if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') return `: ${(body as { error: string }).error}`;
  return '';
}
