import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHostCheck, parsePublicHosts } from './allowed-hosts.js';

describe('host check', () => {
  const check = createHostCheck(['app.example.com', '10.0.0.5', '[2001:db8::1]']);
  const cases: [string | undefined, boolean][] = [
    ['localhost:5634', true],
    ['LOCALHOST:5634', true],
    ['localhost', true],
    ['127.0.0.1:5634', true],
    ['[::1]:5634', true],
    ['[::1]', true],
    ['app.example.com', true],
    ['app.example.com:443', true],
    ['10.0.0.5:5634', true],
    ['[2001:db8::1]:80', true],
    ['evil.example', false],
    ['evil.example:5634', false],
    ['localhost.evil.example', false],
    ['app.example.com.evil.example', false],
    ['127.0.0.2:5634', false],
    ['[::1', false],
    [':5634', false],
    ['', false],
    [undefined, false],
  ];
  for (const [host, allowed] of cases) {
    it(`${allowed ? 'allows' : 'refuses'} Host ${JSON.stringify(host)}`, () => assert.equal(check(host), allowed));
  }

  it('allows only the loopback names when PUBLIC_HOSTS is empty', () => {
    const loopbackOnly = createHostCheck([]);
    assert.equal(loopbackOnly('localhost:1'), true);
    assert.equal(loopbackOnly('app.example.com'), false);
  });
});

describe('PUBLIC_HOSTS', () => {
  it('reads a comma list: trimmed, lower-cased, IPv6 bracketed, empty entries skipped', () => {
    assert.deepEqual(parsePublicHosts(' App.Example.com, 10.0.0.5,,2001:db8::1 , [::2]'), { ok: true, hosts: ['app.example.com', '10.0.0.5', '[2001:db8::1]', '[::2]'] });
  });

  it('is empty when unset', () => assert.deepEqual(parsePublicHosts(undefined), { ok: true, hosts: [] }));

  it('refuses every entry with a scheme, port, path or wildcard, naming each and the fix', () => {
    const result = parsePublicHosts('https://app.example.com,app.example.com:443,ok.example,app.example.com/x,*.example.com');
    assert.equal(result.ok, false);
    const errors = result.ok ? [] : result.errors;
    assert.equal(errors.length, 4);
    assert.match(errors[0] ?? '', /^PUBLIC_HOSTS: "https:\/\/app\.example\.com" is not a host name: list names only, without scheme, port or path, e\.g\. PUBLIC_HOSTS=/);
    assert.match(errors[3] ?? '', /"\*\.example\.com"/);
  });
});
