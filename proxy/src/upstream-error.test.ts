import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyUpstreamError, UPSTREAM_TIMEOUT } from './upstream-error.js';

describe('classifyUpstreamError', () => {
  const cases: Array<[string | undefined, string, number]> = [
    ['ECONNREFUSED', 'refused', 502],
    ['ENOTFOUND', 'dns', 502],
    ['EAI_AGAIN', 'dns', 502],
    ['EHOSTUNREACH', 'unreachable', 502],
    ['ECONNRESET', 'reset', 502],
    ['EPIPE', 'reset', 502],
    [UPSTREAM_TIMEOUT, 'timeout', 504],
    ['ETIMEDOUT', 'timeout', 504],
    ['HPE_INVALID_CONSTANT', 'protocol', 502],
    ['EWHATEVER', 'other', 502],
    [undefined, 'other', 502],
  ];
  for (const [code, kind, status] of cases) {
    it(`maps ${code ?? 'no code'} to ${status} (${kind})`, () => {
      const failure = classifyUpstreamError({ code });
      assert.equal(failure.kind, kind);
      assert.equal(failure.status, status);
      assert.equal(failure.message, status === 504 ? 'Gateway Timeout' : 'Bad Gateway');
    });
  }
});
