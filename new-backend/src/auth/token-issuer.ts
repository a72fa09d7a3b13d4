import { AUDIENCE, type TokenService } from '../../../lib/tokens.js';
import type { PublicUser } from '../users/user-repository.js';
import type { RefreshTokens } from './refresh-tokens.js';
import type { TokenState } from './token-state.js';

export interface TokenPair {
  readonly access_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly id: number;
  readonly username: string;
  readonly role: PublicUser['role'];
}

/** Mints access tokens for this backend, and access + refresh pairs for the token API. */
export function createTokenIssuer(tokens: TokenService, state: TokenState, refresh: RefreshTokens, clock: () => number = Date.now) {
  /** iat never falls before the user's tokens-valid-after: a login right after a password change works at once. */
  async function accessToken(user: PublicUser) {
    return tokens.mint({ sub: user.id, role: user.role, audience: AUDIENCE.newBackend, issuedAtLeast: await state.validAfter(user.id) });
  }

  /** A fresh pair; `family` continues a rotation, else a new family starts. Undefined when that family died meanwhile. */
  async function tokenPair(user: PublicUser, family?: { id: string; expiresAt: number }): Promise<{ pair: TokenPair; refreshExpiresIn: number } | undefined> {
    const { token, claims } = await accessToken(user);
    const refreshed = await refresh.issue(user.id, claims, family);
    if (!refreshed) return undefined;
    const now = Math.floor(clock() / 1000);
    return {
      pair: {
        access_token: token,
        token_type: 'bearer',
        expires_in: Math.max(claims.exp - now, 0),
        refresh_token: refreshed.token,
        id: user.id,
        username: user.username,
        role: user.role,
      },
      refreshExpiresIn: Math.max(refreshed.expiresAt - now, 0),
    };
  }

  return { accessToken, tokenPair };
}

export type TokenIssuer = ReturnType<typeof createTokenIssuer>;
