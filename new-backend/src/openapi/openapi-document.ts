import { z, type ZodType } from 'zod';
import { openApiPath, type RouteSpec } from '../http/route-spec.js';
import { schemaName } from '../http/named-schema.js';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/**
 * The OpenAPI 3.1 document, generated from the route specs and their zod schemas (JSON
 * Schema 2020-12, which 3.1 uses as is). Named schemas become components; request bodies
 * are described as accepted (input), responses as sent (output).
 */
export function buildOpenApiDocument(routes: readonly RouteSpec[], info: OpenApiInfo) {
  const components: Record<string, JsonSchema> = {};

  function schemaRef(schema: ZodType, io: Io): JsonSchema {
    const name = schemaName(schema);
    if (!name) return convert(schema, io);
    components[name.id] ??= { ...convert(schema, io), ...(name.description ? { description: name.description } : {}) };
    return { $ref: `#/components/schemas/${name.id}` };
  }

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const operation: Record<string, unknown> = {
      operationId: operationId(route),
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.auth === 'bearer' ? { security: [{ bearer: [] }] } : route.auth === 'optional' ? { security: [{}, { bearer: [] }] } : {}),
    };
    if (route.params) {
      operation.parameters = Object.entries(route.params).map(([name, p]) => ({
        name, in: 'path', required: true, description: p.description, schema: convert(p.schema, 'input'),
      }));
    }
    if (route.body) {
      operation.requestBody = {
        required: route.body.required ?? false,
        content: {
          'application/json': { schema: schemaRef(route.body.schema, 'input') },
          ...(route.body.form ? { 'application/x-www-form-urlencoded': { schema: schemaRef(route.body.form, 'input') } } : {}),
        },
      };
    }
    operation.responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => [
        status,
        {
          description: r.description,
          ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d.description, schema: { type: 'string' } }])) } : {}),
          ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: schemaRef(r.schema, 'output') } } } : {}),
        },
      ]),
    );
    (paths[path] ??= {})[route.method] = operation;
  }

  return {
    openapi: '3.1.0',
    info,
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /auth/token, or the X-Auth-Token of POST /auth/login.' },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

function convert(schema: ZodType, io: Io): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `POST /users/:id` → `postUsersById`. */
function operationId(route: RouteSpec): string {
  const words = route.path.split('/').filter(Boolean).map((seg) => (seg.startsWith(':') ? `by-${seg.slice(1)}` : seg));
  return route.method + words.join('-').split(/[-_.]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
