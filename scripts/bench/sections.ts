import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pc from 'picocolors';
import { bridgeSection } from './bridge-section.js';
import type { LoadTarget } from './measure.js';
import type { RunningProcess } from './processes.js';
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
  /** Figures for sizing: printed and written, never a missed target. */
  readonly reportOnly?: boolean;
  /** Rounds at least (alternating baseline and candidate; more with --rounds). */
  readonly rounds?: number;
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
 * A steady open-loop rate well below what the legacy app serves (paced.ts: evenly spaced
 * requests, each leaving on time whether or not the previous one answered): latency is then
 * service time, not queueing, and the p50 difference is the time the proxy adds to a request.
 */
const PACED_RATE = 300;

/**
 * A proxy with users on legacy and one that also mirrors every users request to a new
 * backend, with their own diffs.db. The candidate's check reads the shadowed proxy's
 * `/__proxy/diffs` after each run: a bench of copies that failed or were dropped would
 * measure nothing.
 */
async function shadowPair(stack: BenchStack, name: string): Promise<{ baseline: LoadTarget; candidate: LoadTarget }> {
  const next = await stack.startNewBackend();
  const env = (diffs: string) => ({ NEW_BACKEND_URL: next.url, DIFFS_PATH: join(stack.dir, `${name}-${diffs}.diffs.db`) });
  const plain = await stack.startProxy(`users-unshadowed-${name}`, usersShadowed(false), env('unshadowed'));
  const shadowed = await stack.startProxy(`users-shadowed-${name}`, usersShadowed(true), env('shadowed'));
  // The page's own request: only the legacy session cookie. The bridge turns it into the
  // copy's bearer token, so the new backend answers (and is compared) as the same admin.
  const headers = { cookie: stack.adminCookie, accept: 'application/json' };
  const watch = (proxy: RunningProcess) => [stack.legacy, { name: 'proxy', cpuSeconds: () => proxy.cpuSeconds() }, { name: 'new', cpuSeconds: () => next.cpuSeconds() }];
  let before = 0;
  return {
    baseline: { label: 'unshadowed', url: `${plain.url}/users`, headers, watch: watch(plain) },
    candidate: {
      label: 'shadowed',
      url: `${shadowed.url}/users`,
      headers,
      watch: watch(shadowed),
      async verify() {
        const users = await mirroredSoFar(shadowed, stack.proxyAdminToken);
        if (users.shadowed <= before) throw new Error(`the shadowed proxy compared no copies in this run; see ${shadowed.log}`);
        before = users.shadowed;
        const summary = `the shadowed proxy has compared ${users.shadowed} copies (warm-ups included), ${users.dropped} dropped, ${users.matchRate ?? 0} % matched`;
        return users.matchRate === 100 ? pc.dim(summary) : pc.red(`${summary}: the new backend answers differently, see \`strangler diff-report\``);
      },
    },
  };
}

async function mirroredSoFar(proxy: RunningProcess, adminToken: string): Promise<{ shadowed: number; matched: number; dropped: number; matchRate: number | null }> {
  // Comparisons are written in batches (about every 100 ms) after the copy answers.
  await sleep(500);
  const res = await fetch(`${proxy.url}/__proxy/diffs?route=users`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (res.status !== 200) throw new Error(`GET /__proxy/diffs answered ${res.status}; see ${proxy.log}`);
  const report = (await res.json()) as { routes: Array<{ route: string; shadowed: number; matched: number; dropped: number; matchRate: number | null }> };
  return report.routes.find((r) => r.route === 'users') ?? { shadowed: 0, matched: 0, dropped: 0, matchRate: null };
}

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
        baseline: { label: 'direct', url: `${stack.legacyUrl}/users`, headers, rate: PACED_RATE, watch: [stack.legacy] },
        candidate: { label: 'proxied', url: `${proxy.url}/users`, headers, rate: PACED_RATE, watch: [stack.legacy, proxy] },
      };
    },
  },
  {
    name: 'shadow',
    title: `GET /users as admin through the proxy at a steady ${SHADOW_RATE} req/s: users unshadowed vs every request also mirrored to the new backend and compared`,
    targets: { minThroughputRatio: 0.98, maxAddedP50Ms: Number.POSITIVE_INFINITY, maxP50Ratio: 1.1, maxP99Ratio: 1.1 },
    // A p99 is the 20th-worst of 2 000 answers, and one run's differs from the next by a
    // third on this machine: three alternating rounds, pooled, are what is compared.
    rounds: 3,
    async prepare(stack) {
      // A steady open-loop rate under saturation, as in proxy-latency: the question is whether
      // a mirrored request's client waits longer. What the copies cost in capacity when the
      // shadow backend shares the primary's cores is shadow-capacity's question.
      const pair = await shadowPair(stack, 'paced');
      return {
        baseline: { ...pair.baseline, rate: SHADOW_RATE },
        candidate: { ...pair.candidate, rate: SHADOW_RATE },
      };
    },
  },
  {
    name: 'shadow-capacity',
    title: 'GET /users as admin through the proxy, as fast as it goes: unshadowed vs every request mirrored, the new backend on the same cores',
    // Every copy is a second request served on the same two cores, so capacity goes to it by
    // construction; what that costs depends on where the shadow backend runs, so the figures
    // (throughput, and each process's CPU per request) are reported for sizing, not judged.
    targets: { minThroughputRatio: 0, maxAddedP50Ms: Number.POSITIVE_INFINITY },
    reportOnly: true,
    async prepare(stack) {
      return shadowPair(stack, 'saturated');
    },
  },
  bridgeSection,
];
