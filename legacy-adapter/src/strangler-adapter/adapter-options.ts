import type { Request } from 'express';
import { DEFAULT_ADAPTER_PATH, MIN_ADAPTER_KEY_BYTES } from '../../../lib/adapter-protocol.js';

/** Who a session belongs to, as the app says: the token's `sub` and the claims it carries. */
export interface AdapterIdentity {
  readonly sub: string;
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** What a team passes to `stranglerAdapter` (DESIGN §10). */
export interface StranglerAdapterOptions {
  /** The key shared with the proxy (routes.yaml `session.adapter.key`), at least 32 bytes. */
  readonly key: string | undefined;
  /** The user of this request's session, read from what the app's middleware put on `req`; undefined when nobody is logged in. */
  readonly identify: (req: Request) => AdapterIdentity | undefined | null | Promise<AdapterIdentity | undefined | null>;
  /**
   * A login answered by a jwt backend: make `req.session` (already regenerated) hold user `sub`,
   * the way the app's own login does (e.g. `req.session.user = …`, or Passport's `req.login`).
   */
  readonly login?: (req: Request, sub: string, claims: Readonly<Record<string, unknown>>) => void | Promise<void>;
  /** A logout answered by a jwt backend (e.g. Passport's `req.logout`); by default the session is destroyed. */
  readonly logout?: (req: Request) => void | Promise<void>;
  /** Where the adapter answers the proxy; default `/__strangler`. Must match routes.yaml `session.adapter.path`. */
  readonly path?: string;
}

export interface CheckedOptions {
  readonly key: string;
  readonly identify: StranglerAdapterOptions['identify'];
  readonly login: StranglerAdapterOptions['login'];
  readonly logout: StranglerAdapterOptions['logout'];
  readonly path: string;
}

const EXAMPLE = "stranglerAdapter({ key: process.env.STRANGLER_ADAPTER_KEY, identify: (req) => req.session.user ? { sub: String(req.session.user.id), claims: { role: req.session.user.role } } : undefined })";

/**
 * Checks the options once, when the middleware is created, so a mistake stops the app at
 * start-up with the fix instead of failing every proxy call later.
 */
export function checkAdapterOptions(options: StranglerAdapterOptions | undefined): CheckedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`stranglerAdapter: options are required, e.g. ${EXAMPLE}`);
  const { key, identify, login, logout } = options;
  if (typeof key !== 'string' || key.length === 0) {
    throw new TypeError('stranglerAdapter: `key` is missing: set STRANGLER_ADAPTER_KEY (generate one with `openssl rand -base64 48`) and pass it as `key`; give the proxy the same value in routes.yaml (session.adapter.key)');
  }
  const bytes = Buffer.byteLength(key);
  if (bytes < MIN_ADAPTER_KEY_BYTES) {
    throw new TypeError(`stranglerAdapter: \`key\` is ${bytes} bytes, fewer than ${MIN_ADAPTER_KEY_BYTES}: generate one with \`openssl rand -base64 48\` and give the proxy the same value in routes.yaml (session.adapter.key)`);
  }
  if (typeof identify !== 'function') throw new TypeError(`stranglerAdapter: \`identify\` must be a function of the request returning { sub, claims } or undefined, e.g. ${EXAMPLE}`);
  if (login !== undefined && typeof login !== 'function') throw new TypeError('stranglerAdapter: `login` must be a function (req, sub, claims) that logs user `sub` into req.session, or be left out');
  if (logout !== undefined && typeof logout !== 'function') throw new TypeError('stranglerAdapter: `logout` must be a function (req) that logs the session out, or be left out');
  const rawPath = options.path ?? DEFAULT_ADAPTER_PATH;
  if (typeof rawPath !== 'string' || !/^\/[A-Za-z0-9_\-/]*$/.test(rawPath)) {
    throw new TypeError(`stranglerAdapter: \`path\` must be a path of letters, digits, "_", "-" and "/", such as ${DEFAULT_ADAPTER_PATH} (got ${JSON.stringify(rawPath)})`);
  }
  const path = rawPath.replace(/\/+$/, '');
  if (path === '') throw new TypeError(`stranglerAdapter: \`path\` cannot be "/" (it would take every request): use a path of its own such as ${DEFAULT_ADAPTER_PATH}`);
  return Object.freeze({ key, identify, login, logout, path });
}
