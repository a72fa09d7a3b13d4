import { bridgeSection } from './bridge-section.js';
import type { LoadTarget } from './measure.js';
import type { BenchStack } from './stack.js';

export interface Targets {
  /** Candidate req/s over baseline req/s, at least. */
  readonly minThroughputRatio: number;
  /** Candidate p50 minus baseline p50, at most (ms). */
  readonly maxAddedP50Ms: number;
  /** Candidate p50 and p99 over the baseline's, at most (1.1: within 10 %). */
  readonly maxP50Ratio?: number;
  readonly maxP99Ratio?: number;
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

/** Well under what this machine serves unshadowed and shadowed (several hundred req/s each). */
const SHADOW_RATE = 200;

const usersShadowed = (shadow: boolean) => `version: 1
backends:
  legacy: { url: "\${LEGACY_URL}", auth: session }
  new: { url: "\${NEW_BACKEND_URL}", auth: jwt }
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: legacy
${shadow ? '    shadow: { to: new, percent: 100 }\n' : ''}`;

/**
 * A steady rate well below what the legacy app serves, over few connections (autocannon
 * paces each connection, so many would fire in bursts): latency is then service time, not
 * queueing, and the p50 difference is the time the proxy adds to a request.
 */
const PACED_RATE = 300;
const PACED_CONNECTIONS = 2;

export const SECTIONS: readonly BenchSection[] = [
  {
    name: 'proxy',
    title: 'GET /users as admin, as fast as it goes: direct to the legacy app vs through the proxy (every route on legacy)',
    // At saturation p50 is queueing (32 connections / req/s), so only throughput is judged here;
    // the added latency is judged at a steady rate below (proxy-latency).
    targets: { minThroughputRatio: 0.85, maxAddedP50Ms: Number.POSITIVE_INFINITY },
    async prepare(stack) {
      const proxy = await stack.startProxy('proxy', ALL_ON_LEGACY);
      const headers = { cookie: stack.adminCookie, accept: 'application/json' };
      return {
        baseline: { label: 'direct', url: `${stack.legacyUrl}/users`, headers, watch: [stack.legacy] },
        candidate: { label: 'proxied', url: `${proxy.url}/users`, headers, watch: [stack.legacy, proxy] },
      };
    },
  },
  {
    name: 'proxy-latency',
    title: `GET /users as admin at a steady ${PACED_RATE} req/s: the latency the proxy adds`,
    targets: { minThroughputRatio: 0.98, maxAddedP50Ms: 1 },
    async prepare(stack) {
      const proxy = await stack.startProxy('proxy-paced', ALL_ON_LEGACY);
      const headers = { cookie: stack.adminCookie, accept: 'application/json' };
      return {
        baseline: { label: 'direct', url: `${stack.legacyUrl}/users`, headers, rate: PACED_RATE, connections: PACED_CONNECTIONS, watch: [stack.legacy] },
        candidate: { label: 'proxied', url: `${proxy.url}/users`, headers, rate: PACED_RATE, connections: PACED_CONNECTIONS, watch: [stack.legacy, proxy] },
      };
    },
  },
  {
    name: 'shadow',
    title: `GET /users as admin through the proxy at ${SHADOW_RATE} req/s: users unshadowed vs every request also mirrored to the new backend and compared`,
    targets: { minThroughputRatio: 0.9, maxAddedP50Ms: Number.POSITIVE_INFINITY, maxP50Ratio: 1.1, maxP99Ratio: 1.1 },
    async prepare(stack) {
      const next = await stack.startNewBackend();
      const env = { NEW_BACKEND_URL: next.url };
      const plain = await stack.startProxy('users-unshadowed', usersShadowed(false), env);
      const shadowed = await stack.startProxy('users-shadowed', usersShadowed(true), env);
      // The client's own Authorization passes the proxy untouched: legacy ignores it, and the
      // copy carries it to the new backend, which then answers (and is compared) for real.
      const headers = { cookie: stack.adminCookie, authorization: await stack.adminBearer(), accept: 'application/json' };
      // A steady rate under saturation, over few connections as in proxy-latency (many paced
      // connections fire in bursts, and a burst's queueing would swamp the comparison): the
      // question is whether a mirrored request's client waits longer, not how much more CPU
      // two backends on the same two cores need.
      return {
        baseline: { label: 'unshadowed', url: `${plain.url}/users`, headers, rate: SHADOW_RATE, connections: PACED_CONNECTIONS },
        candidate: { label: 'shadowed', url: `${shadowed.url}/users`, headers, rate: SHADOW_RATE, connections: PACED_CONNECTIONS },
      };
    },
  },
  bridgeSection,
];
