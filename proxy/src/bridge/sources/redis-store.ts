import { ClientOfflineError, createClient, ErrorReply } from 'redis';
import type { Logger } from '../../../../lib/logger.js';
import type { SessionStore, StoredSession } from './session-store.js';

export interface RedisStoreOptions {
  /** `redis[s]://[user:password@]host:port[/db]`, as routes.yaml `session.redis.url`. */
  readonly url: string;
  /** The legacy app's connect-redis prefix (its default is `sess:`). */
  readonly prefix: string;
  /** How long one command may take before it reads as a store error (ms). */
  readonly commandTimeoutMs?: number;
}

/** A request waits at most this long for Redis: past it the bridge forwards with no token. */
const COMMAND_TIMEOUT_MS = 300;
/** Reconnect backoff: fast at first, then every 2 s at most, so a returning Redis is seen within seconds. */
const BACKOFF_FIRST_MS = 50;
const BACKOFF_MAX_MS = 2000;
/** Commands in flight or waiting, beyond which a stalled Redis gets no more (each would only time out). */
const QUEUE_MAX = 1000;
/** Outage warnings are at least this far apart (ms). */
const FLAP_MS = 10_000;
/** Malformed sessions logged once each, up to this many keys remembered. */
const MALFORMED_REMEMBERED = 1000;

/**
 * The sessions a legacy app keeps with connect-redis, read directly: the key `<prefix><sid>`
 * holds express-session's JSON, and the key's TTL is the session's expiry. Writes are the
 * ones connect-redis itself makes, so the legacy app reads them back unchanged.
 *
 * Redis down or stalled is a thrown error within `commandTimeoutMs` (the source counts it as
 * a store error and the request goes on with no token): commands are never queued while the
 * client is offline, and it reconnects in the background with backoff. Each outage is one
 * warning and one recovery line, however many requests meet it.
 *
 * @example
 * const store = createRedisSessionStore({ url: 'redis://127.0.0.1:6379', prefix: 'sess:' }, { logger });
 * const session = await store.get(sid, Date.now(), undefined);
 */
