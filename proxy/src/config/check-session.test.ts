import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTable } from './index.js';

const KEY = 'k'.repeat(40);
const file = (legacy: string, extra = '') => `version: 1
backends:
  legacy:
    url: http://127.0.0.1:5601
    auth: session
${legacy}
  new: { url: http://127.0.0.1:5602, auth: jwt${extra} }
default: legacy
`;
const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseRouteTable(text, { source: 'routes.yaml', env });
function errorsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  const r = parse(text, env);
  assert.equal(r.ok, false, 'expected the file to be refused');
  return r.ok ? [] : r.errors;
}

describe('routes.yaml session blocks (DESIGN §10)', () => {
  it('gives a session backend without a block today\'s behaviour', () => {
    const r = parse(file(''));
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const session = r.table.backends.get('legacy')?.session;
    assert.equal(session?.cookie, 'connect.sid');
    assert.equal(session?.source, 'sqlite');
    assert.equal(session?.secrets, undefined);
    assert.equal(session?.user, 'userId');
    assert.deepEqual(session?.claims, { role: 'role' });
    assert.deepEqual(session?.sqlite.users, { table: 'users', id: 'id' });
    assert.equal(session?.revalidateMs, 0);
    assert.equal(r.table.backends.get('new')?.audience, 'strangler:new');
    assert.equal(r.table.backends.get('new')?.session, undefined);
    assert.deepEqual(r.table.tokens, { alg: 'EdDSA', ttlSec: 300 });
  });

  it('reads a redis source with a cookie name, expanded secrets, a Passport user path and claims', () => {
    const r = parse(file(`    session:
      cookie: app.sid
      source: redis
      secrets: \${SESSION_SECRET}
      redis: { url: "\${REDIS_URL:-redis://127.0.0.1:6379}", prefix: "shop:sess:" }
      user: passport.user
      claims: { role: passport.role }`, ', audience: shop-api'), { SESSION_SECRET: 'new-one,old-one' });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const session = r.table.backends.get('legacy')?.session;
    assert.equal(session?.cookie, 'app.sid');
    assert.deepEqual(session?.secrets, ['new-one', 'old-one']);
    assert.deepEqual(session?.redis, { url: 'redis://127.0.0.1:6379', prefix: 'shop:sess:' });
    assert.equal(session?.user, 'passport.user');
    assert.deepEqual(session?.claims, { role: 'passport.role' });
    assert.equal(session?.revalidateMs, 2000);
    assert.equal(r.table.backends.get('new')?.audience, 'shop-api');
  });

  it('reads an adapter source and trims its path', () => {
    const r = parse(file(`    session: { source: adapter, adapter: { key: "\${KEY}", path: /__strangler/ }, user: user.id, claims: { role: user.role } }`), { KEY });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.deepEqual(r.table.backends.get('legacy')?.session?.adapter, { key: KEY, path: '/__strangler' });
  });

  it('names an unknown source with its line, path and the known ones', () => {
    assert.deepEqual(errorsOf(file('    session: { source: reddis }')), [
      'routes.yaml:6: backends.legacy.session.source: unknown source "reddis" (known: sqlite, redis, adapter)',
    ]);
  });

  it('refuses what a source needs but lacks, a short adapter key, unset variables, bad names and reserved claims', () => {
    const errors = [
      ...errorsOf(file('    session: { source: redis }')),
      ...errorsOf(file('    session: { source: adapter, adapter: { key: short } }')),
      ...errorsOf(file('    session: { secrets: "${NOPE}" }')),
      ...errorsOf(file('    session: { cookie: "bad name", sqlite: { table: "x;drop" } }')),
      ...errorsOf(file('    session: { claims: { sub: id } }')),
      ...errorsOf(file('    session: { sesion: 1 }')),
    ].join('\n');
    assert.match(errors, /backends\.legacy\.session\.redis: required with `source: redis`/);
    assert.match(errors, /backends\.legacy\.session\.adapter\.key: is shorter than 32 bytes/);
    assert.match(errors, /backends\.legacy\.session\.secrets: environment variable NOPE is not set/);
    assert.match(errors, /backends\.legacy\.session\.cookie: must be a cookie name/);
    assert.match(errors, /backends\.legacy\.session\.sqlite\.table: must be a plain SQL name/);
    assert.match(errors, /backends\.legacy\.session\.claims\.sub: "sub" is set by the proxy itself/);
    assert.match(errors, /backends\.legacy\.session\.sesion: unknown key/);
  });

  it('refuses a session block on a jwt backend and an audience on a session backend', () => {
    const text = `version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session, audience: x }
  new: { url: http://127.0.0.1:5602, auth: jwt, session: { cookie: a } }
default: legacy
`;
    const errors = errorsOf(text).join('\n');
    assert.match(errors, /backends\.legacy\.audience: only `auth: jwt` backends/);
    assert.match(errors, /backends\.new\.session: a `jwt` backend is sent bearer tokens/);
  });

  it('refuses token settings out of range', () => {
    assert.match(errorsOf(`${file('')}tokens: { alg: RS256, ttl_s: 3600 }\n`).join('\n'), /tokens\.alg: must be one of "EdDSA", "ES256", "HS256"/);
  });
});
