import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTable } from './parse-route-table.js';
import { parseGateList } from './rollout-settings.js';

function routes(users: string, extra = ''): string {
  return `version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
  new: { url: http://127.0.0.1:5602, auth: jwt }
default: legacy
routes:
  - name: users
    paths: [/users/**]
    target: legacy
${users}${extra}`;
}

describe('routes.yaml rollout block', () => {
  it('applies the defaults, match-rate only where the route shadows to the rollout backend', () => {
    const plain = parseRouteTable(routes('    rollout: { to: new }\n'), { source: 'routes.yaml' });
    assert.ok(plain.ok, plain.ok ? '' : plain.errors.join('\n'));
    const r = plain.table.routes[0]?.rollout;
    assert.deepEqual(r?.steps, [1, 5, 25, 50, 100]);
    assert.equal(r?.everyMs, 600_000);
    assert.equal(r?.windowMs, 600_000);
    assert.equal(r?.passes, 3);
    assert.deepEqual(r?.gates, { errorRate: 0.01, matchRate: undefined, latencyP95: 1.5, latencyP99: undefined, criticalErrors: 20 });
    const shadowed = parseRouteTable(routes('    shadow: { to: new }\n    rollout: { to: new, every: 30s, window: 2m, gates: { latency-p99: 2x, latency-p95: off } }\n'), { source: 'routes.yaml' });
    assert.ok(shadowed.ok);
    const s = shadowed.table.routes[0]?.rollout;
    assert.deepEqual(s?.gates, { errorRate: 0.01, matchRate: 0.99, latencyP95: undefined, latencyP99: 2, criticalErrors: 20 });
    assert.equal(s?.everyMs, 30_000);
    assert.equal(s?.windowMs, 120_000);
  });

  const refused: Array<[string, string, RegExp]> = [
    ['steps that do not increase', '    rollout: { to: new, steps: [1, 25, 5, 100] }\n', /routes\.yaml:10: routes\[0\]\.rollout\.steps\[2\]: steps must increase: 5 comes after 25; write e\.g\. steps: \[1, 5, 25, 50, 100\]/],
    ['steps that stop short of 100', '    rollout: { to: new, steps: [1, 50] }\n', /rollout\.steps\[1\]: the last step must be 100 .*add 100 at the end/],
    ['a step over 100', '    rollout: { to: new, steps: [5, 150] }\n', /rollout\.steps\[1\]: 150 is not a canary percentage/],
    ['a gate value without its unit', '    rollout: { to: new, gates: { error-rate: 1 } }\n', /rollout\.gates\.error-rate: "1" is not an error rate: .*e\.g\. error-rate: 1%/],
    ['a misspelt gate', '    rollout: { to: new, gates: { eror-rate: 1% } }\n', /rollout\.gates\.eror-rate: unknown gate "eror-rate" \(did you mean "error-rate"\?/],
    ['a latency ratio under 1x', '    rollout: { to: new, gates: { latency-p95: 0.5x } }\n', /latency-p95: "0\.5x" is not a latency ratio/],
    ['a match-rate gate without shadow traffic', '    rollout: { to: new, gates: { match-rate: 99% } }\n', /match-rate: the match rate comes from shadow comparisons.*add shadow: \{ to: new \}/],
    ['an interval that is not a duration', '    rollout: { to: new, every: soon }\n', /rollout\.every: "soon" is not a duration: write 90s, 10m or 1h/],
    ['an unknown backend', '    rollout: { to: nwe }\n', /rollout\.to: unknown backend "nwe" \(known: legacy, new\)/],
    ['a canary to another backend', '    canary: { to: new, percent: 5 }\n    rollout: { to: legacy }\n', /canary\.to: the canary goes to "new" but the rollout to "legacy"/],
    ['a window longer than the figures kept', '    rollout: { to: new, window: 1h }\n', /rollout\.window: "1h" is longer than the 15 minutes of figures the proxy keeps: at most 15m/],
    ['an unknown key', '    rollout: { to: new, evry: 10m }\n', /rollout\.evry: unknown key \(did you mean "every"\?\)/],
  ];
  for (const [what, block, message] of refused) {
    it(`refuses ${what}, naming the place and the fix`, () => {
      const parsed = parseRouteTable(routes(block), { source: 'routes.yaml' });
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.errors.join('\n'), message);
    });
  }
});

describe('--gates', () => {
  it('reads a list of name=value', () => {
    assert.deepEqual(parseGateList('error-rate=2%, latency-p99=3x,critical-errors=5'), { ok: true, gates: { 'error-rate': '2%', 'latency-p99': '3x', 'critical-errors': '5' } });
  });
  it('names each bad entry', () => {
    const parsed = parseGateList('error-rate=2,foo');
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.ok ? [] : parsed.errors.map((e) => e.split(':')[0]), ['error-rate', '"foo"']);
  });
});