export function createRedisSessionStore(options: RedisStoreOptions, deps: { readonly logger: Logger }): SessionStore {
  const { prefix } = options;
  const where = redactUrl(options.url);
  const logger = deps.logger.child({ store: 'redis', redis: where });
  const timeout = options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS;
  let closed = false;
  const connectTimeout = Math.max(timeout, 1000);
  const client = createClient({
    url: options.url,
    // Offline, a command would wait for the reconnection: a request must not.
    disableOfflineQueue: true,
    commandsQueueMaxLength: QUEUE_MAX,
    // rejectInFlight: a command already sent to a Redis that stopped answering times out too.
    commandOptions: { timeout, rejectInFlight: true },
    socket: {
      connectTimeout,
      reconnectStrategy: (retries) => Math.min(BACKOFF_FIRST_MS * 2 ** Math.min(retries, 10), BACKOFF_MAX_MS) + Math.floor(Math.random() * 50),
    },
  });

  // One warning per outage, and at most one per FLAP_MS: a Redis that keeps dropping out
  // (or answers around the timeout) would otherwise log a pair of lines per blip. An outage
  // that starts within FLAP_MS of the last warning is reported when that window ends, if it
  // lasts that long, with the count of blips in between.
  let down: string | undefined;
  let warned = false;
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  let blips = 0;
  let pending: NodeJS.Timeout | undefined;
  const warnNow = () => {
    lastWarnAt = Date.now();
    warned = true;
    logger.warn({ reason: down, ...(blips ? { outagesSinceLastLine: blips } : {}) }, `redis session store at ${where} cannot be read (${down}): sessions from it read as no session (requests go on with no token) until Redis is reachable; check that Redis runs and session.redis.url in routes.yaml`);
    blips = 0;
  };
  const markDown = (reason: string) => {
    if (down !== undefined) return;
    down = reason;
    const wait = lastWarnAt + FLAP_MS - Date.now();
    if (wait <= 0) return warnNow();
    blips += 1;
    pending ??= setTimeout(() => {
      pending = undefined;
      if (down !== undefined && !closed) warnNow();
    }, wait).unref();
  };
  const markUp = () => {
    if (down === undefined) return;
    if (warned) logger.info({ after: down }, `redis session store at ${where} answers again: sessions are bridged again`);
    down = undefined;
    warned = false;
  };
  // Without a listener, an 'error' event (every failed reconnect emits one) would end the process.
  client.on('error', (err: Error) => markDown(describe(err)));
  client.on('ready', markUp);

  // The first connection attempt is awaited (up to the connect timeout) by the first commands,
  // so a proxy that has just started does not answer its first requests as if Redis were
  // down. Once it has succeeded or failed, commands never wait for a connection.
  let firstAttempt: Promise<void> | undefined = new Promise<void>((resolve) => {
    client.once('ready', resolve);
    client.once('error', () => resolve());
  }).then(() => { firstAttempt = undefined; });
  const connecting = client.connect().then(
    () => undefined,
    (err: unknown) => { if (!closed) markDown(describe(err)); },
  );

  async function run<T>(command: () => Promise<T>): Promise<T> {
    if (closed) throw new Error(`redis session store at ${where} is closed`);
    if (firstAttempt) await Promise.race([firstAttempt, delay(connectTimeout)]);
    try {
      const result = await command();
      markUp();
      return result;
    } catch (err) {
      const reason = describe(err);
      // A reply error (WRONGTYPE, NOAUTH…) is Redis answering: not an outage, but still no read.
      // Nor is a first connection that is merely slow: its failure, if any, is the outage.
      if (!(err instanceof ErrorReply) && !(firstAttempt && err instanceof ClientOfflineError)) markDown(reason);
      throw new Error(`redis session store at ${where}: ${reason}`, { cause: err });
    }
  }

  const malformedSeen = new Set<string>();
  const reportMalformed = (key: string, why: string) => {
    if (malformedSeen.has(key)) return;
    if (malformedSeen.size >= MALFORMED_REMEMBERED) malformedSeen.clear();
    malformedSeen.add(key);
    logger.warn({ key }, `redis key ${key} is not an express-session JSON object (${why}): it reads as no session; delete the key or fix what writes it`);
  };

  return {
    async get(sid, nowMs) {
      const key = prefix + sid;
      // One round trip: the client writes both commands together.
      let raw: string | null;
      let pttl: number;
      try {
        [raw, pttl] = await run(() => Promise.all([client.get(key), client.pTTL(key)]));
      } catch (err) {
        // The app, or something else, keeps another type under this key: not a session.
        if (err instanceof Error && err.cause instanceof ErrorReply && err.cause.message.startsWith('WRONGTYPE')) {
          reportMalformed(key, 'not a string key');
          return undefined;
        }
        throw err;
      }
      if (raw === null || pttl === -2) return undefined;
      const data = parseSession(raw);
      if (typeof data === 'string') {
        reportMalformed(key, data);
        return undefined;
      }
      const expiresAt = pttl >= 0 ? nowMs + pttl : cookieExpiry(data);
      if (expiresAt <= nowMs) return undefined;
      const session: StoredSession = { data, expiresAt };
      return session;
    },

    async touch(sid, expiresAt, nowMs) {
      // connect-redis's touch: EXPIRE with the new cookie's remaining seconds, the value left as
      // it is (express-session resets cookie.expires from maxAge on every load anyway). EXPIRE
      // on a gone key does nothing, so a destroyed session is never brought back, and nothing
      // the legacy app writes meanwhile is overwritten.
      const ttl = Math.ceil((expiresAt - nowMs) / 1000);
      const key = prefix + sid;
      await run(() => (ttl > 0 ? client.expire(key, ttl) : client.del(key)));
    },

    async set(sid, data, expiresAt) {
      // connect-redis's set: the JSON with EX from cookie.expires; an already past expiry deletes.
      const ttl = Math.ceil((expiresAt - Date.now()) / 1000);
      const key = prefix + sid;
      if (ttl > 0) await run(() => client.set(key, JSON.stringify(data), { expiration: { type: 'EX', value: ttl } }));
      else await run(() => client.del(key));
    },

    async destroy(sid) {
      await run(() => client.del(prefix + sid));
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(pending);
      // close() lets commands in flight finish; a client that never connected has none.
      if (client.isReady) await client.close().catch(() => client.destroy());
      else if (client.isOpen) client.destroy();
      await connecting;
    },
  };
}

/** The session object, or why it is not one. */
function parseSession(raw: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return `invalid JSON: ${(err as Error).message}`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `JSON ${Array.isArray(value) ? 'array' : String(value === null ? null : typeof value)}, not an object`;
  return value as Record<string, unknown>;
}

/**
 * A key without a TTL (connect-redis's `disableTTL`) expires by its cookie, or never when the
 * cookie has no expiry (a browser-session cookie).
 */
function cookieExpiry(data: Record<string, unknown>): number {
  const cookie = data.cookie as { expires?: unknown } | undefined;
  if (cookie && (typeof cookie.expires === 'string' || typeof cookie.expires === 'number')) {
    const at = new Date(cookie.expires).getTime();
    if (Number.isFinite(at)) return at;
  }
  return Number.POSITIVE_INFINITY;
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return describe(err.errors[0]);
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ?? (err.message || err.name);
  return String(err);
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis (unparseable url)';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
