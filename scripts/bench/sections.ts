import type { LoadTarget } from './measure.js';
import type { BenchStack } from './stack.js';

export interface Targets {
  /** Candidate req/s over baseline req/s, at least. */
  readonly minThroughputRatio: number;
  /** Candidate p50 minus baseline p50, at most (ms). */
  readonly maxAddedP50Ms: number;
}

/**
 * One comparison in the bench: a baseline and a candidate loaded the same way in the same
 * run. A new comparison (a bridged route vs a direct bearer call, a shadowed route vs an
 * unshadowed one) is one more entry in SECTIONS.
 */
export interface BenchSection {
  readonly name: string;
  readonly title: string;
  readonly targets: Targets;
  prepare(stack: BenchStack): Promise<{ baseline: LoadTarget; candidate: LoadTarget }>;
}

const ALL_ON_LEGACY = `version: 1
backends:
  legacy: { url: "\${LEGACY_URL}", auth: session }
default: legacy
routes:
  - name: auth
    paths: [/auth, /auth/**]
    target: legacy
  - name: users
    paths: [/users, /users/**]
    target: legacy
  - name: mcp
    paths: [/mcp, /mcp/**]
    target: legacy
`;

export const SECTIONS: readonly BenchSection[] = [
  {
    name: 'proxy',
    title: 'GET /users as admin: direct to the legacy app vs through the proxy (every route on legacy)',
    targets: { minThroughputRatio: 0.85, maxAddedP50Ms: 1 },
    async prepare(stack) {
      const proxy = await stack.startProxy('proxy', ALL_ON_LEGACY);
      const headers = { cookie: stack.adminCookie, accept: 'application/json' };
      return {
        baseline: { label: 'direct', url: `${stack.legacyUrl}/users`, headers },
        candidate: { label: 'proxied', url: `${proxy.url}/users`, headers },
      };
    },
  },
];
