import type { BackendAuth, RouteTable } from './types.js';

export interface ShadowJson {
  to: string; methods: string[]; percent: number; ignore: string[]; unsafe: boolean;
  unordered: boolean; headers: string[]; noise: 'off' | 'learn'; timeout_ms: number;
}

export interface RouteJson {
  name: string;
  paths: string[];
  /** null: every method. */
  methods: string[] | null;
  target: string;
  canary: { to: string; percent: number } | null;
  shadow: ShadowJson | null;
  /** Fields a recording of the route redacts; present only when routes.yaml names some. */
  redact?: string[];
}

/**
 * The body of `GET /__proxy/routes` (the proxy adds `lastError` after a refused reload)
 * and what `strangler status` compares with the file. Keys follow routes.yaml.
 */
export interface RouteTableJson {
  source: string;
  loadedAt: string;
  version: 1;
  default: string;
  backends: {
    name: string; url: string; auth: BackendAuth; timeout_ms: number;
    /** jwt backends. */
    audience?: string;
    /** session backends: where the bridge reads sessions (secrets and keys are never shown). */
    session?: { cookie: string; source: string; user: string; claims: Record<string, string> };
  }[];
  routes: RouteJson[];
  lastError?: { at: string; errors: string[] };
}

export function routeTableToJson(table: RouteTable): RouteTableJson {
  return {
    source: table.source,
    loadedAt: table.loadedAt.toISOString(),
    version: 1,
    default: table.defaultBackend,
    backends: [...table.backends.values()].map((b) => ({
      name: b.name, url: b.url.origin, auth: b.auth, timeout_ms: b.timeoutMs,
      ...(b.audience ? { audience: b.audience } : {}),
      ...(b.session ? { session: { cookie: b.session.cookie, source: b.session.source, user: b.session.user, claims: { ...b.session.claims } } } : {}),
    })),
    routes: table.routes.map((r) => ({
      name: r.name,
      paths: [...r.paths],
      methods: r.methods ? [...r.methods] : null,
      target: r.target,
      canary: r.canary ? { to: r.canary.to, percent: r.canary.percent } : null,
      shadow: r.shadow ? {
        to: r.shadow.to, methods: [...r.shadow.methods], percent: r.shadow.percent, ignore: [...r.shadow.ignore],
        unsafe: r.shadow.unsafe, unordered: r.shadow.unordered, headers: [...r.shadow.headers], noise: r.shadow.noise,
        timeout_ms: r.shadow.timeoutMs,
      } : null,
      ...(r.redact ? { redact: [...r.redact] } : {}),
    })),
  };
}
