import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from './wait-for.js';

describe('waitFor(check, what, ms)', () => {
  it('resolves with the first truthy value the check returns', async () => {
    let calls = 0;
    const found = await waitFor(() => (++calls >= 3 ? { id: calls } : undefined), 'the third call');
    assert.deepEqual(found, { id: 3 });
  });

  it('awaits an async check and tries again after one that throws', async () => {
    let calls = 0;
    const value = await waitFor(async () => {
      calls += 1;
      if (calls === 1) throw new Error('not listening yet');
      return calls === 3 && 'ready';
    }, 'the server');
    assert.equal(value, 'ready');
  });

  it('names what it waited for, how long, and the last value seen', async () => {
    await assert.rejects(waitFor(() => false, 'a 200 from /health', 60), { message: 'timed out after 60 ms waiting for a 200 from /health (last seen: false)' });
    await assert.rejects(waitFor(() => undefined, 'the log line', 40), /waiting for the log line \(last seen: undefined\)$/);
    await assert.rejects(waitFor(() => 0, 'a non-zero count', 40), /\(last seen: 0\)$/);
    await assert.rejects(waitFor(async () => '', 'some output', 40), /\(last seen: ''\)$/);
  });

  it('shows the last error when the check kept throwing, and keeps it as the cause', async () => {
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:5601');
    await assert.rejects(waitFor(() => { throw refused; }, 'legacy to answer', 40), (error: Error) => {
      assert.equal(error.message, 'timed out after 40 ms waiting for legacy to answer (last error: connect ECONNREFUSED 127.0.0.1:5601)');
      assert.equal(error.cause, refused);
      return true;
    });
  });
});
