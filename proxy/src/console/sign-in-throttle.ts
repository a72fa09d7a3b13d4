export interface SignInThrottle {
  /** Milliseconds until this address may try again, or 0. */
  blockedFor(address: string): number;
  /** Counts a wrong token from this address. */
  failed(address: string): void;
}

/**
 * Wrong admin tokens allowed per client address per window; past that, sign-in answers 429
 * until the window moves on. The token is long enough that this only keeps logs quiet and
 * the CPU free; the bearer API is not throttled.
 */
export function createSignInThrottle(options: { max?: number; windowMs?: number; clock?: () => number } = {}): SignInThrottle {
  const max = options.max ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const clock = options.clock ?? Date.now;
  const failures = new Map<string, number[]>();

  const recent = (address: string): number[] => {
    const since = clock() - windowMs;
    const kept = (failures.get(address) ?? []).filter((t) => t > since);
    if (kept.length === 0) failures.delete(address);
    else failures.set(address, kept);
    return kept;
  };

  return {
    blockedFor(address: string): number {
      const kept = recent(address);
      return kept.length >= max ? (kept[0] as number) + windowMs - clock() : 0;
    },
    failed(address: string): void {
      // Bounded: an address never holds more than `max` entries, and at most 10 000 addresses are tracked.
      if (failures.size > 10_000) failures.clear();
      failures.set(address, [...recent(address), clock()].slice(-max));
    },
  };
}
