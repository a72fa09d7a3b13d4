import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Router } from 'express';
import type { RouteTable } from './config/index.js';
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
  /** A routing table is in force: the first one when the proxy is built, then each reload's. */
  onTable?(table: RouteTable): void;
  /** Adds admin endpoints under `/__proxy/` (behind the admin token), e.g. `GET /diffs`. */
  registerAdmin?(router: Router): void;
  /** Adds open endpoints under `/__proxy/` (no token), e.g. `GET /jwks.json`. */
  registerPublic?(router: Router): void;
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

type Hook<A extends unknown[]> = (...args: A) => void | Promise<void>;

/**
 * Runs hooks in order. While they return nothing, everything stays synchronous and the
 * result is undefined (no promise, no microtask on the hot path); from the first hook that
 * returns a promise on, the rest run after it and a promise is returned. A hook that throws
 * synchronously throws here.
 */
export function runHooks<A extends unknown[]>(hooks: ReadonlyArray<Hook<A>>, ...args: A): Promise<void> | undefined {
  for (let i = 0; i < hooks.length; i++) {
    const pending: unknown = (hooks[i] as Hook<A>)(...args);
    // Only a thenable is waited for: a hook typed `void` may still return some value.
    if (isThenable(pending)) return Promise.resolve(pending).then(() => runHooks(hooks.slice(i + 1), ...args));
  }
  return undefined;
}

/** Runs hooks, then `next`; `fail` gets a hook's error, thrown or rejected. */
export function thenRunHooks<A extends unknown[]>(hooks: ReadonlyArray<Hook<A>>, args: A, next: () => void, fail: (err: unknown) => void): void {
  let pending: Promise<void> | undefined;
  try {
    pending = runHooks(hooks, ...args);
  } catch (err) {
    fail(err);
    return;
  }
  if (pending) pending.then(next, fail);
  else next();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}
