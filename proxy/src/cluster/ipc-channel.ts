/**
 * Calls and notices between the proxy's primary and one worker, over node:cluster's IPC
 * channel (started with `serialization: 'advanced'`, so Buffers and typed arrays cross as
 * they are). A call gets exactly one reply; a notice gets none. Messages that are not ours
 * (prom-client's, node's own) are left alone.
 */

/** The two ends: `process` in a worker, a cluster `Worker` in the primary. */
export interface IpcPeer {
  send(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

type Envelope =
  | { readonly strangler: 'call'; readonly id: number; readonly type: string; readonly body: unknown }
  | { readonly strangler: 'reply'; readonly id: number; readonly ok: true; readonly body: unknown }
  | { readonly strangler: 'reply'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly strangler: 'notice'; readonly type: string; readonly body: unknown };

/** What a call or notice of some type does; a call's answer is what it returns (or resolves to). */
export type IpcHandler = (body: never) => unknown;

export interface IpcChannel {
  /** Asks the other end; rejects on its error, or when the channel closes first. */
  call<T = unknown>(type: string, body?: unknown): Promise<T>;
  /** Tells the other end; nothing comes back. False when the channel is gone. */
  notify(type: string, body?: unknown): boolean;
  /** Calls waiting for their reply (tests, shutdown). */
  pending(): number;
  /** Stops listening; calls still waiting reject with `reason`. */
  close(reason?: string): void;
}

export function createIpcChannel(peer: IpcPeer, handlers: Readonly<Record<string, IpcHandler>>, onError?: (err: unknown, type: string) => void): IpcChannel {
  let nextId = 0;
  let closed = false;
  const waiting = new Map<number, { resolve: (body: unknown) => void; reject: (err: Error) => void }>();

  const send = (message: Envelope): boolean => {
    if (closed) return false;
    try {
      return peer.send(message);
    } catch {
      // The other end is gone (ERR_IPC_CHANNEL_CLOSED): its exit is handled elsewhere.
      return false;
    }
  };

  const listener = (raw: unknown): void => {
    if (typeof raw !== 'object' || raw === null || !('strangler' in raw)) return;
    const message = raw as Envelope;
    if (message.strangler === 'reply') {
      const pending = waiting.get(message.id);
      if (!pending) return;
      waiting.delete(message.id);
      if (message.ok) pending.resolve(message.body);
      else pending.reject(new Error(message.error));
      return;
    }
    const handler = handlers[message.type] as ((body: unknown) => unknown) | undefined;
    if (message.strangler === 'notice') {
      try {
        handler?.(message.body);
      } catch (err) {
        onError?.(err, message.type);
      }
      return;
    }
    const { id } = message;
    if (!handler) {
      send({ strangler: 'reply', id, ok: false, error: `no handler for "${message.type}"` });
      return;
    }
    let result: unknown;
    try {
      result = handler(message.body);
    } catch (err) {
      send({ strangler: 'reply', id, ok: false, error: (err as Error).message ?? String(err) });
      return;
    }
    Promise.resolve(result).then(
      (body) => send({ strangler: 'reply', id, ok: true, body }),
      (err: unknown) => send({ strangler: 'reply', id, ok: false, error: (err as Error)?.message ?? String(err) }),
    );
  };
  peer.on('message', listener);

  return {
    call<T>(type: string, body?: unknown): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (closed) return reject(new Error(`cannot call "${type}": the channel is closed`));
        const id = nextId++;
        waiting.set(id, { resolve: resolve as (body: unknown) => void, reject });
        if (!send({ strangler: 'call', id, type, body })) {
          waiting.delete(id);
          reject(new Error(`cannot call "${type}": the other process is gone`));
        }
      });
    },
    notify: (type, body) => send({ strangler: 'notice', type, body }),
    pending: () => waiting.size,
    close(reason = 'the channel closed') {
      if (closed) return;
      closed = true;
      peer.off('message', listener);
      for (const pending of waiting.values()) pending.reject(new Error(reason));
      waiting.clear();
    },
  };
}
