import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a request carries the shared key. Both sides are hashed first, so the comparison
 * is over equal-length digests: timingSafeEqual needs equal lengths, and comparing lengths
 * first would tell an attacker the key's length.
 */
export function createKeyCheck(key: string): (offered: string | string[] | undefined) => boolean {
  const expected = createHash('sha256').update(key).digest();
  return (offered) => {
    if (typeof offered !== 'string' || offered.length === 0) return false;
    return timingSafeEqual(createHash('sha256').update(offered).digest(), expected);
  };
}
