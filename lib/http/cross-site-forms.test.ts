import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import express from 'express';
import { startServer, type RunningServer } from '../../test/kit/index.js';
import { CONTRACT_MESSAGES } from './contract-messages.js';
import { refuseCrossSiteForms } from './cross-site-forms.js';

function post(port: number, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/auth/login', method, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('username=a&password=b');
  });
}

describe('cross-site form posts', () => {
  let server: RunningServer;
  before(async () => {
    const app = express();
    app.use(refuseCrossSiteForms());
    app.use((_req, res) => {
      res.json({ passed: true });
    });
    server = await startServer(app);
  });
  after(() => server.close());

  const form = 'application/x-www-form-urlencoded';
  const cases: [string, Record<string, string>, number][] = [
    ['a form from another site', { 'content-type': form, origin: 'https://evil.example' }, 403],
    ['multipart from another site', { 'content-type': 'multipart/form-data; boundary=x', origin: 'https://evil.example' }, 403],
    ['text/plain from another site', { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://evil.example' }, 403],
    ['a form with Origin: null (sandboxed frame, file://)', { 'content-type': form, origin: 'null' }, 403],
    ['a form from the same host on another port', { 'content-type': form, origin: 'http://127.0.0.1:1' }, 403],
    ['a form from this page', { 'content-type': form, host: 'localhost:5634', origin: 'http://localhost:5634' }, 200],
    ['a form through the proxy (X-Forwarded-Host)', { 'content-type': form, host: '127.0.0.1:5601', 'x-forwarded-host': 'localhost:5634', origin: 'http://localhost:5634' }, 200],
    ['a form with no Origin (a program, not a browser)', { 'content-type': form }, 200],
    ['JSON from another site (a browser would need a preflight first)', { 'content-type': 'application/json', origin: 'https://evil.example' }, 200],
  ];
  for (const [label, headers, status] of cases) {
    it(`${status === 403 ? 'refuses' : 'passes'} ${label}`, async () => {
      const res = await post(server.port, headers);
      assert.equal(res.status, status, res.body);
      if (status === 403) assert.deepEqual(JSON.parse(res.body), { error: CONTRACT_MESSAGES.crossSiteForm });
    });
  }

  it('passes safe methods whatever their Origin', async () => {
    assert.equal((await post(server.port, { 'content-type': form, origin: 'https://evil.example' }, 'OPTIONS')).status, 200);
  });
});
