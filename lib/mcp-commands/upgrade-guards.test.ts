import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { originAllowed } from './upgrade-guards.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('originAllowed', () => {
  const listed = new Set(['https://app.example.com']);
  for (const [label, headers, expected] of [
    ['no Origin (a program)', { host: '127.0.0.1:5601' }, true],
    ['the page this server served', { host: '127.0.0.1:5601', origin: 'http://127.0.0.1:5601' }, true],
    ['host compared case-insensitively', { host: 'LOCALHOST:5601', origin: 'http://localhost:5601' }, true],
    ['the proxy in front (X-Forwarded-Host)', { host: '127.0.0.1:5601', 'x-forwarded-host': 'localhost:5634', origin: 'http://localhost:5634' }, true],
    ['a listed origin', { host: '127.0.0.1:5601', origin: 'https://app.example.com' }, true],
    ['another site', { host: '127.0.0.1:5601', origin: 'https://evil.example' }, false],
    ['the same host on another port', { host: '127.0.0.1:5601', origin: 'http://127.0.0.1:9999' }, false],
    ['a listed origin with a path is not that origin', { host: 'x', origin: 'https://app.example.com/' }, false],
    ['Origin: null (a sandboxed frame)', { host: '127.0.0.1:5601', origin: 'null' }, false],
    ['garbage', { host: '127.0.0.1:5601', origin: '::::' }, false],
  ] as const) {
    it(`${expected ? 'accepts' : 'refuses'} ${label}`, () => assert.equal(originAllowed(req(headers), listed), expected));
  }
});
