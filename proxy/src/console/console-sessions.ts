import { createHash, randomBytes } from 'node:crypto';

/** One signed-in console: what the server keeps (the cookie holds only the id). */
export interface ConsoleSession {
  /** Sent back by the page in `X-CSRF-Token` on every unsafe request. */
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface ConsoleSessionsOptions {
  /** How long a sign-in lasts, whatever the activity (ms). Default 8 h. */
  readonly lifetimeMs?: number;
  /** Sessions kept at most; a new sign-in past it ends the oldest. Default 100. */
  readonly max?: number;
  readonly clock?: () => number;
}

export interface ConsoleSessions {
  readonly lifetimeMs: number;
  /** A new session and the id to put in the cookie. */
  create(): { id: string; session: ConsoleSession };
  /** The live session of a cookie's id; an expired one is ended on the way. */
  find(id: string): ConsoleSession | undefined;
  /** Sign-out. Returns whether there was a session to end. */
  end(id: string): boolean;
  /** Called with each session that ends (sign-out, expiry, eviction), e.g. to close its streams. */
  onEnd(listener: (session: ConsoleSession) => void): void;
  size(): number;
}

/**
 * The console's sign-ins, in memory: a restart signs everyone out, which is what a changed
 * PROXY_ADMIN_TOKEN needs anyway. Ids are 256 random bits; the map is keyed by their
 * SHA-256, so what the process holds cannot be replayed as a cookie.
 */
export function createConsoleSessions(options: ConsoleSessionsOptions = {}): ConsoleSessions {
  const lifetimeMs = options.lifetimeMs ?? 8 * 60 * 60_000;
  const max = options.max ?? 100;
  const clock = options.clock ?? Date.now;
  // Insertion order is creation order: the first entry is the oldest.
  const byKey = new Map<string, ConsoleSession>();
  const listeners: Array<(session: ConsoleSession) => void> = [];

  const ended = (key: string, session: ConsoleSession) => {
    byKey.delete(key);
    for (const listener of listeners) listener(session);
  };

  return {
    lifetimeMs,
    create() {
      const now = clock();
      for (const [key, session] of byKey) if (session.expiresAt <= now) ended(key, session);
      while (byKey.size >= max) {
        const [key, session] = byKey.entries().next().value as [string, ConsoleSession];
        ended(key, session);
      }
      const id = randomBytes(32).toString('base64url');
      const session: ConsoleSession = Object.freeze({ csrfToken: randomBytes(32).toString('base64url'), createdAt: now, expiresAt: now + lifetimeMs });
      byKey.set(keyOf(id), session);
      return { id, session };
    },
    find(id) {
      const key = keyOf(id);
      const session = byKey.get(key);
      if (!session) return undefined;
      if (session.expiresAt > clock()) return session;
      ended(key, session);
      return undefined;
    },
    end(id) {
      const key = keyOf(id);
      const session = byKey.get(key);
      if (!session) return false;
      ended(key, session);
      return true;
    },
    onEnd(listener) {
      listeners.push(listener);
    },
    size: () => byKey.size,
  };
}

function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}
