import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LATENCY_BUCKETS, latencyBucket } from '../stats/index.js';
import { evaluateGates, overall } from './evaluate-gates.js';
import { judgeLatencyRatio, judgeRate, judgeShare } from './judge.js';
import { samplesToClaim, wilson } from './wilson.js';

describe('Wilson interval', () => {
  // Reference values from the closed form (e.g. Wilson 1927; R: binom::binom.wilson).
  const cases: Array<[number, number, number, number]> = [
    [0, 10, 0, 0.2775],
    [0, 300, 0, 0.0126],
    [5, 100, 0.0215, 0.1118],
    [50, 100, 0.4038, 0.5962],
    [100, 100, 0.963, 1],
  ];
  for (const [k, n, lower, upper] of cases) {
    it(`${k} of ${n}: [${lower}, ${upper}]`, () => {
      const b = wilson(k, n);
      assert.ok(b);
      assert.ok(Math.abs(b.lower - lower) < 5e-4, `lower ${b.lower}`);
      assert.ok(Math.abs(b.upper - upper) < 5e-4, `upper ${b.upper}`);
    });
  }
  it('has no interval without trials', () => assert.equal(wilson(0, 0), undefined));
  it('needs 381 clean samples to claim ≤ 1 % and 73 for ≤ 5 %', () => {
    assert.equal(samplesToClaim(0.01), 381);
    assert.equal(samplesToClaim(0.05), 73);
    assert.ok(wilson(0, 381)!.upper < 0.01 && wilson(0, 380)!.upper >= 0.01);
  });
});

describe('judging a rate', () => {
  const cases: Array<[string, number, number, number, string]> = [
    ['no traffic at all', 0, 0, 0.01, 'insufficient'],
    ['a quiet route: 50 clean requests', 0, 50, 0.01, 'insufficient'],
    ['300 clean requests, not yet enough for 1 %', 0, 300, 0.01, 'insufficient'],
    ['400 clean requests', 0, 400, 0.01, 'pass'],
    ['2 failures in 2000', 2, 2000, 0.01, 'pass'],
    ['15 failures in 1000: 1.5 % could still be under 1 %?', 15, 1000, 0.01, 'insufficient'],
    ['30 failures in 200', 30, 200, 0.01, 'fail'],
    ['3 of 3 failed: too few to fail on', 3, 3, 0.01, 'insufficient'],
    ['6 of 6 failed', 6, 6, 0.01, 'fail'],
  ];
  for (const [what, bad, total, limit, status] of cases) {
    it(`${what} → ${status}`, () => assert.equal(judgeRate(bad, total, limit).status, status));
  }

  it('reports the match rate as the share that matched', () => {
    const v = judgeShare(999, 1000, 0.99);
    assert.equal(v.status, 'pass');
    assert.equal(v.value, 0.999);
    assert.ok(v.lower! > 0.99 && v.upper! <= 1);
    assert.equal(v.threshold, 0.99);
    assert.equal(judgeShare(900, 1000, 0.99).status, 'fail');
  });
});

describe('judging a latency ratio', () => {
  const reading = (value: number, spread: number, samples: number) => ({ value, lower: value * (1 - spread), upper: value * (1 + spread), samples });
  const cases: Array<[string, ReturnType<typeof reading>, ReturnType<typeof reading>, string]> = [
    ['alike', reading(100, 0.05, 2000), reading(100, 0.05, 2000), 'pass'],
    ['new three times slower', reading(300, 0.05, 2000), reading(100, 0.05, 2000), 'fail'],
    ['too few samples on legacy', reading(100, 0.05, 2000), reading(100, 0.05, 200), 'insufficient'],
    ['too wide to tell', reading(140, 0.2, 2000), reading(100, 0.2, 2000), 'insufficient'],
  ];
  for (const [what, next, legacy, status] of cases) {
    it(`${what} → ${status}`, () => assert.equal(judgeLatencyRatio(next, legacy, 1.5, 1000).status, status));
  }
});

describe('gates on one window', () => {
  function figures(requests: number, errors: number, ms: number) {
    const latency = new Uint32Array(LATENCY_BUCKETS);
    latency[latencyBucket(ms)] = requests;
    return { requests, errors, latency };
  }
  const gates = { errorRate: 0.01, matchRate: 0.99, latencyP95: 1.5, latencyP99: undefined, criticalErrors: 20 };

  it('judges only the match rate before the first step', () => {
    const readings = evaluateGates(gates, 'shadow', { next: figures(0, 0, 1), legacy: figures(1000, 0, 1), comparisons: { judged: 1000, matched: 1000 } });
    assert.deepEqual(readings.map((r) => [r.name, r.status]), [['match-rate', 'pass']]);
    assert.equal(overall(readings), 'pass');
  });

  it('allows new the error rate of legacy plus the gate', () => {
    const readings = evaluateGates(gates, 'canary', { next: figures(2000, 60, 5), legacy: figures(2000, 60, 5), comparisons: { judged: 1000, matched: 1000 } });
    const error = readings.find((r) => r.name === 'error-rate');
    assert.equal(error?.status, 'pass');
    assert.equal(error?.threshold, 0.04);
    assert.equal(overall(readings), 'pass');
  });

  it('holds a quiet route: nothing fails, nothing passes', () => {
    const readings = evaluateGates(gates, 'canary', { next: figures(0, 0, 1), legacy: figures(0, 0, 1), comparisons: undefined });
    assert.deepEqual(readings.map((r) => r.status), ['insufficient', 'insufficient', 'insufficient']);
    assert.equal(overall(readings), 'insufficient');
  });

  it('fails on a new backend that answers 5xx', () => {
    const readings = evaluateGates(gates, 'canary', { next: figures(200, 40, 5), legacy: figures(2000, 0, 5), comparisons: undefined });
    assert.equal(readings[0]?.status, 'fail');
    assert.equal(overall(readings), 'fail');
  });
});
