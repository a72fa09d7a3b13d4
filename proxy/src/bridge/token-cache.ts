import type { CachedToken } from './bridge-policy.js';

/**
 * Minted tokens by session tag (an HMAC of the session id, never the id itself), bounded:
 * past `maxEntries` the least recently stored goes. It holds tokens only; whether a session
 * is alive is asked of the store on every request.
 */
export class TokenCache {
  readonly #entries = new Map<string, CachedToken>();

  constructor(readonly maxEntries = 10_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error(`TokenCache: maxEntries must be a positive integer, got ${maxEntries}`);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(tag: string): CachedToken | undefined {
    return this.#entries.get(tag);
  }

  set(tag: string, token: CachedToken): void {
    // Re-inserting moves the entry to the young end of the Map's insertion order.
    this.#entries.delete(tag);
    this.#entries.set(tag, token);
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  delete(tag: string): void {
    this.#entries.delete(tag);
  }

  clear(): void {
    this.#entries.clear();
  }
}
