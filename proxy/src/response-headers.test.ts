import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse, type IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import { applyResponseHeaderPolicy, responseHeaderList } from './response-headers.js';

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

  describe('as a list for writeHead', () => {
    const answers: IncomingHttpHeaders[] = [
      {
        'content-type': 'application/json', 'content-length': '2', connection: 'keep-alive, x-trace', 'keep-alive': 'timeout=5', 'x-trace': '1',
        'transfer-encoding': 'chunked', 'x-auth-token': 'jwt', 'x-auth-logout': '1', 'x-backend': 'forged', 'x-request-id': 'other', 'set-cookie': ['a=1', 'b=2'],
      },
      { 'content-type': 'text/plain', date: 'Sun, 06 Dec 2026 10:00:00 GMT', connection: 'close', etag: 'W/"2-x"' },
      { 'cache-control': 'no-store', connection: 'X-Backend, Etag', etag: 'e', 'x-routes-generation': '3', 'set-cookie': ['one=1'] },
      {},
    ];
    const rawHead = (headers: Parameters<ServerResponse['writeHead']>[1], before?: [string, string]) => {
      const res = new ServerResponse(new IncomingMessage(new Socket()));
      if (before) res.setHeader(...before);
      res.writeHead(200, headers);
      return sameOrder((res as unknown as { _header: string })._header);
    };
    /**
     * The head with its header lines in one order by name (lines of one name keep theirs), and
     * no Date: the order of distinct headers means nothing, and Node 20 and 22 order a header
     * set before writeHead differently when writeHead gets a list.
     */
    const sameOrder = (head: string) => {
      const [status, ...lines] = head.split('\r\n').filter((l) => l !== '' && !l.startsWith('Date: '));
      const name = (l: string) => l.slice(0, l.indexOf(':')).toLowerCase();
      return [status, ...lines.map((l, i) => ({ l, i })).sort((a, b) => name(a.l).localeCompare(name(b.l)) || a.i - b.i).map((x) => x.l)].join('\n');
    };

    it('writes the same head as the policy applied to the object', () => {
      for (const [i, answer] of answers.entries()) {
        for (const facts of [{ backend: 'new', requestId: `r${i}` }, { backend: 'legacy', requestId: `g${i}`, generation: 12 }]) {
          const edited = structuredClone(answer);
          applyResponseHeaderPolicy(edited, facts);
          assert.equal(rawHead(responseHeaderList(answer, facts)), rawHead(edited));
          // A header the response already had (res.setHeader before the answer came): kept, or overridden alike.
          for (const before of [['x-strangler-worker', 'w1'], ['etag', 'mine'], ['x-backend', 'early']] as Array<[string, string]>) {
            assert.equal(rawHead(responseHeaderList(answer, facts), before), rawHead(edited, before));
          }
        }
      }
    });

    it('leaves the upstream headers as they were', () => {
      const answer = structuredClone(answers[0] as IncomingHttpHeaders);
      responseHeaderList(answer, { backend: 'new', requestId: 'r' });
      assert.deepEqual(answer, answers[0]);
    });

    it('refuses a value a hook broke, as writeHead refuses it in an object', () => {
      assert.throws(() => responseHeaderList({ 'set-cookie': ['a=1\r\nx: y'] }, { backend: 'new', requestId: 'r' }), { code: 'ERR_INVALID_CHAR' });
      assert.throws(() => responseHeaderList({ 'x-bad': undefined }, { backend: 'new', requestId: 'r' }), { code: 'ERR_HTTP_INVALID_HEADER_VALUE' });
    });
  });
});
