import assert from 'node:assert/strict';
import type { ConsolePage } from './console-page.js';
import type { ProcessSystem } from '../kit/process-system.js';

/** Which backend the repository's three routes go to. */
export interface Routing {
  readonly auth: 'legacy' | 'new';
  readonly users: 'legacy' | 'new';
  readonly mcp: 'legacy' | 'new';
}

/** The route of a path the page calls, as routes.yaml names them. */
export function routeOf(path: string): keyof Routing | undefined {
  const first = path.split(/[/?]/)[1];
  return first === 'auth' || first === 'users' || first === 'mcp' ? first : undefined;
}

/**
 * Every answer the page got for requests sent since `time` came from the backend the
 * routing names (the proxy's X-Backend), and none was a server error.
 */
export function expectAnsweredBy(page: ConsolePage, time: number, routing: Routing): void {
  const seen = page.responsesSince(time).filter((r) => routeOf(r.path));
  assert.ok(seen.length > 0, `${page.label}: no API answers recorded`);
  for (const r of seen) {
    const route = routeOf(r.path) as keyof Routing;
    assert.equal(r.backend, routing[route], `${page.label}: ${r.method} ${r.path} was answered by ${r.backend}, expected ${routing[route]} (${route} route)`);
    assert.ok(r.status < 500, `${page.label}: ${r.method} ${r.path} answered ${r.status}`);
  }
}

/** WebSocket upgrades the proxy sent to `backend` for `route`, from its metrics. */
export async function upgradesTo(system: ProcessSystem, route: string, backend: string): Promise<number> {
  const res = await system.adminApi('metrics');
  assert.equal(res.status, 200);
  const text = await res.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('proxy_websocket_upgrades_total{')) continue;
    if (line.includes(`route="${route}"`) && line.includes(`backend="${backend}"`)) total += Number(line.split(' ').at(-1));
  }
  return total;
}
