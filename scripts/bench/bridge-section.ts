import type { BenchSection } from './bench-section.js';

const USERS_ON_NEW = `version: 1
backends:
  legacy: { url: "\${LEGACY_URL}", auth: session }
  new: { url: "\${NEW_BACKEND_URL}", auth: jwt }
tokens: { alg: HS256 }   # see BenchStack.startNewBackend
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: new
`;

/**
 * The session bridge's cost: the same admin asks the new backend for GET /users, once
 * directly with a bearer token (what an API client does), once through the proxy with only
 * the legacy session cookie, which the bridge verifies, looks up and turns into a token.
 */
export const bridgeSection: BenchSection = {
  name: 'bridge',
  title: 'GET /users as admin on the new backend: direct with a bearer token, through nginx with the token, through the proxy with the session cookie (bridged)',
  targets: { minThroughputRatio: 0.8, maxAddedP50Ms: 2 },
  async prepare(stack) {
    const next = await stack.startNewBackend();
    const proxy = await stack.startProxy('bridged', USERS_ON_NEW, { NEW_BACKEND_URL: next.url });
    const cookie = { cookie: stack.adminCookie, accept: 'application/json' };
    // A bench of 401s would measure nothing: the bridged request must really be served as the admin.
    const check = await fetch(`${proxy.url}/users`, { headers: cookie });
    if (check.status !== 200 || check.headers.get('x-backend') !== 'new') {
      throw new Error(`bridge section: GET /users through the proxy answered ${check.status} from ${check.headers.get('x-backend')}, not 200 from new; see ${proxy.log}`);
    }
    // The proxy's CPU per request, set beside the proxy section's, shows what bridging adds to a plain hop.
    const newBackend = { name: 'new', cpuSeconds: () => next.cpuSeconds() };
    // nginx cannot bridge: it carries the bearer token, as a plain hop in front of the same backend.
    const nginx = await stack.startNginx('nginx-new', next.url);
    const bearer = { authorization: await stack.adminBearer(), accept: 'application/json' };
    return {
      baseline: { label: 'new, bearer', url: `${next.url}/users`, headers: bearer, watch: [newBackend] },
      reference: { label: 'nginx, bearer', url: `${nginx.url}/users`, headers: bearer, watch: [newBackend, nginx] },
      candidate: { label: 'bridged', url: `${proxy.url}/users`, headers: cookie, watch: [newBackend, { name: 'proxy', cpuSeconds: () => proxy.cpuSeconds() }] },
    };
  },
};
