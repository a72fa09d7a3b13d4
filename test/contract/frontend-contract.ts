import { after, before, beforeEach, describe } from 'node:test';
import { authContract } from './auth.contract.js';
import { bodiesContract } from './bodies.contract.js';
import { ContractContext, type ContractSetup } from './contract-target.js';
import { loginGuardsContract } from './login-guards.contract.js';
import { usersByIdContract } from './users-by-id.contract.js';
import { usersListCreateContract } from './users-list-create.contract.js';

export type { ContractSetup, ContractTarget } from './contract-target.js';

/**
 * The frontend contract (DESIGN §2, docs/frontend-contract.md) for health, auth and users,
 * written from the browser's side: an HTTP client with a cookie jar against a base URL.
 * Any target that claims to be "the backend" runs it: the legacy app, the new backend,
 * the proxy in each routing. Tests create their own users, so order does not matter.
 *
 * @example
 * describeFrontendContract('proxy, users on new', async () => {
 *   const stack = await startStack({ users: 'new' });
 *   return { baseUrl: stack.proxyUrl, admin: stack.admin, teardown: () => stack.close() };
 * });
 */
export function describeFrontendContract(label: string, setup: ContractSetup): void {
  describe(`frontend contract: ${label}`, { timeout: 180_000 }, () => {
    const ctx = new ContractContext();
    before(async () => ctx.set(await setup()));
    after(async () => {
      await ctx.target.teardown();
      ctx.set(undefined);
    });
    beforeEach(async () => {
      await ctx.target.beforeEach?.();
    });
    authContract(ctx);
    loginGuardsContract(ctx);
    usersListCreateContract(ctx);
    usersByIdContract(ctx);
    bodiesContract(ctx);
  });
}
