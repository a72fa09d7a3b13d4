import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WriteLog } from './write-log.js';

describe('write log', () => {
  function clocked(options: { retainMs?: number; maxWrites?: number; staleMs?: number } = {}) {
    let t = 0;
    const log = new WriteLog({ ...options, now: () => t });
    return { log, at: (ms: number) => { t = ms; } };
  }

  it('a 2xx write advances its database sequence; any other status does not', () => {
    const { log, at } = clocked();
    at(10);
    log.close('app', log.open('app', 5), 201);
    log.close('app', log.open('app', 6), 400);
    log.close('app', log.open('app', 7), 0);
    assert.equal(log.sequence('app'), 1);
    assert.equal(log.sequence('other'), 0);
  });

  for (const [label, write, window, expected] of [
    ['ended before the window', [1, 2], [3, 9], false],
    ['began after the window', [10, 12], [3, 9], false],
    ['ended inside the window', [1, 5], [3, 9], true],
    ['inside the window', [4, 5], [3, 9], true],
    ['spans the window', [1, 12], [3, 9], true],
    ['began inside, ended after', [8, 12], [3, 9], true],
  ] as const) {
    it(`a write that ${label} ${expected ? 'overlaps' : 'does not overlap'} it`, () => {
      const { log, at } = clocked();
      const id = log.open('app', write[0]);
      at(write[1]);
      log.close('app', id, 200);
      assert.equal(log.overlaps('app', window[0], window[1]), expected);
      assert.equal(log.overlaps('elsewhere', window[0], window[1]), false, 'another database is another sequence');
    });
  }

  it('a write abandoned before any answer may still have written: it overlaps, without advancing the sequence', () => {
    const { log, at } = clocked();
    const id = log.open('app', 5);
    at(8);
    log.close('app', id, 0);
    assert.equal(log.overlaps('app', 7, 9), true);
    assert.equal(log.sequence('app'), 0);
  });

  it('a write still in flight overlaps every window after its arrival; a failed one stops counting once answered', () => {
    const { log } = clocked();
    const id = log.open('app', 5);
    assert.equal(log.overlaps('app', 1, 4), false);
    assert.equal(log.overlaps('app', 1, 6), true);
    assert.equal(log.overlaps('app', 100, 200), true);
    log.close('app', id, 409);
    assert.equal(log.overlaps('app', 1, 6), false);
  });

  it('a window older than what it remembers is judged overlapped', () => {
    const { log, at } = clocked({ retainMs: 1000 });
    for (let i = 0; i < 100; i++) {
      at(i * 100);
      log.close('app', log.open('app', i * 100 - 1), 200);
    }
    at(20_000);
    log.close('app', log.open('app', 19_999), 200);
    assert.equal(log.overlaps('app', 50, 60), true, 'forgotten writes may have overlapped');
    assert.equal(log.overlaps('app', 20_001, 20_002), false);
  });

  it('forgets a write whose exchange never ended, after staleMs', () => {
    const { log, at } = clocked({ staleMs: 1000 });
    log.open('app', 0);
    at(500);
    assert.equal(log.overlaps('app', 100, 200), true);
    at(2000);
    assert.equal(log.overlaps('app', 1500, 1600), false);
  });
});
