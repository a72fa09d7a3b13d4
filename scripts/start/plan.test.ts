import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planStart } from './plan.js';
import { PROCESSES } from './process-table.js';

const all = () => true;
const names = (r: ReturnType<typeof planStart>) => (r.ok ? r.plan.run.map((p) => `${p.spec.name}@${p.host}:${p.port}`) : r.problems);

describe('planStart', () => {
  it('runs every process whose entry exists, on the default ports, legacy first', () => {
    const result = planStart(PROCESSES, {}, all);
    assert.deepEqual(names(result), ['legacy@127.0.0.1:5601', 'new-backend@127.0.0.1:5602', 'mcp-server@127.0.0.1:5000', 'proxy@127.0.0.1:5634']);
  });

  it('skips entries that do not exist yet and says which', () => {
    const result = planStart(PROCESSES, {}, (entry) => !entry.includes('mcp-server'));
    assert.ok(result.ok);
    assert.deepEqual(result.plan.absent.map((s) => s.name), ['mcp-server']);
    assert.equal(result.plan.run.some((p) => p.spec.name === 'mcp-server'), false);
  });

  it('tells the children where the others are, from the ports chosen', () => {
    const result = planStart(PROCESSES, { LEGACY_PORT: '7001', MCP_PORT: '7003' }, all);
    assert.ok(result.ok);
    assert.deepEqual(result.plan.env, { LEGACY_URL: 'http://127.0.0.1:7001', NEW_BACKEND_URL: 'http://127.0.0.1:5602', MCP_URL: 'http://127.0.0.1:7003/mcp' });
  });

  it('does not start a process whose URL says it runs elsewhere', () => {
    const result = planStart(PROCESSES, { LEGACY_URL: 'http://legacy.internal:8080' }, all);
    assert.ok(result.ok);
    assert.deepEqual(result.plan.external.map((e) => [e.spec.name, e.url]), [['legacy', 'http://legacy.internal:8080']]);
    assert.equal('LEGACY_URL' in result.plan.env, false);
  });

  it('binds where LEGACY_HOST or HOST says, and dials loopback for a wildcard', () => {
    const result = planStart(PROCESSES, { HOST: '0.0.0.0', PROXY_HOST: '127.0.0.2' }, all);
    assert.deepEqual(names(result), ['legacy@0.0.0.0:5601', 'new-backend@0.0.0.0:5602', 'mcp-server@0.0.0.0:5000', 'proxy@127.0.0.2:5634']);
    assert.ok(result.ok);
    assert.equal(result.plan.env.LEGACY_URL, 'http://127.0.0.1:5601');
  });

  it('runs only the processes named', () => {
    assert.deepEqual(names(planStart(PROCESSES, {}, all, ['proxy', 'legacy'])), ['legacy@127.0.0.1:5601', 'proxy@127.0.0.1:5634']);
  });

  const refusals: [string, NodeJS.ProcessEnv, string[], RegExp][] = [
    ['a port that is not a number', { LEGACY_PORT: 'abc' }, [], /^LEGACY_PORT=abc is not a port number/],
    ['port 0 (nothing to wait on)', { PROXY_PORT: '0' }, [], /^PROXY_PORT=0: npm start needs a fixed port/],
    ['two processes on one port', { NEW_BACKEND_PORT: '5601' }, [], /^NEW_BACKEND_PORT and LEGACY_PORT are both 5601/],
    ['an unknown process name', {}, ['legacy', 'frontend'], /^unknown process "frontend": choose from legacy, new-backend, mcp-server, proxy$/],
  ];
  for (const [label, env, only, message] of refusals) {
    it(`refuses ${label}`, () => {
      const result = planStart(PROCESSES, env, all, only);
      assert.equal(result.ok, false);
      assert.match((result as { problems: string[] }).problems[0] ?? '', message);
    });
  }
});
