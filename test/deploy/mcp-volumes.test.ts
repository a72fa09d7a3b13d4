import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP = '/app';

interface Service {
  volumes?: string[];
  environment?: Record<string, string>;
}

interface Mount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** A host path (./data) rather than a named volume. */
  readonly bind: boolean;
}

/** Compose's short syntax, `source:target[:ro]`. */
function mounts(service: Service): Mount[] {
  return (service.volumes ?? []).map((spec) => {
    const [source = '', target = '', mode = 'rw'] = spec.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro'), bind: source.startsWith('.') || source.startsWith('/') };
  });
}

/** The mount that holds `path` (relative to the image's /app), the deepest one. */
function mountOf(service: Service, path: string): Mount | undefined {
  const absolute = posix.resolve(APP, path);
  return mounts(service)
    .filter((m) => absolute === m.target || absolute.startsWith(`${m.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
}

/**
 * The MCP server runs commands (an approved `rm`, a program that writes where it is told):
 * whatever it can write, they can. So the container that runs it must not hold the shared
 * database or routes.yaml writable, and its workspace is a volume of its own.
 */
describe('docker-compose.yml: what commands run by the MCP server can write', () => {
  const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
  const mcp = compose.services['mcp-server'] as Service;
  const proxy = compose.services.proxy as Service;
  const env = (service: Service, name: string) => service.environment?.[name] ?? '';

  it('mounts every host folder read-only in the MCP server', () => {
    const writable = mounts(mcp).filter((m) => m.bind && !m.readOnly);
    assert.deepEqual(writable, [], 'a host folder the MCP server can write');
  });

  it('reads the same database file the other services write, through a read-only mount', () => {
    const db = mountOf(mcp, env(mcp, 'DATABASE_PATH'));
    assert.ok(db?.readOnly, `DATABASE_PATH=${env(mcp, 'DATABASE_PATH')} is on a read-only mount`);
    for (const name of ['legacy', 'new-backend', 'proxy']) {
      const service = compose.services[name] as Service;
      const theirs = mountOf(service, env(service, 'DATABASE_PATH'));
      assert.equal(theirs?.source, db.source, `${name} writes the database the MCP server reads`);
      assert.equal(posix.relative(theirs.target, posix.resolve(APP, env(service, 'DATABASE_PATH'))), posix.relative(db.target, posix.resolve(APP, env(mcp, 'DATABASE_PATH'))), `${name}: the same file in that folder`);
    }
  });

  it('cannot reach routes.yaml writable', () => {
    const routes = mountOf(proxy, env(proxy, 'ROUTES_FILE'));
    assert.ok(routes?.bind, 'the live routes.yaml is in a host folder');
    for (const m of mounts(mcp).filter((mount) => mount.source === routes.source)) assert.ok(m.readOnly, `the MCP server mounts ${m.source} writable`);
  });

  it('keeps the workspace and the audit log in a volume of its own, shared with no other service', () => {
    const workspace = mountOf(mcp, env(mcp, 'MCP_WORKSPACE'));
    assert.ok(workspace && !workspace.bind && !workspace.readOnly, `MCP_WORKSPACE=${env(mcp, 'MCP_WORKSPACE')} is on a writable named volume`);
    assert.ok(compose.volumes && workspace.source in compose.volumes, `the volume ${workspace.source} is declared`);
    assert.equal(mountOf(mcp, env(mcp, 'MCP_AUDIT_PATH'))?.source, workspace.source, 'the audit log is not in a shared folder');
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'mcp-server') continue;
      assert.ok(!mounts(service).some((m) => m.source === workspace.source), `${name} mounts the MCP workspace`);
    }
  });
});
