import { z } from 'zod';
import { replaySchema } from '../replay/replay-schema.js';
import { rolloutSchema } from './rollout-settings.js';

/**
 * The shape of routes.yaml version 1 (DESIGN §4). Strict objects: an unknown key such as
 * `taget:` is refused rather than silently ignored. Cross-references (a target naming a
 * backend) and path syntax are checked in check-references.ts, which sees every route even
 * when the shape is wrong, so one run reports every problem.
 */
const percent = z.number().min(0).max(100);
const timeout = z.number().int().positive().max(3_600_000);

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain SQL name (letters, digits, "_")');

/** DESIGN §10: where a `session` backend keeps its sessions and how its user maps to token claims. */
export const sessionSchema = z.strictObject({
  cookie: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a cookie name (e.g. connect.sid)').default('connect.sid'),
  /** Checked in check-session.ts, so an unknown source names the known ones. */
  source: z.string().default('sqlite'),
  secrets: z.string().min(1).optional(),
  sqlite: z.strictObject({
    path: z.string().min(1).optional(),
    table: identifier.default('sessions'),
    layout: z.enum(['express-session', 'connect-sqlite3']).default('express-session'),
    users: z.strictObject({ table: identifier, id: identifier.default('id') }).optional(),
  }).optional(),
  redis: z.strictObject({
    url: z.string().min(1),
    prefix: z.string().default('sess:'),
  }).optional(),
  adapter: z.strictObject({
    key: z.string().min(1),
    path: z.string().regex(/^\/[A-Za-z0-9_\-/]*$/, 'must be a path such as /__strangler').default('/__strangler'),
  }).optional(),
  user: z.string().min(1).default('userId'),
  claims: z.record(z.string(), z.string().min(1)).default({ role: 'role' }),
  revalidate_ms: z.number().int().min(0).max(600_000).optional(),
});

export const backendSchema = z.strictObject({
  url: z.string(),
  auth: z.enum(['session', 'jwt']),
  timeout_ms: timeout.default(30_000),
  session: sessionSchema.optional(),
  audience: z.string().min(1).optional(),
});

export const tokensSchema = z.strictObject({
  alg: z.enum(['EdDSA', 'ES256', 'HS256']).default('EdDSA'),
  ttl_s: z.number().int().min(30).max(300).default(300),
});

export const canarySchema = z.strictObject({
  to: z.string(),
  percent,
});

export const shadowSchema = z.strictObject({
  to: z.string(),
  methods: z.array(z.string()).min(1).default(['GET', 'HEAD']),
  percent: percent.default(100),
  ignore: z.array(z.string().min(1)).default([]),
  unsafe: z.boolean().default(false),
  unordered: z.boolean().default(false),
  headers: z.array(z.string().min(1)).default([]),
  noise: z.enum(['off', 'learn']).default('off'),
  timeout_ms: timeout.default(10_000),
});

export const routeSchema = z.strictObject({
  name: z.string(),
  paths: z.array(z.string()).min(1),
  methods: z.array(z.string()).min(1).optional(),
  target: z.string(),
  canary: canarySchema.nullish(),
  shadow: shadowSchema.nullish(),
  /** Fields whose values `strangler record` replaces, besides passwords, tokens, cookies and Authorization. */
  redact: z.array(z.string().min(1)).optional(),
  /** The database the route's backends write to: writes to it mark shadow comparisons of its routes `raced` (default: one shared by every route). */
  database: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a name of letters, digits, ".", "-" and "_"').optional(),
  /** Steps the canary up on evidence (rollout-settings.ts; `strangler rollout` writes it). */
  rollout: rolloutSchema.nullish(),
});

export const fileSchema = z.strictObject({
  version: z.literal(1),
  backends: z.record(z.string(), backendSchema),
  default: z.string(),
  routes: z.array(routeSchema).nullish(),
  tokens: tokensSchema.optional(),
  /** How `strangler replay` starts the backends on database copies (proxy/src/replay/replay-schema.ts). */
  replay: replaySchema.optional(),
});

export type RoutesFile = z.output<typeof fileSchema>;

/** The keys each kind of object accepts, for "did you mean" hints. */
export const KNOWN_KEYS = {
  file: Object.keys(fileSchema.shape),
  backend: Object.keys(backendSchema.shape),
  route: Object.keys(routeSchema.shape),
  canary: Object.keys(canarySchema.shape),
  shadow: Object.keys(shadowSchema.shape),
  rollout: Object.keys(rolloutSchema.shape),
  session: Object.keys(sessionSchema.shape),
  tokens: Object.keys(tokensSchema.shape),
} as const;

/** Which object a path points into: `[]` the file, `['routes', 2, 'shadow']` a shadow block. */
export function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS.file;
  if (path[0] === 'backends' && path.length === 2) return KNOWN_KEYS.backend;
  if (path[0] === 'backends' && path.length === 3 && path[2] === 'session') return KNOWN_KEYS.session;
  if (path[0] === 'tokens' && path.length === 1) return KNOWN_KEYS.tokens;
  if (path[0] === 'routes' && path.length === 2) return KNOWN_KEYS.route;
  if (path[0] === 'routes' && path.length === 3 && path[2] === 'canary') return KNOWN_KEYS.canary;
  if (path[0] === 'routes' && path.length === 3 && path[2] === 'shadow') return KNOWN_KEYS.shadow;
  if (path[0] === 'routes' && path.length === 3 && path[2] === 'rollout') return KNOWN_KEYS.rollout;
  return [];
}

/** Example lines that show a correct value, appended to "required" messages. */
export const EXAMPLES: Record<string, string> = {
  version: 'version: 1',
  backends: 'backends: { legacy: { url: http://127.0.0.1:5601, auth: session } }',
  default: 'default: legacy',
  url: 'url: http://127.0.0.1:5602',
  auth: 'auth: session (or jwt)',
  name: 'name: users',
  paths: 'paths: [/users, /users/**]',
  target: 'target: legacy',
  to: 'to: new',
  percent: 'percent: 25',
};
