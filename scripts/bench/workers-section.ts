import type { BenchSection } from './bench-section.js';

const ROUTES = `version: 1
backends:
  fast: { url: "\${FAST_URL}", auth: session }
default: fast
routes:
  - name: ping
    paths: [/ping]
    target: fast
`;

/**
 * PROXY_WORKERS=2 against a single proxy process, in front of a backend that costs next to
 * nothing (nginx answering a fixed JSON itself), so the proxy is what limits throughput.
 * Reported for sizing: on this machine wrk, nginx and the proxy share two cores, so a second
 * worker can only take what the generator and the backend leave; on a machine with cores to
 * spare the ratio is the one to watch. CPU per request includes every worker (and the primary).
 */
export const workersSection: BenchSection = {
  name: 'workers',
  title: 'GET /ping as fast as it goes, the backend a fixed answer from nginx: the proxy as one process vs PROXY_WORKERS=2',
  targets: { minThroughputRatio: 0, maxAddedP50Ms: Number.POSITIVE_INFINITY },
  reportOnly: true,
  async prepare(stack) {
    const fast = await stack.startNginx('fast-backend', { answer: '{"ok":true}' });
    const env = { FAST_URL: fast.url };
    const one = await stack.startProxy('workers-1', ROUTES, env);
    const two = await stack.startProxy('workers-2', ROUTES, { ...env, PROXY_WORKERS: '2' });
    const headers = { accept: 'application/json' };
    return {
      baseline: { label: '1 process', url: `${one.url}/ping`, headers, watch: [fast, one] },
      candidate: { label: '2 workers', url: `${two.url}/ping`, headers, watch: [fast, two] },
    };
  },
};
