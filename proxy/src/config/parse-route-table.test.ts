import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTable } from './index.js';
import { COMMENTED, DESIGN_EXAMPLE } from '../../../test/kit/proxy/routes-yaml-examples.js';

const HEAD = `version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
  new: { url: http://127.0.0.1:5602, auth: jwt }
default: legacy
routes:
`;
const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseRouteTable(text, { source: 'routes.yaml', env });
function errorsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  const r = parse(text, env);
  assert.equal(r.ok, false, 'expected the file to be refused');
  return r.ok ? [] : r.errors;
}
function warningsOf(text: string): string[] {
  const r = parse(text);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.warnings;
}

describe('parseRouteTable: valid files', () => {
  it('reads the DESIGN §4 example into a typed table with defaults', () => {
    const r = parse(DESIGN_EXAMPLE);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const { table } = r;
    assert.equal(table.version, 1);
    assert.equal(table.defaultBackend, 'legacy');
    assert.equal(table.source, 'routes.yaml');
    assert.deepEqual(table.routes.map((x) => x.name), ['auth', 'users', 'mcp']);
    assert.deepEqual([...table.backends.keys()], ['legacy', 'new']);
    const newBackend = table.backends.get('new');
    assert.equal(newBackend?.url.origin, 'http://127.0.0.1:5602');
    assert.equal(newBackend?.auth, 'jwt');
    assert.equal(newBackend?.timeoutMs, 30000);
    const users = table.routes[1];
    assert.equal(users?.index, 1);
    assert.deepEqual(users?.methods, ['GET', 'POST', 'PUT', 'DELETE']);
    assert.deepEqual(users?.canary, { to: 'new', percent: 25 });
    assert.deepEqual(users?.shadow, {
      to: 'new', methods: ['GET'], percent: 100, ignore: ['created_at', '*.updated_at'], unsafe: false,
      unordered: false, headers: [], noise: 'off', timeoutMs: 10000,
    });
    assert.equal(table.routes[0]?.methods, undefined);
    assert.equal(table.routes[0]?.canary, undefined);
    assert.deepEqual(r.warnings, []);
  });

  it('freezes the table, its routes, lists and backend map', () => {
    const r = parse(DESIGN_EXAMPLE);
    assert.ok(r.ok);
    assert.ok(Object.isFrozen(r.table));
    assert.ok(Object.isFrozen(r.table.routes));
    assert.ok(Object.isFrozen(r.table.routes[1]));
    assert.ok(Object.isFrozen(r.table.routes[1]?.paths));
    assert.ok(Object.isFrozen(r.table.routes[1]?.canary));
    assert.ok(Object.isFrozen(r.table.routes[1]?.shadow?.ignore));
    assert.ok(Object.isFrozen(r.table.backends.get('new')));
    assert.throws(() => (r.table.backends as Map<string, unknown>).set('x', {}), TypeError);
    assert.throws(() => (r.table.backends as Map<string, unknown>).delete('new'), TypeError);
  });

  it('applies shadow defaults: GET and HEAD, 100%, nothing ignored', () => {
    const r = parse(`${HEAD}  - name: users\n    paths: [/users]\n    target: legacy\n    shadow: { to: new, headers: [Content-Type] }\n`);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.deepEqual(r.table.routes[0]?.shadow?.methods, ['GET', 'HEAD']);
    assert.equal(r.table.routes[0]?.shadow?.percent, 100);
    assert.deepEqual(r.table.routes[0]?.shadow?.headers, ['content-type']);
  });

  it('accepts a file with no routes: everything goes to the default', () => {
    const r = parse(HEAD.replace('routes:\n', 'routes: []\n'));
    assert.ok(r.ok);
    assert.equal(r.table.match('GET', '/users').route, undefined);
  });

  it('reads the commented fixture with quoted names and block lists', () => {
    const r = parse(COMMENTED);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.equal(r.table.routes[2]?.target, 'legacy');
    assert.deepEqual(r.table.routes[2]?.paths, ['/mcp', '/mcp/**']);
  });
});

