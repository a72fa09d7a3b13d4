/**
 * Who is calling. `key` owns MCP sessions and rate buckets:
 * `service:none` (the service token alone), `service:<userId>` (the service token with
 * an acting user asserted by a backend), `user:<sub>` (an access token minted for the MCP
 * audience).
 */
export interface Identity {
  readonly key: string;
  readonly via: 'service-token' | 'access-token' | 'stdio';
  readonly userId: number | null;
  readonly role: 'admin' | 'user' | null;
}

export const SERVICE_IDENTITY: Identity = Object.freeze({ key: 'service:none', via: 'service-token', userId: null, role: null });

export function serviceIdentity(user: { id: number; role: 'admin' | 'user' } | undefined, via: Identity['via'] = 'service-token'): Identity {
  if (!user) return via === 'service-token' ? SERVICE_IDENTITY : Object.freeze({ ...SERVICE_IDENTITY, via });
  return Object.freeze({ key: `service:${user.id}`, via, userId: user.id, role: user.role });
}
