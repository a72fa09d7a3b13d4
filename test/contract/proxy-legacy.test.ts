import { startLegacy } from '../kit/legacy.js';
import { startProxy } from '../kit/proxy/proxy-harness.js';
import { routesYaml } from '../kit/proxy/routes-yaml.js';
import { describeFrontendContract } from './frontend-contract.js';

// The frontend's whole contract, through the proxy, with every route on the legacy app:
// the proxy must be invisible (statuses, bodies, cookies as the browser sees them).
describeFrontendContract('proxy, every route on legacy', async () => {
  const legacy = await startLegacy();
  const proxy = await startProxy(routesYaml({
    // `new` is declared as in the repository's routes.yaml but nothing routes to it here.
    backends: { legacy: { url: legacy.url, auth: 'session' }, new: { url: 'http://127.0.0.1:9', auth: 'jwt' } },
    default: 'legacy',
    routes: [
      { name: 'auth', paths: ['/auth', '/auth/**'], target: 'legacy' },
      { name: 'users', paths: ['/users', '/users/**'], target: 'legacy' },
      { name: 'mcp', paths: ['/mcp', '/mcp/**'], target: 'legacy' },
    ],
  }));
  return {
    baseUrl: proxy.url,
    admin: legacy.admin,
    async teardown() {
      await proxy.close();
      await legacy.close();
    },
  };
});
