/** How the proxy speaks to a backend: pass the session cookie as is, or bridge it to a bearer token. */
export type BackendAuth = 'session' | 'jwt';

export interface BackendConfig {
  readonly name: string;
  /** Origin only (scheme, host, port): validation refuses a path, query or credentials. */
  readonly url: URL;
  readonly auth: BackendAuth;
  /** Upstream answer deadline (`timeout_ms`, default 30000). */
  readonly timeoutMs: number;
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