describe('parseRouteTable: ${VAR} expansion in backend URLs', () => {
  const cases: [string, string, NodeJS.ProcessEnv, string][] = [
    ['default used when unset', '${NEW_URL:-http://127.0.0.1:9}', {}, 'http://127.0.0.1:9'],
    ['variable wins over default', '${NEW_URL:-http://127.0.0.1:9}', { NEW_URL: 'http://10.0.0.2:81' }, 'http://10.0.0.2:81'],
    ['empty variable takes the default, as :- does in a shell', '${NEW_URL:-http://127.0.0.1:9}', { NEW_URL: '' }, 'http://127.0.0.1:9'],
    ['plain ${VAR}', '${NEW_URL}', { NEW_URL: 'https://new.internal' }, 'https://new.internal'],
    ['part of the URL', 'http://${HOST:-localhost}:${PORT:-7000}', { PORT: '7001' }, 'http://localhost:7001'],
  ];
  for (const [name, url, env, want] of cases) {
    it(name, () => {
      const r = parse(HEAD.replace('http://127.0.0.1:5602', `"${url}"`).replace('routes:\n', 'routes: []\n'), env);
      assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
      assert.equal(r.table.backends.get('new')?.url.origin, want);
    });
  }

  it('names an unset variable that has no default', () => {
    const errors = errorsOf(HEAD.replace('http://127.0.0.1:5602', '"${NEW_BACKEND_URL}"').replace('routes:\n', 'routes: []\n'));
    assert.deepEqual(errors, ['routes.yaml:4: backends.new.url: environment variable NEW_BACKEND_URL is not set: set it or write ${NEW_BACKEND_URL:-<default>}']);
  });

  it('refuses a URL that the variable makes invalid, showing both', () => {
    const [error] = errorsOf(HEAD.replace('http://127.0.0.1:5602', '"${NEW_URL}"').replace('routes:\n', 'routes: []\n'), { NEW_URL: 'http://x:1/api' });
    assert.match(error ?? '', /backends\.new\.url: "http:\/\/x:1\/api" \(from "\$\{NEW_URL\}"\) must be an origin only/);
  });
});

