import type { Logger } from '../logger.js';
import { lifecycleRank, type CommandRow } from './command.js';
import { MAX_FEED_PAGE, type CommandStore } from './command-store.js';

export type FeedListener = (row: CommandRow) => void;

export interface CommandFeedOptions {
  readonly store: Pick<CommandStore, 'changedAfter'>;
  readonly logger: Logger;
  /** How often the shared table is read while anyone listens. Default 300 ms. */
  readonly intervalMs?: number;
  /**
   * How far back each read looks behind the newest change seen. A writer stamps
   * updated_at before it commits, and may wait for the write lock (busy timeout 5 s), so
   * rows can appear with a stamp older than what was already read. Default 10 s.
   */
  readonly overlapMs?: number;
  /** Called once per poll before reading (e.g. expiring stale approvals). */
  readonly beforePoll?: () => Promise<void>;
  readonly clock?: () => number;
  /** Rows per read (at most MAX_FEED_PAGE, the default); a full page is followed by the next at once. */
  readonly pageSize?: number;
}

interface Seen {
  readonly rank: number;
  readonly updatedAt: string;
}

/**
 * Status changes of mcp_commands, whichever process made them: the shared database is
 * the truth. While anyone listens, one indexed query per tick reads the rows whose
 * updated_at moved (cursor on (updated_at, id)); a row is news when its lifecycle rank
 * rose since this feed last saw it, so a change reported twice (by `notify` from this
 * process and again by the poll) or read in an overlapping window goes out once.
 * Listeners are keyed by the owner's user id. Timers are unref'd and run only while
 * someone listens.
 *
 * @example
 * const feed = createCommandFeed({ store, logger });
 * const stop = feed.subscribe(7, (row) => socket.send(JSON.stringify({ type: 'command_update', command: toCommand(row) })));
 */
export function createCommandFeed(options: CommandFeedOptions) {
  const { store, logger } = options;
  const intervalMs = options.intervalMs ?? 300;
  const overlapMs = options.overlapMs ?? 10_000;
  const pageSize = Math.min(options.pageSize ?? MAX_FEED_PAGE, MAX_FEED_PAGE);
  const clock = options.clock ?? Date.now;
  const listeners = new Map<number, Set<FeedListener>>();
  let seen = new Map<number, Seen>();
  let listening = 0;
  let timer: NodeJS.Timeout | undefined;
  /** Rows stamped before this were history when the feed started: remembered, not sent. */
  let startedAt = '';
  let highWater = '';
  let polling: Promise<void> | undefined;

  function emit(row: CommandRow): void {
    for (const listener of listeners.get(row.user_id) ?? []) {
      try {
        listener(row);
      } catch (err) {
        logger.error({ err }, 'a command feed listener failed');
      }
    }
  }

  /** Remembers the row; true when it is news. */
  function note(row: CommandRow): boolean {
    const rank = lifecycleRank(row);
    const before = seen.get(row.id);
    if (row.updated_at > highWater) highWater = row.updated_at;
    if (before && before.rank >= rank) return false;
    seen.set(row.id, { rank, updatedAt: row.updated_at });
    return true;
  }

  async function poll(): Promise<void> {
    if (options.beforePoll) await options.beforePoll();
    const since = new Date(Date.parse(highWater || startedAt) - overlapMs).toISOString();
    let cursor = { updatedAt: since, id: 0 };
    for (;;) {
      const rows = await store.changedAfter(cursor, pageSize);
      if (listening === 0) return;
      for (const row of rows) {
        if (note(row) && row.updated_at >= startedAt) emit(row);
      }
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) break;
      cursor = { updatedAt: last.updated_at, id: last.id };
    }
    // Rows older than the next window cannot be read again: forget them.
    const horizon = new Date(Date.parse(highWater || startedAt) - overlapMs).toISOString();
    for (const [id, s] of seen) if (s.updatedAt < horizon) seen.delete(id);
  }

  function tick(): void {
    if (polling) return;
    polling = poll()
      .catch((err: unknown) => logger.warn({ err }, 'command feed: reading mcp_commands failed; retrying'))
      .finally(() => {
        polling = undefined;
      });
  }

  function start(): void {
    startedAt = new Date(clock()).toISOString();
    highWater = '';
    seen = new Map();
    timer = setInterval(tick, intervalMs);
    timer.unref();
    tick();
  }

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
    seen = new Map();
  }

  return {
    /** Listens for changes to `userId`'s commands; returns the unsubscribe function. */
    subscribe(userId: number, listener: FeedListener): () => void {
      let set = listeners.get(userId);
      if (!set) listeners.set(userId, (set = new Set()));
      set.add(listener);
      if (++listening === 1) start();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        set.delete(listener);
        if (set.size === 0) listeners.delete(userId);
        if (--listening === 0) stop();
      };
    },

    /** A row this process just changed: sent at once, and not again when the poll reads it. */
    notify(row: CommandRow): void {
      if (listening === 0) return;
      if (note(row)) emit(row);
    },

    /** Resolves after one complete read (tests use it instead of sleeping). */
    async pollNow(): Promise<void> {
      if (listening === 0) return;
      while (polling) await polling;
      tick();
      await polling;
    },

    listenerCount: () => listening,

    close(): void {
      listeners.clear();
      listening = 0;
      stop();
    },
  };
}

export type CommandFeed = ReturnType<typeof createCommandFeed>;
