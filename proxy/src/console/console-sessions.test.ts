import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consoleCookieOf, sessionCookie } from './console-cookie.js';
import { createConsoleSessions } from './console-sessions.js';

describe('console sessions', () => {
  function clock(start = 1_000_000) {
    let now = start;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  }

  it('finds a session by the id it gave out, each with its own CSRF token', () => {
    const sessions = createConsoleSessions();
    const a = sessions.create();
    const b = sessions.create();
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.session.csrfToken, b.session.csrfToken);
    assert.equal(sessions.find(a.id), a.session);
    assert.equal(sessions.find(`${a.id}x`), undefined);
  });

  it('ends a session at the end of its lifetime, and tells the listeners', () => {
    const time = clock();
    const sessions = createConsoleSessions({ lifetimeMs: 60_000, clock: time.now });
    const ended: unknown[] = [];
    sessions.onEnd((s) => ended.push(s));
    const { id, session } = sessions.create();
    time.advance(59_999);
    assert.equal(sessions.find(id), session);
    time.advance(1);
    assert.equal(sessions.find(id), undefined);
    assert.deepEqual(ended, [session]);
    assert.equal(sessions.size(), 0);
  });

  it('ends a session on sign-out, once', () => {
    const sessions = createConsoleSessions();
    const { id } = sessions.create();
    assert.equal(sessions.end(id), true);
    assert.equal(sessions.end(id), false);
    assert.equal(sessions.find(id), undefined);
  });

  it('keeps at most `max` sessions, ending the oldest first', () => {
    const sessions = createConsoleSessions({ max: 2 });
    const first = sessions.create();
    const second = sessions.create();
    const third = sessions.create();
    assert.equal(sessions.find(first.id), undefined);
    assert.ok(sessions.find(second.id));
    assert.ok(sessions.find(third.id));
  });

  it('reads its cookie back from a Cookie header, and nothing that is not an id', () => {
    const { id } = createConsoleSessions().create();
    const pair = sessionCookie(id, 60_000, false).split(';')[0] as string;
    assert.equal(consoleCookieOf(`a=1; ${pair}; b=2`), id);
    assert.equal(consoleCookieOf('strangler_console=short'), undefined);
    assert.equal(consoleCookieOf('strangler_console=<script>alert(1)</script>xxxxxxxxxxxxxxxx'), undefined);
    assert.equal(consoleCookieOf(undefined), undefined);
  });
});
