import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Router } from 'express';
import type { ForwardContext, ForwardOutcome } from './forward-context.js';

/** An upstream answer before the client sees it. */
export interface UpstreamResponse {
  readonly statusCode: number;
  /**
   * The backend's headers, still including the signals meant for the proxy
   * (`x-auth-token`, `x-auth-logout`). Edit this object to change what the client gets
   * (e.g. append to `set-cookie`); the header policy runs after the hooks and strips the
   * proxy-only ones.
   */
  readonly headers: IncomingHttpHeaders;
  /** The body stream, not yet flowing; `teeStream(body, max)` copies it as it passes. */
  readonly body: IncomingMessage;
}

/**
 * A module that takes part in forwarding (the session bridge, shadow traffic). Every hook
 * is optional; hooks run in the order the extensions were given. A hook that throws is a
 * bug: the request gets a 500 and the error is logged.
 */
export interface ProxyExtension {
  readonly name: string;
  /**
   * Before a request (or WebSocket upgrade) goes upstream: add or remove request headers
   * by editing `ctx.req.headers`, or tee the body. A hook may also answer the request itself
   * (end `ctx.res`); the proxy then does not forward it.
   */
  beforeForward?(ctx: ForwardContext): void | Promise<void>;
  /** Upstream headers arrived; runs before anything is sent to the client (HTTP only). */
  onResponseHeaders?(ctx: ForwardContext, upstream: UpstreamResponse): void | Promise<void>;
  /** The exchange is over (answered, failed, or abandoned by the client). Must not throw. */
  afterResponse?(ctx: ForwardContext, outcome: ForwardOutcome): void;
  /** Adds admin endpoints under `/__proxy/` (behind the admin token), e.g. `GET /diffs`. */
  registerAdmin?(router: Router): void;
  close?(): void | Promise<void>;
}

/** The hooks, gathered once so the hot path never looks at extensions that lack them. */
export interface HookSet {
  readonly before: ReadonlyArray<NonNullable<ProxyExtension['beforeForward']>>;
  readonly responseHeaders: ReadonlyArray<NonNullable<ProxyExtension['onResponseHeaders']>>;
  readonly after: ReadonlyArray<NonNullable<ProxyExtension['afterResponse']>>;
}

export function collectHooks(extensions: readonly ProxyExtension[]): HookSet {
  const pick = <K extends 'beforeForward' | 'onResponseHeaders' | 'afterResponse'>(key: K) =>
    extensions.flatMap((e) => {
      const hook = e[key];
      return hook ? [hook.bind(e) as NonNullable<ProxyExtension[K]>] : [];
    });
  return { before: pick('beforeForward'), responseHeaders: pick('onResponseHeaders'), after: pick('afterResponse') };
}

/** Runs hooks in order, awaiting only those that return a promise. */
export async function runHooks<A extends unknown[]>(hooks: ReadonlyArray<(...args: A) => void | Promise<void>>, ...args: A): Promise<void> {
  for (const hook of hooks) {
    const pending = hook(...args);
    if (pending) await pending;
  }
}
