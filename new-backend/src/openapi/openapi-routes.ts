import { z } from 'zod';
import type { RouteSpec } from '../http/route-spec.js';
import { buildOpenApiDocument, type OpenApiInfo } from './openapi-document.js';
import { serveDocsPage } from './docs-page.js';

/**
 * GET /openapi.json and GET /docs. The document is built once, lazily, from every route
 * the app serves (these two included), so it can never list a route that is not there.
 */
export function openApiRoutes(allRoutes: () => readonly RouteSpec[], info: OpenApiInfo): RouteSpec[] {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  return [
    {
      method: 'get', path: '/openapi.json', tag: 'meta', auth: 'none',
      summary: 'This document (OpenAPI 3.1, generated from the zod schemas the routes validate with)',
      responses: { 200: { description: 'The OpenAPI document.', schema: z.object({ openapi: z.string() }).loose() } },
      handlers: [(_req, res) => {
        document ??= buildOpenApiDocument(allRoutes(), info);
        res.json(document);
      }],
    },
    {
      method: 'get', path: '/docs', tag: 'meta', auth: 'none',
      summary: 'API reference page (Swagger UI, served locally: works offline)',
      responses: {
        200: { description: 'An HTML page.', schema: z.string(), contentType: 'text/html' },
        301: { description: '`/docs` redirects to `/docs/`.' },
      },
      handlers: [serveDocsPage],
    },
  ];
}
