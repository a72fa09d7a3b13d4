import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { applyRequestHeaderPolicy, isReservedRequestHeader } from './request-headers.js';
import { acceptRequestId } from './request-id.js';

describe('request header policy', () => {
  const reserved = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-prefix', 'forwarded',
    'x-user-id', 'x-user-role', 'x-user', 'x-backend', 'x-shadow-request', 'x-auth-token', 'x-auth-logout', 'x-auth-anything-new',
    'x-routes-generation', 'x-acting-user-id', 'x-acting-role', 'x-strangler-adapter-key', 'x-strangler-anything', 'x-strangler', 'expect'];
  const passed = ['authorization', 'cookie', 'x-request-id', 'x-custom', 'x-users', 'x-authorization', 'x-backends', 'x-', 'x', 'accept',
    'content-type', 'user-agent', 'host', 'forwarded-for', 'strangler'];
  for (const name of reserved) it(`drops ${name} from clients`, () => assert.equal(isReservedRequestHeader(name), true));
  for (const name of passed) it(`passes ${name}`, () => assert.equal(isReservedRequestHeader(name), false));

  it('drops hop-by-hop headers (and those Connection names) from a plain request', () => {
    const headers: IncomingHttpHeaders = { connection: 'close, x-trace', 'keep-alive': 'timeout=5', 'x-trace': '1', te: 'trailers', upgrade: 'h2c', 'transfer-encoding': 'chunked', accept: '*/*' };
    applyRequestHeaderPolicy(headers, { requestId: 'r', clientAddress: undefined, encrypted: false });
    assert.deepEqual(Object.keys(headers).sort(), ['accept', 'transfer-encoding', 'x-forwarded-proto', 'x-request-id']);
  });

  it('keeps the handshake headers of an upgrade', () => {
    const headers: IncomingHttpHeaders = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' };
    applyRequestHeaderPolicy(headers, { requestId: 'r', clientAddress: undefined, encrypted: false, upgrade: true });
    assert.equal(headers.connection, 'Upgrade');
    assert.equal(headers.upgrade, 'websocket');
  });

  it('rewrites headers in place: reserved ones gone, forwarding facts set by the proxy', () => {
    const headers: IncomingHttpHeaders = {
      host: 'app.example', authorization: 'Bearer mine', 'x-forwarded-for': '6.6.6.6', 'x-user-id': '1', 'x-auth-token': 't', accept: '*/*',
    };
    applyRequestHeaderPolicy(headers, { requestId: 'r1', clientAddress: '10.0.0.5', encrypted: true });
    assert.deepEqual(headers, {
      host: 'app.example', authorization: 'Bearer mine', accept: '*/*',
      'x-request-id': 'r1', 'x-forwarded-for': '10.0.0.5', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example',
    });
  });
});

describe('acceptRequestId', () => {
  it('keeps a sane id', () => assert.equal(acceptRequestId('req-42_abc.def'), 'req-42_abc.def'));
  it('keeps exactly 128 visible characters', () => assert.equal(acceptRequestId('a'.repeat(128)), 'a'.repeat(128)));
  for (const [label, value] of [['129 characters', 'a'.repeat(129)], ['a space', 'a b'], ['a control character', 'a\u0001'], ['non-ASCII', 'é'], ['empty', ''], ['a list', ['a', 'b']], ['nothing', undefined]] as const) {
    it(`replaces ${label} with a UUID`, () => assert.match(acceptRequestId(value as string | string[] | undefined), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/));
  }
});
