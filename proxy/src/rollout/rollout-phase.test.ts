import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTable } from '../config/index.js';
import { rolloutPhase, stepAtOrBelow } from './rollout-phase.js';

function route(lines: string) {
  const parsed = parseRouteTable(`version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
  new: { url: http://127.0.0.1:5602, auth: jwt }
default: legacy
routes:
  - name: users
    paths: [/users/**]
${lines}`, { source: 'routes.yaml' });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const r = parsed.table.routes[0];
  if (!r?.rollout) throw new Error('no rollout');
  return { r, rollout: r.rollout };
}

describe('where a rollout stands, read from the route', () => {
  const block = '    rollout: { to: new, steps: [1, 5, 25, 50, 100] }';
  const cases: Array<[string, string, { state: string; step: number; percent: number; offStep: boolean }]> = [
    ['no canary yet: the shadow phase', `    target: legacy\n${block}\n`, { state: 'shadow', step: -1, percent: 0, offStep: false }],
    ['a canary at a step', `    target: legacy\n    canary: { to: new, percent: 25 }\n${block}\n`, { state: 'canary', step: 2, percent: 25, offStep: false }],
    ['a canary between steps (a person set it)', `    target: legacy\n    canary: { to: new, percent: 30 }\n${block}\n`, { state: 'canary', step: -1, percent: 30, offStep: true }],
    ['the target on the rollout backend: done', '    target: new\n    rollout: { to: new, steps: [1, 5, 25, 50, 100], state: done }\n', { state: 'new', step: 4, percent: 100, offStep: false }],
    ['paused at a step', `    target: legacy\n    canary: { to: new, percent: 5 }\n    rollout: { to: new, steps: [1, 5, 25, 50, 100], state: paused }\n`, { state: 'paused', step: 1, percent: 5, offStep: false }],
    ['demoted: the canary is gone', '    target: legacy\n    rollout: { to: new, steps: [1, 5, 25, 50, 100], state: demoted }\n', { state: 'demoted', step: -1, percent: 0, offStep: false }],
  ];
  for (const [what, lines, expected] of cases) {
    it(what, () => {
      const { r, rollout } = route(lines);
      assert.deepEqual({ ...rolloutPhase(r, rollout) }, expected);
    });
  }

  it('resumes at the highest step at or under a share', () => {
    assert.deepEqual([0, 1, 4, 5, 30, 100].map((p) => stepAtOrBelow([1, 5, 25, 50, 100], p)), [-1, 0, 0, 1, 2, 4]);
  });
});
