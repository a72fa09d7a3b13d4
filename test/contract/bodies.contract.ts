import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError, type ContractContext } from './contract-target.js';

const INVALID_JSON = 'Invalid JSON body';
const TOO_LARGE = 'Request body too large';
const CONTENT_TYPE = 'Unsupported content type: send application/json';
const JSON_TYPE = { 'content-type': 'application/json' };

export function bodiesContract(ctx: ContractContext): void {
  describe('request bodies', () => {
    for (const [label, body] of [
      ['a truncated object', '{"username": "admin", '],
      ['single quotes', "{'username': 'admin'}"],
      ['a bare word', 'hello'],
      ['a JSON string', '"admin"'],
      ['a JSON array', '[1, 2]'],
      ['JSON null', 'null'],
    ] as const) {
      it(`answers 400 JSON (never an HTML page) to ${label}`, async () => {
        assertError(await ctx.client().request('POST', '/auth/login', { body, headers: JSON_TYPE }), 400, INVALID_JSON);
      });
    }

    it('answers 400 to malformed JSON on a protected endpoint, as admin', async () => {
      const admin = await ctx.admin();
      assertError(await admin.request('POST', '/users', { body: '{"username":', headers: JSON_TYPE }), 400, INVALID_JSON);
      assertError(await admin.request('PUT', '/users/1', { body: '{,}', headers: JSON_TYPE }), 400, INVALID_JSON);
    });

    it('reads the body before the session: malformed JSON is 400 even when logged out', async () => {
      assertError(await ctx.client().request('POST', '/users', { body: '{oops', headers: JSON_TYPE }), 400, INVALID_JSON);
    });

    it('answers 413 to a body over 100 kB', async () => {
      const body = JSON.stringify({ username: 'admin', password: 'x'.repeat(101 * 1024) });
      assertError(await ctx.client().request('POST', '/auth/login', { body, headers: JSON_TYPE }), 413, TOO_LARGE);
      const admin = await ctx.admin();
      assertError(await admin.request('POST', '/users', { body, headers: JSON_TYPE }), 413, TOO_LARGE);
    });

    it('accepts a body just under 100 kB', async () => {
      const body = JSON.stringify({ username: 'admin', password: 'x'.repeat(90 * 1024) });
      assertError(await ctx.client().request('POST', '/auth/login', { body, headers: JSON_TYPE }), 401, 'Incorrect username or password');
    });

    it('accepts application/json with a charset', async () => {
      const { admin } = ctx.target;
      const res = await ctx.client().request('POST', '/auth/login', {
        body: JSON.stringify(admin),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      assert.equal(res.status, 200);
    });

    for (const [label, type] of [
      ['text/plain', 'text/plain'],
      ['XML', 'application/xml'],
      ['multipart', 'multipart/form-data; boundary=x'],
    ] as const) {
      it(`answers 415 to ${label} on /auth/login`, async () => {
        assertError(await ctx.client().request('POST', '/auth/login', { body: 'username=admin', headers: { 'content-type': type } }), 415, CONTENT_TYPE);
      });
    }

    it('answers 415 to a body with no content type', async () => {
      const res = await ctx.client().request('POST', '/auth/login', { body: new Blob(['{"username":"a"}']) as unknown as string });
      assertError(res, 415, CONTENT_TYPE);
    });

    it('answers 415 to a form on /users (forms are for login only)', async () => {
      const admin = await ctx.admin();
      assertError(await admin.request('POST', '/users', { body: new URLSearchParams({ username: 'formuser' }) }), 415, CONTENT_TYPE);
    });

    it('treats a POST with no body as {}', async () => {
      const res = await ctx.client().request('POST', '/auth/logout');
      assert.equal(res.status, 200);
    });
  });

  describe('unknown API paths', () => {
    for (const [method, path] of [
      ['GET', '/auth/nope'],
      ['GET', '/auth/login'],
      ['DELETE', '/auth/me'],
      ['PATCH', '/users/1'],
      ['GET', '/users/1/extra'],
      ['POST', '/users/1'],
      ['GET', '/mcp/definitely-not-a-route'],
    ] as const) {
      it(`answers 404 JSON to ${method} ${path}, logged in or not`, async () => {
        assertError(await ctx.client().request(method, path), 404, 'Not found');
        assertError(await (await ctx.admin()).request(method, path), 404, 'Not found');
      });
    }
  });
}
