import type { ReplayBlock } from '../replay/replay-schema.js';
import type { RolloutConfig } from './rollout-settings.js';

/** How the proxy speaks to a backend: pass the session cookie as is, or bridge it to a bearer token. */
export type BackendAuth = 'session' | 'jwt';

export type SessionSourceKind = 'sqlite' | 'redis' | 'adapter';

/**
 * A `session` backend's sessions (DESIGN §10), with every default applied and `${VAR}`
 * expanded. Undefined `secrets` / `sqlite.path` mean the process's SESSION_SECRET /
 * DATABASE_PATH, so the repository's routes.yaml needs no session block at all.
 */
export interface SessionConfig {
  readonly cookie: string;
  readonly source: SessionSourceKind;
  readonly secrets: readonly string[] | undefined;
  readonly sqlite: {
    readonly path: string | undefined;
    readonly table: string;
    /** express-session's own table (sid, sess, expires_at ms) or connect-sqlite3's (sid, expired ms, sess). */
    readonly layout: 'express-session' | 'connect-sqlite3';
    /** Join a users table by the session's user id: a deleted user has no session, and claims are read from its row. */
    readonly users: { readonly table: string; readonly id: string } | undefined;
  };
  readonly redis: { readonly url: string; readonly prefix: string } | undefined;
  readonly adapter: { readonly key: string; readonly path: string } | undefined;
  /** Dot path to the user id in the session data (`passport.user`, `user.id`). */
  readonly user: string;
  /** Token claim <- dot path (in the session data, or a column of the joined users row). */
  readonly claims: Readonly<Record<string, string>>;
  /** A session's answer is reused this long (ms) before the source is asked again. */
  readonly revalidateMs: number;
}

export interface BackendConfig {
  readonly name: string;
  /** Origin only (scheme, host, port): validation refuses a path, query or credentials. */
  readonly url: URL;
  readonly auth: BackendAuth;
  /** Upstream answer deadline (`timeout_ms`, default 30000). */
  readonly timeoutMs: number;
  /** `auth: session` backends only. */
  readonly session: SessionConfig | undefined;
  /** `auth: jwt` backends: the `aud` of tokens minted for it (default `strangler:<name>`). */
  readonly audience: string | undefined;
}

/** How the bridge signs tokens (routes.yaml `tokens`). */
export interface TokensConfig {
  readonly alg: 'EdDSA' | 'ES256' | 'HS256';
  readonly ttlSec: number;
}

export interface CanaryConfig {
  readonly to: string;
  /** 0–100; 0 and 100 are exact. */
  readonly percent: number;
}

export interface ShadowConfig {
  readonly to: string;
  /** Upper-case; default GET, HEAD. */
  readonly methods: readonly string[];
  readonly percent: number;
  /** JSON paths left out of the comparison, e.g. `created_at`, `*.updated_at`. */
  readonly ignore: readonly string[];
  readonly unsafe: boolean;
  /** Compare JSON arrays as multisets. */
  readonly unordered: boolean;
  /** Response headers compared, lower-case. */
  readonly headers: readonly string[];
  readonly noise: 'off' | 'learn';
  readonly timeoutMs: number;
}

export interface RouteConfig {
  readonly name: string;
  /** Position in the file (0-based), which is also the match order. */
  readonly index: number;
  readonly paths: readonly string[];
  /** Upper-case; undefined means every method. */
  readonly methods: readonly string[] | undefined;
  readonly target: string;
  readonly canary: CanaryConfig | undefined;
  readonly shadow: ShadowConfig | undefined;
  /** Fields a recording of this route redacts (routes.yaml `redact`); absent when none. */
  readonly redact?: readonly string[];
  /** routes.yaml `database`: whose write sequence the route's writes advance; absent: the shared one. */
  readonly database?: string;
  /** routes.yaml `rollout`: the canary stepped up on evidence; absent when none. */
  readonly rollout?: RolloutConfig;
}

export interface RouteMatch {
  /** undefined: no route matched, the default backend answers. */
  readonly route: RouteConfig | undefined;
  /** The pattern of `route.paths` that matched. */
  readonly pattern: string | undefined;
}

export interface RouteTable {
  readonly version: 1;
  readonly backends: ReadonlyMap<string, BackendConfig>;
  readonly defaultBackend: string;
  readonly routes: readonly RouteConfig[];
  readonly tokens: TokensConfig;
  /** routes.yaml `replay`, as written (placeholders unfilled); only `strangler replay` reads it. */
  readonly replay?: ReplayBlock;
  /** The file (or label) the table was read from. */
  readonly source: string;
  readonly loadedAt: Date;
  /**
   * First route in file order whose method filter and path pattern accept the request.
   * `path` is a normalised path (see normalizeRequestPath); a query string is ignored.
   */
  match(method: string, path: string): RouteMatch;
}

export type LoadResult =
  | { ok: true; table: RouteTable; warnings: string[] }
  | { ok: false; errors: string[] };
