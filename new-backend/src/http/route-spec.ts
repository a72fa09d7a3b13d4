import type { RequestHandler, Router } from 'express';
import type { ZodType } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface ResponseSpec {
  readonly description: string;
  /** The JSON body; absent for an empty response (204). */
  readonly schema?: ZodType;
  /** Defaults to application/json when `schema` is set. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, { readonly description: string }>>;
}

export interface ParamSpec {
  readonly schema: ZodType;
  readonly description: string;
}

/**
 * One route, described once: express mounts `handlers`, and the OpenAPI document is
 * generated from the same spec and the same zod schemas the handlers validate with.
 */
export interface RouteSpec {
  readonly method: HttpMethod;
  /** Express notation: `/users/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** `bearer`: refused with 401 without a valid access token; `optional`: read when present. */
  readonly auth: 'none' | 'bearer' | 'optional';
  readonly params?: Readonly<Record<string, ParamSpec>>;
  readonly body?: { readonly schema: ZodType; readonly form?: ZodType; readonly required?: boolean };
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly handlers: readonly RequestHandler[];
}

/** Mounts routes on a router, in order. */
export function mountRoutes(router: Router, routes: readonly RouteSpec[]): Router {
  for (const route of routes) router[route.method](route.path, ...route.handlers);
  return router;
}

/** `/users/:id` → `/users/{id}` (OpenAPI path templating). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