describe('parseRouteTable: every error, with line and YAML path', () => {
  const cases: [string, string, string[]][] = [
    ['an unknown key with a suggestion', `${HEAD}  - name: users\n    paths: [/users]\n    taget: new\n`, [
      'routes.yaml:7: routes[0].target: required (e.g. target: legacy)',
      'routes.yaml:9: routes[0].taget: unknown key (did you mean "target"?)',
    ]],
    ['an unknown backend, in DESIGN\'s words', `${HEAD}  - name: auth\n    paths: [/auth/**]\n    target: legacy\n  - name: users\n    paths: [/users]\n    target: nwe\n`, [
      'routes.yaml:12: routes[1].target: unknown backend "nwe" (known: legacy, new): did you mean "new"?',
    ]],
    ['a near-miss backend gets a suggestion', `${HEAD}  - name: users\n    paths: [/users]\n    target: legacyy\n`, [
      'routes.yaml:9: routes[0].target: unknown backend "legacyy" (known: legacy, new): did you mean "legacy"?',
    ]],
    ['a wrong version and unknown top-level key', HEAD.replace('version: 1', 'version: 2') + '  []\nrotues: []\n', [
      'routes.yaml:1: version: must be 1, got 2',
      'routes.yaml:8: rotues: unknown key (did you mean "routes"?)',
    ]],
    ['missing sections', 'version: 1\n', [
      'routes.yaml:1: backends: required (e.g. backends: { legacy: { url: http://127.0.0.1:5601, auth: session } })',
      'routes.yaml:1: default: required (e.g. default: legacy)',
    ]],
    ['bad backend entries', 'version: 1\nbackends:\n  Legacy: { url: ftp://x, auth: cookie }\n  new: { url: "http://u:p@h:1", auth: jwt, timeout_ms: -5 }\ndefault: legacy\n', [
      'routes.yaml:3: backends.Legacy: backend name "Legacy" may only hold a-z, 0-9, "-" and "_", starting with a letter or digit',
      'routes.yaml:3: backends.Legacy.auth: must be one of "session", "jwt", got "cookie"',
      'routes.yaml:3: backends.Legacy.url: "ftp://x" must be http:// or https://',
      'routes.yaml:4: backends.new.timeout_ms: must be greater than 0, got -5',
      'routes.yaml:4: backends.new.url: "http://u:p@h:1" must not hold credentials',
      'routes.yaml:5: default: unknown backend "legacy" (known: Legacy, new): did you mean "Legacy"?',
    ]],
    ['bad paths', `${HEAD}  - name: x\n    paths: [users, /a//b, /a/**/b, /a/, /a/b*, "/a/.."]\n    target: legacy\n`, [
      'routes.yaml:8: routes[0].paths[0]: "users" must start with "/"',
      'routes.yaml:8: routes[0].paths[1]: "/a//b" has an empty segment ("//")',
      'routes.yaml:8: routes[0].paths[2]: "/a/**/b": "**" is only allowed as the last segment',
      'routes.yaml:8: routes[0].paths[3]: "/a/" ends with "/": write "/a" (a trailing slash in a request is ignored)',
      'routes.yaml:8: routes[0].paths[4]: "/a/b*": segment "b*" mixes a wildcard with text; use a whole segment (":id", "*" or "**")',
      'routes.yaml:8: routes[0].paths[5]: "/a/.." has a ".." segment',
    ]],
    ['/__proxy cannot be routed', `${HEAD}  - name: x\n    paths: [/__proxy/**]\n    target: new\n`, [
      'routes.yaml:8: routes[0].paths[0]: "/__proxy/**": /__proxy/ belongs to the proxy itself and is never forwarded',
    ]],
    ['bad route names and duplicates', `${HEAD}  - name: Users\n    paths: [/a]\n    target: legacy\n  - name: users\n    paths: [/b]\n    target: legacy\n  - name: users\n    paths: [/c]\n    target: legacy\n`, [
      'routes.yaml:7: routes[0].name: route name "Users" may only hold a-z, 0-9, "-" and "_", starting with a letter or digit',
      'routes.yaml:13: routes[2].name: duplicate route name "users" (also routes[1])',
    ]],
    ['bad methods', `${HEAD}  - name: x\n    paths: [/a]\n    methods: [get, FETCH]\n    target: legacy\n`, [
      'routes.yaml:9: routes[0].methods[0]: "get": write methods in upper case ("GET")',
      'routes.yaml:9: routes[0].methods[1]: "FETCH" is not an HTTP method (e.g. GET, POST, PUT, PATCH, DELETE)',
    ]],
    ['canary problems', `${HEAD}  - name: x\n    paths: [/a]\n    target: legacy\n    canary: { to: legacy, percent: 101 }\n  - name: y\n    paths: [/b]\n    target: legacy\n    canary: { to: neww }\n`, [
      'routes.yaml:10: routes[0].canary.percent: must be at most 100, got 101',
      'routes.yaml:10: routes[0].canary.to: the canary goes to "legacy", which is already the target: remove the canary, or point it at another backend',
      'routes.yaml:14: routes[1].canary: percent: required (e.g. percent: 25)'.replace('canary: percent', 'canary.percent'),
      'routes.yaml:14: routes[1].canary.to: unknown backend "neww" (known: legacy, new): did you mean "new"?',
    ]],
    ['unsafe shadow methods need shadow.unsafe', `${HEAD}  - name: x\n    paths: [/a]\n    target: legacy\n    shadow:\n      to: new\n      methods: [GET, POST, DELETE]\n`, [
      'routes.yaml:12: routes[0].shadow.methods: POST, DELETE would be applied twice: both backends write to the same database. Shadow only GET/HEAD, or add "unsafe: true" to the shadow block if the shadow backend writes elsewhere',
    ]],
    ['shadow noise mode', `${HEAD}  - name: x\n    paths: [/a]\n    target: new\n    shadow: { to: new, noise: loud }\n`, [
      'routes.yaml:10: routes[0].shadow.noise: must be one of "off", "learn", got "loud"',
    ]],
    ['wrong types', `${HEAD}  - name: x\n    paths: /a\n    target: [legacy]\n  - just a string\n`, [
      'routes.yaml:8: routes[0].paths: expected a list, got "/a"',
      'routes.yaml:9: routes[0].target: expected text, got a list',
      'routes.yaml:10: routes[1]: expected a mapping, got "just a string"',
    ]],
    ['a YAML syntax error names its line', `${HEAD}  - name: x\n    paths: [/a, /b\n    target: legacy\n`, [
      'routes.yaml:9: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]],
    ['a duplicate key is a YAML error', `${HEAD}  - name: x\n    paths: [/a]\n    target: legacy\n    target: new\n`, [
      'routes.yaml:10: YAML syntax: Map keys must be unique',
    ]],
    ['an empty file', '# nothing\n', [
      'routes.yaml:1: the file is empty: start with "version: 1", then backends, default and routes (see the repository\'s routes.yaml)',
    ]],
    ['a file that is not a mapping', '- a\n- b\n', ['routes.yaml:1: expected a mapping, got a list']],
    ['reserved names (a backend called __proto__ would vanish from a JS object)', 'version: 1\nbackends:\n  __proto__: { url: http://127.0.0.1:1, auth: session }\ndefault: __proto__\nroutes:\n  - name: _x\n    paths: [/a]\n    target: __proto__\n', [
      'routes.yaml:3: backends.__proto__: backend name "__proto__" may only hold a-z, 0-9, "-" and "_", starting with a letter or digit',
      'routes.yaml:6: routes[0].name: route name "_x" may only hold a-z, 0-9, "-" and "_", starting with a letter or digit',
    ]],
    ['a key that is a list', `${HEAD}  - ? [a]\n    : b\n`, ['routes.yaml:7: a key must be a plain name, not a list or mapping']],
    ['a custom tag', 'version: !custom 1\nbackends: {}\ndefault: x\n', [
      'routes.yaml:1: version: must be 1, got "1"',
      'routes.yaml:2: backends: define at least one backend, e.g. legacy: { url: http://127.0.0.1:5601, auth: session }',
      'routes.yaml:3: default: unknown backend "x" (known: none defined)',
    ]],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => assert.deepEqual(errorsOf(text), want));
  }

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n' + Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n') + '\n';
    const [error] = errorsOf(bomb);
    assert.match(error ?? '', /^routes\.yaml:1: YAML: /);
  });
});

