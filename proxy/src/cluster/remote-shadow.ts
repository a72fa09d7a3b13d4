import { performance } from 'node:perf_hooks';
import { SHARED_DATABASE, WriteLog, type MirrorOutcome, type ShadowThread } from '../shadow/index.js';
import type { IpcChannel, IpcHandler } from './ipc-channel.js';

/**
 * Shadow traffic in a cluster. Workers tee bodies and authorise copies (the bridge lives
 * there), as a single proxy does; the copy itself is handed to the primary, whose shadow
 * thread sends it, compares, and is the one writer of diffs.db. Whether a mismatch raced a
 * write is judged in the primary too, against every worker's writes: a write one worker
 * forwarded can race a copy another worker mirrored.
 *
 * Times cross processes as epoch milliseconds (performance.timeOrigin + performance.now()),
 * each side converting to its own performance.now() clock.
 */

const epoch = (perfNow: number) => performance.timeOrigin + perfNow;
const local = (epochMs: number) => epochMs - performance.timeOrigin;

interface MirrorCall {
  readonly job: Parameters<ShadowThread['mirror']>[0];
  readonly database: string;
  /** When the primary request arrived (epoch ms). */
  readonly startedAt: number;
}

/** A worker's shadow "thread": the primary's, over IPC. */
export function createRemoteShadowThread(channel: IpcChannel): ShadowThread {
  let warmed = false;
  return {
    async mirror(job, _raced, race) {
      // The primary judges races with every worker's writes; this worker's alone would miss some.
      const call: MirrorCall = { job, database: race?.database ?? SHARED_DATABASE, startedAt: epoch(race?.startedAt ?? performance.now()) };
      return channel.call<MirrorOutcome>('shadow.mirror', call);
    },
    async warm() {
      await channel.call('shadow.warm');
      warmed = true;
    },
    running: () => warmed,
    async count(route, kind) {
      await channel.call('shadow.count', { route, kind });
    },
    async flush() {
      await channel.call('shadow.flush');
    },
    // The thread is the primary's to close.
    async close() {},
  };
}

/** A worker's write log: its own, and each write told to the primary as it opens and closes. */
export class ReportingWriteLog extends WriteLog {
  readonly #channel: IpcChannel;

  constructor(channel: IpcChannel) {
    super();
    this.#channel = channel;
  }

  override open(database: string, at: number): number {
    const id = super.open(database, at);
    this.#channel.notify('writes.open', { database, id, at: epoch(at) });
    return id;
  }

  override close(database: string, id: number, status: number, at = performance.now()): void {
    super.close(database, id, status, at);
    this.#channel.notify('writes.close', { database, id, status, at: epoch(at) });
  }
}

/**
 * The primary's side, for one worker: its copies go to the primary's thread, its writes to
 * the cluster's write log (one for every worker). `gone()`, when the worker exits, ends its
 * open writes as of then (they may have written): left open they would make every later
 * comparison of their database `raced` until they went stale.
 */
export function shadowService(thread: ShadowThread, writes: WriteLog): { handlers: Record<string, IpcHandler>; gone(): void } {
  const ids = new Map<number, { database: string; id: number }>();
  const handlers: Record<string, IpcHandler> = {
    'shadow.mirror': ({ job, database, startedAt }: MirrorCall) => thread.mirror(job, (answeredAgoMs) => writes.overlaps(database, local(startedAt), performance.now() - answeredAgoMs)),
    'shadow.warm': () => thread.warm(),
    'shadow.count': ({ route, kind }: { route: string; kind: Parameters<ShadowThread['count']>[1] }) => thread.count(route, kind),
    'shadow.flush': () => thread.flush(),
    'writes.open': ({ database, id, at }: { database: string; id: number; at: number }) => {
      ids.set(id, { database, id: writes.open(database, local(at)) });
    },
    'writes.close': ({ database, id, status, at }: { database: string; id: number; status: number; at: number }) => {
      const mine = ids.get(id);
      if (mine === undefined) return;
      ids.delete(id);
      writes.close(database, mine.id, status, local(at));
    },
  };
  return {
    handlers,
    gone() {
      for (const open of ids.values()) writes.close(open.database, open.id, 0);
      ids.clear();
    },
  };
}
