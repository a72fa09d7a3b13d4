import { METHODS } from 'node:http';

/** Every method Node's HTTP parser accepts: anything else never reaches the proxy. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

/** Both backends write to the same database, so mirroring these would apply a write twice. */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const DEFAULT_SHADOW_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD']);
