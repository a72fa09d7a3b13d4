import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pc from 'picocolors';
import type { BenchSection, Targets } from './bench-section.js';
import { bridgeSection } from './bridge-section.js';
import type { LoadTarget } from './measure.js';
import type { RunningProcess } from './processes.js';
import { SESSION_SOURCE_SECTIONS } from './session-source-sections.js';
import { workersSection } from './workers-section.js';
import type { BenchStack } from './stack.js';

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
tokens: { alg: HS256 }   # see BenchStack.startNewBackend
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: legacy
${shadow ? '    shadow: { to: new, percent: 100 }\n' : ''}`;

const SHADOW_TARGETS: Targets = { minThroughputRatio: 0.98, maxAddedP50Ms: Number.POSITIVE_INFINITY, maxP50Ratio: 1.1, maxP99Ratio: 1.1 };

/**
 * A p99 sits at the knee of the distribution here (p99.9 is three times it), so a few more
 * slow answers move it a lot: one 10 s run's differs from the next by a third on this
 * machine, and its first runs are slower while the processes warm up. Each proxy serves
 * 10 s unmeasured, then 50 alternating 2 s slices per target (20 000 answers each) are
 * pooled; across runs the ratio still varies by about ±0.1.
 */
const SHADOW_SLICES = { primeSec: 10, sliceSec: 2, slices: 50 };

function paced(pair: { baseline: LoadTarget; candidate: LoadTarget }): { baseline: LoadTarget; candidate: LoadTarget } {
  return { baseline: { ...pair.baseline, rate: SHADOW_RATE }, candidate: { ...pair.candidate, rate: SHADOW_RATE } };
}

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
 *
 * `equalLoad`: the baseline's generator sends the new backend the same request itself,
 * 2 ms after each answer (when the proxy would have sent its copy), as the admin's bearer
 * token. Both runs then put the same shadow-backend work on the machine, and what differs
 * is what mirroring costs the proxy: the copy's capture, its token, its exchange, the
 * comparison and its row in diffs.db.
 */
async function shadowPair(stack: BenchStack, name: string, equalLoad: boolean): Promise<{ baseline: LoadTarget; candidate: LoadTarget }> {
  const next = await stack.startNewBackend();
  const env = (diffs: string) => ({ NEW_BACKEND_URL: next.url, DIFFS_PATH: join(stack.dir, `${name}-${diffs}.diffs.db`) });
  const plain = await stack.startProxy(`users-unshadowed-${name}`, usersShadowed(false), env('unshadowed'));
  const shadowed = await stack.startProxy(`users-shadowed-${name}`, usersShadowed(true), env('shadowed'));
  // The page's own request: only the legacy session cookie. The bridge turns it into the
  // copy's bearer token, so the new backend answers (and is compared) as the same admin.
  const headers = { cookie: stack.adminCookie, accept: 'application/json' };
  const watch = (proxy: RunningProcess) => [stack.legacy, { name: 'proxy', cpuSeconds: () => proxy.cpuSeconds() }, { name: 'new', cpuSeconds: () => next.cpuSeconds() }];
  let before = 0;
  const companion = equalLoad
    ? { url: `${next.url}/users`, method: 'GET', headers: { authorization: await stack.adminBearer(), accept: 'application/json', 'x-shadow-request': '1' }, delayMs: 2 }
    : undefined;
  return {
    baseline: { label: equalLoad ? 'unshadowed + same new-backend load' : 'unshadowed', url: `${plain.url}/users`, headers, watch: watch(plain), companion },
    candidate: {
      label: 'shadowed',
      url: `${shadowed.url}/users`,
      headers,
      watch: watch(shadowed),
      async verify() {
        const users = await mirroredSoFar(shadowed, stack.proxyAdminToken);
        if (users.shadowed <= before) throw new Error(`the shadowed proxy compared no copies in this run; see ${shadowed.log}`);
        before = users.shadowed;
        const summary = `diffs.db holds ${users.shadowed} comparisons of users (warm-ups included; it keeps the newest 10 000 per route), ${users.dropped} dropped, ${users.matchRate ?? 0} % matched`;
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
    title: 'GET /users as admin, as fast as it goes: direct to the legacy app, through nginx, through the proxy (every route on legacy)',
    // At saturation p50 is queueing (32 connections / req/s), so only throughput is judged here;
    // the added latency is judged at a steady rate below (proxy-latency). An extra hop cannot
    // be faster than going direct: a ratio above 1 means the generator ran out first.
    targets: { minThroughputRatio: 0.95, maxAddedP50Ms: Number.POSITIVE_INFINITY },
    async prepare(stack) {
      const proxy = await stack.startProxy('proxy', ALL_ON_LEGACY);
      const nginx = await stack.startNginx('nginx', stack.legacyUrl);
      const headers = { cookie: stack.adminCookie, accept: 'application/json' };
      return {
        baseline: { label: 'direct', url: `${stack.legacyUrl}/users`, headers, watch: [stack.legacy] },
        reference: { label: 'nginx', url: `${nginx.url}/users`, headers, watch: [stack.legacy, nginx] },
        candidate: { label: 'proxied', url: `${proxy.url}/users`, headers, watch: [stack.legacy, proxy] },
      };
    },
  },
  {
    name: 'proxy-latency',
    title: `GET /users as admin at a steady ${PACED_RATE} req/s: the latency the proxy (and nginx) adds`,
    targets: { minThroughputRatio: 0.98, maxAddedP50Ms: 0.3 },
    async prepare(stack) {
      const proxy = await stack.startProxy('proxy-paced', ALL_ON_LEGACY);
      const nginx = await stack.startNginx('nginx-paced', stack.legacyUrl);
      const headers = { cookie: stack.adminCookie, accept: 'application/json' };
      return {
        baseline: { label: 'direct', url: `${stack.legacyUrl}/users`, headers, rate: PACED_RATE, watch: [stack.legacy] },
        reference: { label: 'nginx', url: `${nginx.url}/users`, headers, rate: PACED_RATE, watch: [stack.legacy, nginx] },
        candidate: { label: 'proxied', url: `${proxy.url}/users`, headers, rate: PACED_RATE, watch: [stack.legacy, proxy] },
      };
    },
  },
  {
    name: 'shadow',
    title: `GET /users as admin through the proxy at a steady ${SHADOW_RATE} req/s: every request also mirrored to the new backend and compared, against the same route unshadowed while the new backend serves the same requests sent to it directly`,
    targets: SHADOW_TARGETS,
    interleave: SHADOW_SLICES,
    async prepare(stack) {
      // The question is what mirroring costs a client of the proxy. In production the shadow
      // backend has CPUs of its own; here it shares the two cores with everything else, and
      // on this machine any process using them, even at SCHED_IDLE priority, lengthens the
      // primary path's p99 (an idle-priority loop burning what the new backend spends on
      // the copies does it as much as the copies do). So the baseline carries the same
      // new-backend work (shadowPair's equalLoad); shadow-colocated reports the naive pair.
      return paced(await shadowPair(stack, 'paced', true));
    },
  },
  {
    name: 'shadow-colocated',
    title: `The same at ${SHADOW_RATE} req/s against the route unshadowed with the new backend idle: what a shadow backend on the primary path's cores costs its clients`,
    targets: SHADOW_TARGETS,
    interleave: SHADOW_SLICES,
    // Reported for sizing: each copy is a second request served by the same two cores.
    reportOnly: true,
    async prepare(stack) {
      return paced(await shadowPair(stack, 'colocated', false));
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
      return shadowPair(stack, 'saturated', false);
    },
  },
  {
    name: 'record',
    title: 'GET /users as admin through the proxy, as fast as it goes: not recorded vs every exchange recorded (strangler record on the route)',
    // Recording copies both bodies as they stream past and writes one redacted JSON line per
    // exchange after the answer; the candidate's check makes sure it was recording throughout.
    targets: { minThroughputRatio: 0.95, maxAddedP50Ms: Number.POSITIVE_INFINITY },
    async prepare(stack) {
      const env = { RECORDINGS_DIR: join(stack.dir, 'recordings') };
      const plain = await stack.startProxy('record-off', ALL_ON_LEGACY, env);
      const recorded = await stack.startProxy('record-on', ALL_ON_LEGACY, env);
      const admin = { authorization: `Bearer ${stack.proxyAdminToken}`, 'content-type': 'application/json' };
      const started = await fetch(`${recorded.url}/__proxy/recordings`, { method: 'POST', headers: admin, body: JSON.stringify({ route: 'users', duration: '24h' }) });
      if (started.status !== 201) throw new Error(`POST /__proxy/recordings answered ${started.status}: ${await started.text()}; see ${recorded.log}`);
      const { id } = (await started.json()) as { id: string };
      const headers = { cookie: stack.adminCookie, accept: 'application/json' };
      let before = 0;
      return {
        baseline: { label: 'not recorded', url: `${plain.url}/users`, headers, watch: [stack.legacy, { name: 'proxy', cpuSeconds: () => plain.cpuSeconds() }] },
        candidate: {
          label: 'recorded',
          url: `${recorded.url}/users`,
          headers,
          watch: [stack.legacy, { name: 'proxy', cpuSeconds: () => recorded.cpuSeconds() }],
          async verify() {
            const res = await fetch(`${recorded.url}/__proxy/recordings/${id}`, { headers: admin });
            const status = (await res.json()) as { state: string; reason: string | null; exchanges: number; skipped: number; bytes: number };
            if (status.state !== 'recording') throw new Error(`the recording ended (${status.reason}) during the run: its figures would not be of recording; see ${recorded.log}`);
            if (status.exchanges <= before) throw new Error(`the recording took no exchange in this run; see ${recorded.log}`);
            const summary = `recorded ${status.exchanges - before} exchanges in this run (${status.skipped} skipped), file ${Math.round(status.bytes / 1024)} KiB`;
            before = status.exchanges;
            return pc.dim(summary);
          },
        },
      };
    },
  },
  workersSection,
  bridgeSection,
  ...SESSION_SOURCE_SECTIONS,
];
