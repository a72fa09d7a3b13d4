import { z } from 'zod';
import { MAX_ACCESS_TTL_SEC } from '../../../lib/tokens.js';
import { MESSAGES } from '../http/messages.js';
import { named } from '../http/named-schema.js';
import { validate, type Validation } from '../http/validate.js';

export const TOKEN_MESSAGES = {
  grantType: 'grant_type must be password or refresh_token',
  refreshRequired: 'refresh_token is required: send it in the JSON or form body, or as the refresh_token cookie',
} as const;

export const Credentials = named(
  z.object({ username: z.string().min(1), password: z.string().min(1) }),
  'Credentials',
  'JSON or an HTML form (application/x-www-form-urlencoded).',
);

export const TokenRequest = named(
  z.object({
    grant_type: z.enum(['password', 'refresh_token']).optional().describe('OAuth2 grant; password when absent.'),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    refresh_token: z.string().min(1).optional(),
  }),
  'TokenRequest',
  'OAuth2 password grant (`grant_type=password&username=…&password=…`) or refresh grant, as a form or JSON.',
);

export const RefreshRequest = named(
  z.object({ refresh_token: z.string().min(1).optional() }),
  'RefreshRequest',
  'The refresh token in the body; when absent, the `refresh_token` cookie set by /auth/token is used.',
);

export const LogoutRequest = named(
  z.object({ refresh_token: z.string().optional().describe('Also revoke this refresh token\'s family.') }),
  'LogoutRequest',
  'No body needed: the bearer token presented is revoked, with its refresh family.',
);

export const TokenResponse = named(
  z.object({
    access_token: z.string().describe(`A JWT (HS256, typ at+jwt) for this backend, valid at most ${MAX_ACCESS_TTL_SEC / 60} minutes.`),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().positive().describe('Seconds until access_token expires.'),
    refresh_token: z.string().describe('Opaque, single use: each refresh returns a new one; presenting a spent one revokes them all.'),
    id: z.number().int().positive(),
    username: z.string(),
    role: z.enum(['admin', 'user']),
  }),
  'TokenResponse',
);

export const Health = named(z.object({ status: z.literal('ok') }), 'Health');
export const Message = named(z.object({ message: z.string() }), 'Message');
export const ErrorBody = named(z.object({ error: z.string() }), 'Error', 'Every failure: `{"error": "<message>"}`.');

export function validateCredentials(body: unknown): Validation<z.infer<typeof Credentials>> {
  return validate(Credentials, body, () => MESSAGES.loginRequired);
}

export type GrantRequest =
  | { grant: 'password'; username: string; password: string }
  | { grant: 'refresh_token'; refreshToken: string | undefined };

/** POST /auth/token: the grant first, then its own fields. */
export function validateTokenRequest(body: Readonly<Record<string, unknown>>): Validation<GrantRequest> {
  const grant = TokenRequest.shape.grant_type.safeParse(body.grant_type);
  if (!grant.success) return { ok: false, message: TOKEN_MESSAGES.grantType };
  if (grant.data === 'refresh_token') return { ok: true, value: { grant: 'refresh_token', refreshToken: refreshTokenIn(body) } };
  const credentials = validateCredentials(body);
  return credentials.ok ? { ok: true, value: { grant: 'password', ...credentials.value } } : credentials;
}

/** The refresh token of a body, when it is there as a non-empty string. */
export function refreshTokenIn(body: unknown): string | undefined {
  const parsed = RefreshRequest.safeParse(body);
  return parsed.success ? parsed.data.refresh_token : undefined;
}
