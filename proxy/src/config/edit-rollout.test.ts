import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { editRolloutText, type RolloutEdit } from './edit-rollout.js';
import { parseRouteTable } from './parse-route-table.js';

const FILE = `# routes: this comment stays
version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
  new:    { url: http://127.0.0.1:5602, auth: jwt }   # aligned on purpose
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: legacy      # who answers
    shadow:
      to: new           # mirrored
      methods: [GET]
    # a comment after the shadow block
  - name: mcp
    paths: [/mcp/**]
    target: legacy
`;

function apply(text: string, edit: RolloutEdit): string {
  const result = editRolloutText(text, edit, { source: 'routes.yaml' });
  assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  return result.text;
}

function rolloutOf(text: string, route = 'users') {
  const parsed = parseRouteTable(text, { source: 'routes.yaml' });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
  return parsed.table.routes.find((r) => r.name === route);
}

/** The lines of `after` that are not in `before`, and those gone. */
function lineDiff(before: string, after: string) {
  const a = before.split('\n');
  const b = after.split('\n');
  return { added: b.filter((l) => !a.includes(l)), removed: a.filter((l) => !b.includes(l)) };
}

describe('editing a rollout block in routes.yaml', () => {
  it('starts a rollout by adding one line, everything else byte for byte', () => {
    const after = apply(FILE, { route: 'users', rollout: { set: { to: 'new', steps: [1, 5, 25, 50, 100], every: '10m', gates: { 'error-rate': '2%', 'latency-p99': 'off' } } } });
    assert.deepEqual(lineDiff(FILE, after), { added: ['    rollout: { to: new, steps: [1, 5, 25, 50, 100], every: 10m, gates: { error-rate: 2%, latency-p99: off } }'], removed: [] });
    assert.equal(rolloutOf(after)?.rollout?.gates.errorRate, 0.02);
  });

  it('steps the canary and marks a state in the same write, and clears the state again', () => {
    const started = apply(FILE, { route: 'users', rollout: { set: { to: 'new', steps: [5, 100], every: '1m' } } });
    const paused = apply(started, { route: 'users', change: { canary: { to: 'new', percent: 5 } }, rollout: { state: 'paused' } });
    assert.deepEqual(lineDiff(started, paused).added, ['    canary: { to: new, percent: 5 }', '    rollout: { to: new, steps: [5, 100], every: 1m, state: paused }']);
    assert.equal(rolloutOf(paused)?.rollout?.state, 'paused');
    const demoted = apply(paused, { route: 'users', change: { canary: null }, rollout: { state: 'demoted' } });
    assert.equal(rolloutOf(demoted)?.canary, undefined);
    assert.equal(rolloutOf(demoted)?.rollout?.state, 'demoted');
    const running = apply(demoted, { route: 'users', rollout: { state: null } });
    assert.equal(running, started);
  });

  it('sets the state of a block written by hand, and removes the block', () => {
    const byHand = FILE.replace('  - name: mcp', '    rollout:\n      to: new      # by hand\n      every: 30s\n  - name: mcp');
    const paused = apply(byHand, { route: 'users', rollout: { state: 'paused' } });
    assert.deepEqual(lineDiff(byHand, paused), { added: ['      state: paused'], removed: [] });
    assert.equal(apply(paused, { route: 'users', rollout: { state: null } }), byHand);
    const removed = apply(paused, { route: 'users', rollout: { remove: true } });
    assert.equal(removed, FILE);
  });

  it('refuses an edit that would leave the file invalid, naming why', () => {
    const result = editRolloutText(FILE, { route: 'users', rollout: { set: { to: 'new', steps: [50, 5, 100], every: '1m' } } }, { source: 'routes.yaml' });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.errors.join('\n'), /nothing was written[\s\S]*steps must increase/);
  });
});
