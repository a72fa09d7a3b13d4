import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runHooks, thenRunHooks } from './extension.js';

describe('runHooks', () => {
  it('stays synchronous (no promise) while every hook returns nothing, or a non-promise value', () => {
    const seen: string[] = [];
    const hooks = [(x: string) => void seen.push(`a${x}`), (x: string) => ({ ignored: x }) as unknown as void, (x: string) => void seen.push(`c${x}`)];
    assert.equal(runHooks(hooks, '1'), undefined);
    assert.deepEqual(seen, ['a1', 'c1']);
  });

  it('waits for a hook that returns a promise before running the next, in order', async () => {
    const seen: string[] = [];
    const hooks = [
      () => void seen.push('a'),
      async () => {
        await new Promise((r) => setTimeout(r, 5));
        seen.push('b');
      },
      () => void seen.push('c'),
    ];
    const pending = runHooks(hooks);
    assert.ok(pending);
    assert.deepEqual(seen, ['a']);
    await pending;
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  it('hands a thrown or rejected error to fail, and never calls next', async () => {
    for (const hook of [() => { throw new Error('sync'); }, () => Promise.reject(new Error('async'))]) {
      const outcome = await new Promise<string>((resolve) => thenRunHooks([hook], [], () => resolve('next'), (err) => resolve((err as Error).message)));
      assert.match(outcome, /sync|async/);
    }
  });
});
