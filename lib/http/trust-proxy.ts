import type { Express } from 'express';
import { ConfigError } from '../env.js';

/** Where the proxy runs by default; Docker puts it on a private network instead (`loopback, uniquelocal`). */
export const DEFAULT_TRUST_PROXY = 'loopback';

/**
 * Sets express's `trust proxy`: requests from these peers have their client address taken
 * from X-Forwarded-For (`req.ip`), which the login throttle counts by. From any other peer
 * the header is ignored, so a client cannot pick its own address. `false` trusts nobody.
 *
 * @example trustProxy(app, 'loopback, 10.0.0.0/8')
 */
export function trustProxy(app: Express, setting: string | false = DEFAULT_TRUST_PROXY): void {
  try {
    app.set('trust proxy', setting);
  } catch (err) {
    throw new ConfigError([`TRUST_PROXY=${String(setting)}: ${(err as Error).message}: give addresses or CIDR ranges, or loopback, linklocal, uniquelocal, comma-separated`]);
  }
}
