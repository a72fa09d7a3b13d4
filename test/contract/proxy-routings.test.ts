import assert from 'node:assert/strict';
import { startSystem, type Routing } from '../kit/system.js';
import { describeFrontendContract } from './frontend-contract.js';

// The frontend's whole contract through the real proxy and its session bridge, in every
// routing of auth × users (issue #4): the browser cannot tell which backend answered, nor
// that a login on one side is used on the other. One system per routing, all on one file.
const ROUTINGS: ReadonlyArray<Pick<Routing, 'auth' | 'users'>> = [
  { auth: 'legacy', users: 'legacy' },
  { auth: 'new', users: 'new' },
  { auth: 'legacy', users: 'new' },
  { auth: 'new', users: 'legacy' },
];

for (const routing of ROUTINGS) {
  describeFrontendContract(`proxy with the session bridge, auth on ${routing.auth}, users on ${routing.users}`, async () => {
    const system = await startSystem({ routing });
    // The routing is really in force: each route answers from the side it names.
    for (const [path, expected] of [['/auth/me', routing.auth], ['/users', routing.users]] as const) {
      const served = (await system.client().get(path)).headers.get('x-backend');
      assert.equal(served, expected, `${path} should be served by ${expected}, was ${served}`);
    }
    return { baseUrl: system.url, admin: system.admin, teardown: () => system.close() };
  });
}
