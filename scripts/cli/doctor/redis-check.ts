import { createClient } from 'redis';
import type { SessionConfig } from '../../../proxy/src/config/index.js';
import { getDotPath } from '../../../proxy/src/bridge/sources/dot-path.js';
import { fail, pass, redactUrl, warn, type Check } from './check.js';

/** Keys looked at, at most: enough to see the prefix and the user path are right, cheap on a big Redis. */
const SAMPLE = 5;
/** SCAN rounds at most: a Redis with millions of other keys is not walked through. */
const ROUNDS = 20;

/**
 * The redis source's store: it connects and answers PING, and SCAN finds keys with the
 * configured prefix; a few of them are read to see they hold express-session's JSON with a
 * user at the configured path (no key yet is a warning: nobody may be logged in).
 */
export async function checkRedisStore(backend: string, config: SessionConfig, timeoutMs: number): Promise<Check> {
  const what = 'redis store';
  const at = `backends.${backend}.session.redis`;
  if (!config.redis) return fail(what, `no ${at} block`, `add ${at}: { url: redis://127.0.0.1:6379, prefix: "sess:" }`);
  const { url, prefix } = config.redis;
  const shown = redactUrl(url);
  const client = createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  let lastError: unknown;
  client.on('error', (err: unknown) => (lastError = err));
  try {
    await withDeadline(client.connect(), timeoutMs);
    await withDeadline(client.ping(), timeoutMs);
  } catch (err) {
    client.destroy();
    return fail(what, `${shown} does not answer: ${describe(lastError ?? err)}`, `start Redis, or set ${at}.url to the Redis the legacy app's connect-redis uses`);
  }
  try {
    const keys: string[] = [];
    let cursor = '0';
    for (let round = 0; round < ROUNDS && keys.length < SAMPLE; round++) {
      const reply = await withDeadline(client.scan(cursor, { MATCH: `${escapeGlob(prefix)}*`, COUNT: 200 }), timeoutMs);
      keys.push(...reply.keys.slice(0, SAMPLE - keys.length));
      cursor = String(reply.cursor);
      if (cursor === '0') break;
    }
    if (keys.length === 0) {
      return warn(what, `${shown} answers PING; no key starts with "${prefix}" yet`,
        `log in on the legacy app and run doctor again; if a login adds no such key, set ${at}.prefix to connect-redis's prefix option (its default is "sess:")`);
    }
    let json = 0;
    let withUser = 0;
    for (const key of keys) {
      const value = await withDeadline(client.get(key), timeoutMs).catch(() => null);
      try {
        const data = JSON.parse(value ?? '') as unknown;
        json++;
        if (getDotPath(data, config.user) !== undefined) withUser++;
      } catch { /* counted as not JSON */ }
    }
    const sample = `${keys.length} sampled key${keys.length === 1 ? '' : 's'} with prefix "${prefix}": ${json} hold JSON, ${withUser} a user at ${config.user}`;
    if (json === 0) return fail(what, `${shown}: ${sample}`, `those keys are not connect-redis sessions: set ${at}.prefix to connect-redis's prefix option`);
    if (withUser === 0) return warn(what, `${shown}: ${sample}`, `if a user is logged in, set backends.${backend}.session.user to the dot path of the user id in the session (e.g. passport.user)`);
    return pass(what, `${shown}: ${sample}`);
  } catch (err) {
    return fail(what, `${shown}: reading keys failed: ${describe(err)}`, 'check the Redis user may run SCAN and GET on those keys');
  } finally {
    client.destroy();
  }
}

/** A prefix is literal; SCAN's MATCH is a glob. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return describe(err.errors[0]);
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ?? (err.message || err.name);
  return String(err);
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
