import session from 'express-session';
import uid from 'uid-safe';
import type { SqliteDatabase } from '../sqlite.js';
import { sessionExpiry, type SessionData } from './session-cookie.js';

/** What the proxy's bridge needs to read a session: live ones only. */
export interface SessionLookup {
  /** The session if it exists and has not expired; otherwise undefined. */
  lookup(sid: string): SessionData | undefined;
  /** Extends a live session the way express-session's touch() does (new cookie.expires). */
  refresh(sid: string, data: SessionData): void;
}

/** What the bridge needs to log a user in or out on the legacy side. */
export interface SessionWriter {
  /** Stores a new session under a fresh uid-safe(24) id and returns the id. */
  create(data: SessionData): string;
  remove(sid: string): void;
}

type Callback<T = void> = (err?: unknown, value?: T) => void;

/**
 * express-session's store on the shared SQLite file (table `sessions`). Synchronous core
 * methods serve the proxy's bridge; the callback methods are express-session's Store API.
 * The expired-row sweep runs on an unref'd timer, so it never keeps a process alive.
 */
export class SqliteSessionStore extends session.Store implements SessionLookup, SessionWriter {
  readonly #get;
  readonly #set;
  readonly #touch;
  readonly #destroy;
  readonly #prune;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(db: SqliteDatabase, options: { pruneIntervalMs?: number } = {}) {
    super();
    this.#get = db.prepare<[string, number], { sess: string }>('SELECT sess FROM sessions WHERE sid = ? AND expires_at > ?');
    this.#set = db.prepare<[string, string, number]>(
      'INSERT INTO sessions (sid, sess, expires_at) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expires_at = excluded.expires_at',
    );
    this.#touch = db.prepare<[string, number, string]>('UPDATE sessions SET sess = ?, expires_at = ? WHERE sid = ?');
    this.#destroy = db.prepare<[string]>('DELETE FROM sessions WHERE sid = ?');
    this.#prune = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
    const every = options.pruneIntervalMs ?? 15 * 60 * 1000;
    if (every > 0) {
      this.#timer = setInterval(() => this.prune(), every);
      this.#timer.unref();
    }
  }

  lookup(sid: string): SessionData | undefined {
    const row = this.#get.get(sid, Date.now());
    if (!row) return undefined;
    try {
      return JSON.parse(row.sess) as SessionData;
    } catch {
      return undefined;
    }
  }

  save(sid: string, data: SessionData): void {
    this.#set.run(sid, JSON.stringify(data), sessionExpiry(data));
  }

  create(data: SessionData): string {
    const sid = uid.sync(24);
    this.save(sid, data);
    return sid;
  }

  remove(sid: string): void {
    this.#destroy.run(sid);
  }

  /** The cookie's expiry moves; a row that is gone stays gone (never resurrected). */
  refresh(sid: string, data: SessionData): void {
    this.#touch.run(JSON.stringify(data), sessionExpiry(data), sid);
  }

  prune(now = Date.now()): number {
    return this.#prune.run(now).changes;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    try {
      callback(undefined, (this.lookup(sid) as unknown as session.SessionData) ?? null);
    } catch (err) {
      callback(err);
    }
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    try {
      this.save(sid, toPlain(data));
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }

  override destroy(sid: string, callback?: Callback): void {
    try {
      this.remove(sid);
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    try {
      this.refresh(sid, toPlain(data));
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }
}

/** express-session hands over Session objects whose cookie is a Cookie instance. */
function toPlain(data: session.SessionData): SessionData {
  return JSON.parse(JSON.stringify(data)) as SessionData;
}