describe('parseRouteTable: warnings', () => {
  it('keeps a shadow whose backend became the target, paused, so a shadowed route can be cut over', () => {
    const w = warningsOf(`${HEAD}  - name: users\n    paths: [/users]\n    target: new\n    shadow: { to: new }\n`);
    assert.deepEqual(w, ['routes.yaml:10: routes[0].shadow.to: "new" is the target now, so shadowing is paused (a backend is never compared with itself); it resumes when the route goes back']);
  });
  it('warns about a route that an earlier route always takes first', () => {
    const w = warningsOf(`${HEAD}  - name: all-users\n    paths: [/users, /users/**]\n    target: legacy\n  - name: one-user\n    paths: [/users/:id]\n    methods: [GET]\n    target: new\n`);
    assert.deepEqual(w, ['routes.yaml:10: routes[1]: route "one-user" can never match: every request it accepts is taken first by all-users (routes[0]); move it above, or remove it']);
  });

  it('does not warn when the earlier route takes only some methods', () => {
    const w = warningsOf(`${HEAD}  - name: reads\n    paths: [/users/**]\n    methods: [GET]\n    target: new\n  - name: users\n    paths: [/users/**]\n    target: legacy\n`);
    assert.deepEqual(w, []);
  });

  it('does not warn when `/x/**` precedes `/x` (** needs one segment or more)', () => {
    assert.deepEqual(warningsOf(`${HEAD}  - name: a\n    paths: [/x/**]\n    target: new\n  - name: b\n    paths: [/x]\n    target: legacy\n`), []);
  });

  it('warns about a single dead path in an otherwise live route, and a duplicate', () => {
    const w = warningsOf(`${HEAD}  - name: a\n    paths: [/x/**]\n    target: new\n  - name: b\n    paths: [/x, /x/:id, /x]\n    target: legacy\n`);
    assert.deepEqual(w, [
      'routes.yaml:11: routes[1].paths[1]: "/x/:id" can never match here: a (routes[0]) takes it first',
      'routes.yaml:11: routes[1].paths[2]: "/x" is listed twice',
    ]);
  });

  it('warns when shadow methods can never reach the route', () => {
    const w = warningsOf(`${HEAD}  - name: a\n    paths: [/x]\n    methods: [POST]\n    target: legacy\n    shadow: { to: new, methods: [GET] }\n`);
    assert.deepEqual(w, ['routes.yaml:11: routes[0].shadow.methods: GET never reach this route (its methods: POST), so are never shadowed']);
  });
});
