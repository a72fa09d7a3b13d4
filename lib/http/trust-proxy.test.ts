import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { ConfigError } from '../env.js';
import { trustProxy } from './trust-proxy.js';

describe('trustProxy', () => {
  it('takes express\'s syntax: names, addresses and ranges', () => {
    const app = express();
    trustProxy(app, 'loopback, uniquelocal, 203.0.113.0/24');
    assert.equal(typeof app.get('trust proxy fn'), 'function');
  });

  it('refuses a bad entry with a message that names TRUST_PROXY and the fix', () => {
    assert.throws(() => trustProxy(express(), 'loopback, proxy.internal'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /TRUST_PROXY=loopback, proxy\.internal: invalid IP address: proxy\.internal: give addresses or CIDR ranges, or loopback, linklocal, uniquelocal, comma-separated/);
      return true;
    });
  });
});
