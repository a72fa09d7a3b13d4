import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { applyResponseHeaderPolicy } from './response-headers.js';

describe('response header policy', () => {
  it('drops hop-by-hop and proxy-only headers, names the backend and the request', () => {
    const headers: IncomingHttpHeaders = {
      'content-type': 'application/json', 'content-length': '2', connection: 'keep-alive, x-trace', 'keep-alive': 'timeout=5', 'x-trace': '1',
      'transfer-encoding': 'chunked', 'x-auth-token': 'jwt', 'x-auth-logout': '1', 'x-backend': 'forged', 'x-request-id': 'other', 'set-cookie': ['a=1', 'b=2'],
    };
    applyResponseHeaderPolicy(headers, { backend: 'new', requestId: 'r1' });
    assert.deepEqual(headers, {
      'content-type': 'application/json', 'content-length': '2', 'set-cookie': ['a=1', 'b=2'], 'x-backend': 'new', 'x-request-id': 'r1',
    });
  });

  it('keeps the connection/upgrade pair of a 101 answer', () => {
    const headers: IncomingHttpHeaders = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-accept': 'abc', 'keep-alive': 'x', 'x-auth-token': 't' };
    applyResponseHeaderPolicy(headers, { backend: 'legacy', requestId: 'r2', generation: 7 }, true);
    assert.deepEqual(headers, {
      connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-accept': 'abc', 'x-backend': 'legacy', 'x-request-id': 'r2', 'x-routes-generation': '7',
    });
  });
});
