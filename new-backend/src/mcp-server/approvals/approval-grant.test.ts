import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { APPROVAL_GRANT_TYP, argvSha256, mintApprovalGrant } from '../../../../lib/mcp-client.js';
import { AUDIENCE, ISSUER, keyId } from '../../../../lib/tokens.js';
import { SERVICE_IDENTITY, serviceIdentity } from '../identity/identity.js';
import { createFixture, JWT_SECRETS, USERS, type Fixture } from '../../../../test/kit/mcp-server/fixture.js';
import { connectInMemory } from '../../../../test/kit/mcp-server/memory-client.js';

const ID_ARGV = ['id', '-u'];

async function craft(claims: Record<string, unknown>, opts: { iat: number; exp: number; typ?: string; secret?: string }): Promise<string> {
  const secret = opts.secret ?? (JWT_SECRETS[0] as string);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: opts.typ ?? APPROVAL_GRANT_TYP, kid: keyId(secret) })
    .setIssuer(ISSUER).setAudience(AUDIENCE.mcp).setJti(randomUUID()).setIssuedAt(opts.iat).setExpirationTime(opts.exp)
    .sign(new TextEncoder().encode(secret));
}

describe('approval grants (T7): single use, bound to user, argv and cwd', () => {
  let fx: Fixture;
  let alice: Awaited<ReturnType<typeof connectInMemory>>;
  const grantFor = (over: Partial<Parameters<typeof mintApprovalGrant>[0]> = {}) =>
    mintApprovalGrant({ secrets: JWT_SECRETS, userId: USERS.alice, argvSha256: argvSha256(ID_ARGV), cwd: '.', approverId: USERS.admin, ...over });

  before(async () => {
    fx = createFixture();
    mkdirSync(join(fx.workspace, 'sub'));
    alice = await connectInMemory(fx.commands, serviceIdentity({ id: USERS.alice, role: 'user' }));
  });
  after(async () => {
    await alice.close();
    await fx.cleanup();
  });

  it('runs exactly the approved command once, and records the approver', async () => {
    const pending = await alice.run({ command: 'id -u' });
    assert.equal(pending.report.outcome, 'approval_required');
    assert.equal(pending.report.argv_sha256, argvSha256(ID_ARGV));
    const grant = await grantFor({ argvSha256: pending.report.argv_sha256 as string, cwd: pending.report.cwd as string });
    const ran = await alice.run({ command: 'id -u' }, grant);
    assert.equal(ran.isError, false, ran.text);
    assert.equal(ran.report.outcome, 'ran');
    assert.match(ran.report.stdout, /^\d+\n$/);
    assert.equal(ran.report.approved_by, USERS.admin);
    const row = fx.audit.recent(1)[0];
    assert.equal(row?.approver_id, USERS.admin);
    assert.equal(row?.outcome, 'ran');

    const again = await alice.run({ command: 'id -u' }, grant);
    assert.equal(again.report.outcome, 'denied');
    assert.equal(again.report.rule, 'approval:reused');
  });

  const refusals: [string, () => Promise<string>, string, { command?: string; cwd?: string }?][] = [
    ['a grant for another user', () => grantFor({ userId: USERS.bob }), 'approval:mismatch'],
    ['a grant for another argv', () => grantFor({ argvSha256: argvSha256(['id', '-g']) }), 'approval:mismatch'],
    ['the grant for a swapped command', () => grantFor(), 'approval:mismatch', { command: 'id -un' }],
    ['a grant for another cwd', () => grantFor(), 'approval:mismatch', { cwd: 'sub' }],
    ['a grant from a non-admin', () => grantFor({ approverId: USERS.bob }), 'approval:not-admin'],
    ['a grant from a demoted admin', () => grantFor({ approverId: USERS.formerAdmin }), 'approval:not-admin'],
    ['a grant from an unknown user', () => grantFor({ approverId: 999 }), 'approval:not-admin'],
    ['an expired grant', () => {
      const now = Math.floor(Date.now() / 1000);
      return craft({ sub: String(USERS.alice), argv_sha256: argvSha256(ID_ARGV), cwd: '.', approver: '1' }, { iat: now - 400, exp: now - 100 });
    }, 'approval:expired'],
    ['a grant that lives longer than 5 minutes', () => {
      const now = Math.floor(Date.now() / 1000);
      return craft({ sub: String(USERS.alice), argv_sha256: argvSha256(ID_ARGV), cwd: '.', approver: '1' }, { iat: now, exp: now + 3600 });
    }, 'approval:invalid'],
    ['an access token instead of a grant', () => {
      const now = Math.floor(Date.now() / 1000);
      return craft({ sub: String(USERS.alice), argv_sha256: argvSha256(ID_ARGV), cwd: '.', approver: '1' }, { iat: now, exp: now + 60, typ: 'at+jwt' });
    }, 'approval:invalid'],
    ['a grant signed with another secret', () => grantFor({ secrets: ['another-secret-that-is-long-enough-0123456789'] }), 'approval:invalid'],
    ['garbage', async () => 'not-a-jwt', 'approval:invalid'],
  ];
  for (const [name, make, rule, args] of refusals) {
    it(`refuses ${name}`, async () => {
      const call = await alice.run({ command: args?.command ?? 'id -u', ...(args?.cwd ? { cwd: args.cwd } : {}) }, await make());
      assert.equal(call.isError, true);
      assert.equal(call.report.outcome, 'denied');
      assert.equal(call.report.rule, rule);
      assert.equal(call.report.ran, false);
    });
  }

  it('reads the approver role fresh: an admin demoted after approving is refused', async () => {
    const grant = await grantFor();
    fx.db.prepare("UPDATE users SET role = 'user' WHERE id = ?").run(USERS.admin);
    try {
      const call = await alice.run({ command: 'id -u' }, grant);
      assert.equal(call.report.rule, 'approval:not-admin');
    } finally {
      fx.db.prepare("UPDATE users SET role = 'admin' WHERE id = ?").run(USERS.admin);
    }
  });

  it('never lets a grant override a deny (deny > approve)', async () => {
    const grant = await grantFor({ argvSha256: argvSha256(['sh', '-c', 'id']) });
    const call = await alice.run({ command: 'sh -c id' }, grant);
    assert.equal(call.report.outcome, 'denied');
    assert.equal(call.report.rule, 'program:sh');
  });

  it('refuses a grant on a call that acts for no user', async () => {
    const service = await connectInMemory(fx.commands, SERVICE_IDENTITY);
    try {
      const call = await service.run({ command: 'id -u' }, await grantFor());
      assert.equal(call.report.rule, 'approval:no-user');
    } finally {
      await service.close();
    }
  });
});
