import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Registry } from 'prom-client';
import { routeTableToJson, type RouteChange } from '../config/index.js';
import type { OpsConsole } from '../console/index.js';
import type { ProxyExtension } from '../extension.js';
import { actorFromHeader, type Actor } from '../history/index.js';
import { ADMIN_PREFIX } from '../route-request.js';
import type { RoutingState } from '../routing-state.js';
import { requireBearer } from './bearer-auth.js';
import { parseRouteUpdate } from './route-update-body.js';

export interface ReloadError {
  readonly at: Date;
  readonly errors: readonly string[];
}

/** A cluster's workers as `/__proxy/health` and `/__proxy/routes` show them. */
export interface ClusterStatus {
  /** Workers asked for (PROXY_WORKERS). */
  readonly size: number;
  readonly workers: ReadonlyArray<{ readonly id: number; readonly pid: number | undefined; readonly generation: number; readonly ready: boolean }>;
}

export type RouteUpdateResult =
  | { ok: true; changes: string[]; state: RoutingState; /** Side effects a person should know of, e.g. a rollout paused. */ notes?: string[] }
  | { ok: false; status: 400 | 404 | 500; errors: string[] };

export interface AdminDeps {
  readonly token: string;
  readonly state: () => RoutingState;
  /** The last refused reload, until a reload succeeds. */
  readonly lastError: () => ReloadError | undefined;
  /** `actor`: who asked, from `X-Strangler-Actor` (default `admin-api:token`), for the routing history. */
  readonly updateRoute: (name: string, change: RouteChange, actor: Actor) => RouteUpdateResult;
  readonly registry: Registry;
  /** Resolves once the newest table routes every request (a cluster's workers all have it); a PUT answers after it. */
  readonly confirmed?: () => Promise<void>;
  /** `/__proxy/metrics` when the registry is not the whole story (a cluster's primary aggregates its workers'). */
  readonly metricsText?: () => Promise<string>;
  /** The cluster's workers, when there are any (`workers` in health and routes). */
  readonly cluster?: () => ClusterStatus;
  readonly extensions: readonly ProxyExtension[];
  /** The ops console at `/__proxy/ui`; its session cookie is accepted wherever the token is. */
  readonly console?: OpsConsole;
}

/**
 * The proxy's own endpoints under `/__proxy/`: the one place express and a body parser live.
 * `health` is open; everything else needs the admin bearer token.
 */
export function createAdminApp(deps: AdminDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const router = express.Router();

  router.get('/health', (_req, res) => {
    const { table, generation } = deps.state();
    res.json({ status: 'ok', routesLoadedAt: table.loadedAt.toISOString(), generation, ...(deps.cluster ? { cluster: deps.cluster() } : {}) });
  });

  for (const extension of deps.extensions) extension.registerPublic?.(router);
  if (deps.console) router.use(deps.console.open);

  router.use(requireBearer(deps.token, deps.console?.authenticate));
  if (deps.console) router.get('/ui/events', deps.console.events);

  router.get('/routes', (_req, res) => {
    const { table, generation } = deps.state();
    const lastError = deps.lastError();
    res.json({
      ...routeTableToJson(table),
      generation,
      ...(deps.cluster ? { cluster: deps.cluster() } : {}),
      ...(lastError ? { lastError: { at: lastError.at.toISOString(), errors: lastError.errors } } : {}),
    });
  });

  router.put('/routes/:name', express.json({ limit: '16kb' }), async (req, res) => {
    const name = String(req.params.name);
    const parsed = parseRouteUpdate(req.body);
    if (!parsed.ok) {
      res.status(400).json({ error: `invalid change for route ${name}: ${parsed.errors.join('; ')}`, errors: parsed.errors });
      return;
    }
    const result = deps.updateRoute(name, parsed.change, actorFromHeader(req.headers['x-strangler-actor']));
    if (!result.ok) {
      res.status(result.status).json({ error: result.errors.join('; '), errors: result.errors });
      return;
    }
    // A flip is answered once every worker routes with it: a request sent after the answer never meets the old table.
    try {
      await deps.confirmed?.();
    } catch (err) {
      res.status(500).json({ error: `routes.yaml was changed, but not every worker confirmed it: ${(err as Error).message}` });
      return;
    }
    const json = routeTableToJson(result.state.table);
    res.json({ route: json.routes.find((r) => r.name === name), changes: result.changes, generation: result.state.generation, loadedAt: json.loadedAt, ...(result.notes?.length ? { notes: result.notes } : {}) });
  });

  router.get('/metrics', async (_req, res) => {
    res.set('content-type', deps.registry.contentType).send(await (deps.metricsText ?? (() => deps.registry.metrics()))());
  });

  for (const extension of deps.extensions) extension.registerAdmin?.(router);

  router.get('/diffs', (_req, res) => {
    res.json({ enabled: false, diffs: [], message: 'shadow traffic is not enabled in this proxy: add a shadow section to a route in routes.yaml' });
  });

  app.use(ADMIN_PREFIX, router);
  app.use((req, res) => {
    res.status(404).json({ error: `Not found: ${req.method} ${req.path} (the proxy's endpoints: GET health, GET ui (the console), GET routes, PUT routes/:name, GET metrics, GET diffs, GET stats, GET history, GET/POST rollouts under ${ADMIN_PREFIX}/)` });
  });
  const onError: ErrorRequestHandler = (err: { type?: string; status?: number; message?: string }, _req, res, _next) => {
    if (err.type === 'entity.parse.failed') res.status(400).json({ error: 'Invalid JSON body' });
    else if (err.type === 'entity.too.large') res.status(413).json({ error: 'Request body too large' });
    else if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) res.status(err.status).json({ error: err.message ?? 'Bad Request' });
    else res.status(500).json({ error: 'Internal Server Error' });
  };
  app.use(onError);
  return app;
}
