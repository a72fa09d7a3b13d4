import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { bearer, launchBrowser, startNewBackend, type RunningNewBackend } from '../../../test/kit/index.js';
import { openApiPath } from '../http/route-spec.js';

interface Layer { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } }

/** Every route express actually serves, read from its router stack (mounted routers included). */
function servedRoutes(app: RunningNewBackend['app']): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push(`${method} ${openApiPath(layer.route.path)}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

describe('OpenAPI document', () => {
  let nb: RunningNewBackend;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: any;
  before(async () => {
    nb = await startNewBackend();
    const res = await nb.client().get('/openapi.json');
    assert.equal(res.status, 200);
    doc = res.body;
  });
  after(() => nb.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
  });

  it('lists every route the app serves, and serves every route it lists', () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    const served = servedRoutes(nb.app);
    assert.ok(served.length >= 12, `express routes found: ${served.join(', ')}`);
    assert.deepEqual(documented, served);
    for (const expected of ['get /health', 'post /auth/login', 'get /auth/me', 'post /auth/logout', 'post /auth/token', 'post /auth/refresh', 'get /users', 'post /users', 'get /users/{id}', 'put /users/{id}', 'delete /users/{id}', 'get /openapi.json', 'get /docs']) {
      assert.ok(documented.includes(expected), `${expected} missing from the document`);
    }
  });

  it('generates the schemas from the zod rules the handlers enforce', () => {
    const newUser = doc.components.schemas.NewUser;
    assert.deepEqual(newUser.required, ['username', 'name', 'email', 'password']);
    assert.equal(newUser.properties.username.pattern, '^[A-Za-z0-9_.-]{3,32}$');
    assert.equal(newUser.properties.name.maxLength, 100);
    assert.equal(newUser.properties.password.minLength, 8);
    assert.deepEqual(newUser.properties.role.enum, ['admin', 'user']);
    assert.deepEqual(doc.paths['/users'].get.security, [{ bearer: [] }]);
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
    assert.ok(doc.paths['/auth/login'].post.requestBody.content['application/x-www-form-urlencoded'], 'login takes a form');
    assert.ok(!doc.paths['/users'].post.requestBody.content['application/x-www-form-urlencoded'], '/users takes JSON only');
  });

  it('describes real answers: responses validate against their documented schemas', async () => {
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, object>)) ajv.addSchema(schema, `#/components/schemas/${name}`);
    const check = (name: string, value: unknown) => {
      const validate = ajv.getSchema(`#/components/schemas/${name}`);
      assert.ok(validate, `no schema ${name}`);
      assert.ok(validate(value), `${name}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(value)}`);
    };
    const token = await nb.login(nb.admin.username, nb.admin.password);
    check('Health', (await nb.client().get('/health')).body);
    check('User', (await nb.client().get('/auth/me', { headers: bearer(token) })).body);
    check('UserList', (await nb.client().get('/users', { headers: bearer(token) })).body);
    check('TokenResponse', (await nb.client().post('/auth/token', { username: nb.admin.username, password: nb.admin.password })).body);
    check('Error', (await nb.client().get('/auth/me')).body);
    check('Message', (await nb.client().post('/auth/logout')).body);
  });
});

describe('API docs page', () => {
  let nb: RunningNewBackend;
  before(async () => {
    nb = await startNewBackend();
  });
  after(() => nb.close());

  it('redirects /docs to /docs/ so relative asset URLs resolve', async () => {
    const res = await nb.client().get('/docs');
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), 'docs/');
  });

  it('serves a page whose every script and stylesheet comes from this server (works offline)', async () => {
    const res = await nb.client().get('/docs/', { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const assets = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    assert.ok(assets.length >= 4, `assets: ${assets.join(', ')}`);
    for (const asset of assets) {
      assert.ok(!/^[a-z]+:|^\/\//i.test(asset), `${asset} is not local`);
      const file = await fetch(new URL(asset, `${nb.url}/docs/`));
      assert.equal(file.status, 200, `${asset}: ${file.status}`);
      assert.ok((await file.arrayBuffer()).byteLength > 0);
    }
    const script = await (await fetch(`${nb.url}/docs/docs.js`)).text();
    assert.match(script, /openapi\.json/);
    assert.match(script, /validatorUrl: null/);
  });

  it('serves only the allowlisted files of the package', async () => {
    for (const path of ['/docs/package.json', '/docs/index.html', '/docs/..%2Fpackage.json', '/docs/swagger-ui-bundle.js.map']) {
      const res = await nb.client().get(path);
      assert.equal(res.status, 404, path);
    }
  });
});

describe('API docs page in a real browser', () => {
  let nb: RunningNewBackend;
  before(async () => {
    nb = await startNewBackend();
  });
  after(() => nb.close());

  it('renders every operation with the network cut off beyond this server', { timeout: 120_000 }, async (t) => {
    const launched = await launchBrowser();
    if (!launched.ok) return t.skip(launched.reason);
    const { browser } = launched;
    try {
      const page = await browser.newPage();
      const foreign: string[] = [];
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.origin === nb.url) return route.continue();
        foreign.push(url.href);
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${nb.url}/docs`);
      await page.waitForSelector('.opblock-summary-path', { timeout: 60_000 });
      const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.getAttribute('data-path')));
      for (const path of ['/health', '/auth/login', '/auth/token', '/auth/refresh', '/users', '/users/{id}']) assert.ok(paths.includes(path), `${path} not rendered: ${paths.join(', ')}`);
      assert.equal(await page.getByText('Warning', { exact: true }).count(), 0, 'Swagger UI warns about the document');
      if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: true });
      assert.deepEqual(foreign, []);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
