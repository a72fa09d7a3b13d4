import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTable, routeTableToJson } from '../config/index.js';

const file = (redact: string) => `version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }
default: legacy
routes:
  - name: users
    paths: [/users]
    target: legacy
${redact}
  - name: other
    paths: [/other]
    target: legacy
`;

describe('routes.yaml: a route names the fields its recordings redact', () => {
  it('is optional, and listed in the table and its JSON only when given', () => {
    const none = parseRouteTable(file(''), { source: 'routes.yaml', env: {} });
    assert.ok(none.ok);
    assert.equal(none.table.routes[0]?.redact, undefined);
    assert.equal('redact' in (routeTableToJson(none.table).routes[0] ?? {}), false, 'GET /__proxy/routes unchanged for files without it');
    const some = parseRouteTable(file('    redact: [ssn, ssn, iban]'), { source: 'routes.yaml', env: {} });
    assert.ok(some.ok);
    assert.deepEqual(some.table.routes[0]?.redact, ['ssn', 'iban']);
    assert.deepEqual(routeTableToJson(some.table).routes[0]?.redact, ['ssn', 'iban']);
  });

  it('refuses anything but a list of names, with the line and path', () => {
    const bad = parseRouteTable(file('    redact: [1, ""]'), { source: 'routes.yaml', env: {} });
    assert.equal(bad.ok, false);
    assert.deepEqual(bad.ok ? [] : bad.errors, ['routes.yaml:9: routes[0].redact[0]: expected text, got 1', 'routes.yaml:9: routes[0].redact[1]: must not be empty']);
  });
});
