import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NETWORK_ERROR_KINDS, networkErrorKind } from './network-error-kind.js';
import { copyErrorKind } from './shadow/mirror/send-copy.js';
import { classifyUpstreamError } from './upstream-error.js';

describe('network error kinds', () => {
  const cases: [string | undefined, string][] = [
    ['ECONNREFUSED', 'refused'], ['ENOTFOUND', 'dns'], ['EAI_AGAIN', 'dns'], ['EHOSTUNREACH', 'unreachable'],
    ['ECONNRESET', 'reset'], ['EPIPE', 'reset'], ['ETIMEDOUT', 'timeout'], ['HPE_INVALID_CONSTANT', 'protocol'],
    ['EWHATEVER', 'other'], [undefined, 'other'], ['', 'other'],
  ];
  for (const [code, kind] of cases) it(`calls ${code ?? 'no code'} ${kind}`, () => assert.equal(networkErrorKind(code), kind));

  it('gives primaries and shadow copies the same kind for every code (ENOTFOUND is dns for both)', () => {
    for (const code of [...Object.keys(NETWORK_ERROR_KINDS), 'HPE_INVALID_CONSTANT', 'EWHATEVER']) {
      assert.equal(copyErrorKind(code), classifyUpstreamError({ code }).kind, code);
    }
  });

  it('keeps each side\'s own deadline and cap codes', () => {
    assert.equal(classifyUpstreamError({ code: 'UPSTREAM_TIMEOUT' }).kind, 'timeout');
    assert.equal(copyErrorKind('SHADOW_TIMEOUT'), 'timeout');
    assert.equal(copyErrorKind('SHADOW_OVERSIZED'), 'oversized');
  });
});
