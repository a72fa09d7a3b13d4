import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../../../test/kit/index.js';
import { compilePolicy, loadPolicyFile, parsePolicy } from './load-policy.js';

const REPO_POLICY = fileURLToPath(new URL('../../../../mcp-policy.yaml', import.meta.url));

function errorsOf(yaml: string, options = {}): string[] {
  const result = parsePolicy(yaml, options);
  assert.equal(result.ok, false, 'expected the policy to be refused');
  return result.ok ? [] : result.errors;
}

describe('the repo policy (mcp-policy.yaml)', () => {
  it('loads, and lets a new user run echo, ls, pwd and date at once', () => {
    const result = loadPolicyFile(REPO_POLICY);
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    for (const name of ['echo', 'ls', 'pwd', 'date']) assert.equal(result.policy.programs.get(name)?.decision, 'allow', name);
    for (const name of ['sh', 'bash', 'setsid', 'nohup', 'env', 'xargs', 'find']) assert.equal(result.policy.programs.get(name)?.decision, 'deny', name);
    assert.equal(result.policy.unknownProgram, 'approve');
  });
});

describe('policy validation', () => {
  it('collects every error, each with its line and YAML path', () => {
    const errors = errorsOf([
      'version: 1',
      'limits:',
      '  burts: 3',
      'programs:',
      '  ls:',
      '    decision: allow',
      '    flgs: ["-l"]',
      '  echo:',
      '    decision: maybe',
      '    path: /usr/bin/echo',
    ].join('\n'), { file: 'p.yaml' });
    assert.equal(errors.length, 3, errors.join('\n'));
    assert.match(errors.join('\n'), /p\.yaml:3: limits\.burts: unknown key \(known keys: .*burst/);
    assert.match(errors.join('\n'), /p\.yaml:7: programs\.ls\.flgs: unknown key/);
    assert.match(errors.join('\n'), /p\.yaml:9: programs\.echo\.decision: must be "allow" or "approve" or "deny"/);
  });

  it('reports malformed YAML with its line instead of throwing', () => {
    const errors = errorsOf('version: 1\nprograms:\n  ls: [unclosed\n');
    assert.match(errors[0] ?? '', /mcp-policy\.yaml:\d+: /);
  });

  it('refuses to auto-allow shells, interpreters and run-anything wrappers', () => {
    for (const [name, path] of ([['bash', '/usr/bin/bash'], ['sh', '/usr/bin/sh'], ['env', '/usr/bin/env'], ['find', '/usr/bin/find'], ['sed', '/usr/bin/sed'], ['python3', '/usr/bin/python3'], ['xargs', '/usr/bin/xargs'], ['tar', '/usr/bin/tar'], ['git', '/usr/bin/git']] as const)) {
      const result = compilePolicy({ version: 1, programs: { [name]: { decision: 'allow', path } } }, { checkBinary: () => undefined });
      assert.equal(result.ok, false, name);
      if (!result.ok) assert.match(result.problems[0]?.message ?? '', /never auto-allowed: use approve or deny/);
    }
  });

  it('sees through a harmless name on a dangerous binary', () => {
    const errors = errorsOf('version: 1\nprograms:\n  lister:\n    decision: allow\n    path: /usr/bin/sh\n');
    assert.match(errors.join('\n'), /programs\.lister\.decision: "(sh|dash)" can run other programs/);
  });

  it('accepts approve and deny for those programs', () => {
    const result = compilePolicy({ version: 1, programs: { bash: { decision: 'deny' }, sh: { decision: 'approve', path: '/usr/bin/sh' } } });
    assert.ok(result.ok);
  });

  it('lets only an explicit option in code auto-allow them (for tests)', () => {
    const result = compilePolicy({ version: 1, programs: { sh: { decision: 'allow', path: '/usr/bin/sh', positionals: { kind: 'path', max: 1 } } } }, { unsafeAllowNeverAutoAllow: true });
    assert.ok(result.ok);
  });

  it('never lets unknown programs be allowed outright', () => {
    const errors = errorsOf('version: 1\ndefaults:\n  unknown_program: allow\nprograms: {}\n');
    assert.match(errors[0] ?? '', /defaults\.unknown_program: must be "approve" or "deny"/);
  });

  it('wants a path for allow and approve, absolute, existing, and root-owned', () => {
    const tmp = tempDir('mcp-policy-');
    after(() => tmp.cleanup());
    const own = tmp.file('tool');
    writeFileSync(own, '#!/bin/sh\n');
    chmodSync(own, 0o755);
    const errors = errorsOf([
      'version: 1',
      'programs:',
      '  a: { decision: allow }',
      '  b: { decision: approve, path: bin/b }',
      '  c: { decision: allow, path: /usr/bin/definitely-not-installed }',
      `  d: { decision: approve, path: ${own} }`,
    ].join('\n'));
    assert.equal(errors.length, 4, errors.join('\n'));
    assert.match(errors[0] ?? '', /programs\.a\.path: required for decision allow \(e\.g\. \/usr\/bin\/a\)/);
    assert.match(errors[1] ?? '', /programs\.b\.path: "bin\/b" is not an absolute path/);
    assert.match(errors[2] ?? '', /does not exist/);
    assert.match(errors[3] ?? '', /writable by group or others|not owned by root/);
  });

  it('checks flags, positionals and limits for consistency', () => {
    const errors = errorsOf([
      'version: 1',
      'defaults: { timeout_ms: 5000, max_timeout_ms: 1000 }',
      'limits: { concurrent_per_identity: 9, concurrent_total: 2 }',
      'programs:',
      '  ls:',
      '    decision: allow',
      '    path: /usr/bin/ls',
      '    flags: ["l", "-a"]',
      '    deny_flags: ["-a"]',
      '    positionals: { kind: path, min: 3, max: 1, pattern: "(" }',
    ].join('\n'));
    const text = errors.join('\n');
    assert.match(text, /defaults\.timeout_ms: 5000 is above max_timeout_ms/);
    assert.match(text, /limits\.concurrent_per_identity: 9 is above concurrent_total/);
    assert.match(text, /programs\.ls\.flags\[0\]: "l" is not an option/);
    assert.match(text, /programs\.ls\.deny_flags\[0\]: "-a" is also under flags/);
    assert.match(text, /programs\.ls\.positionals\.min: min \(3\) is above max \(1\)/);
    assert.match(text, /programs\.ls\.positionals\.pattern: not a valid regular expression/);
  });

  it('refuses an accepted flag that spells a denied option (an abbreviation or a bundle)', () => {
    const errors = errorsOf([
      'version: 1',
      'programs:',
      '  date:',
      '    decision: allow',
      '    path: /usr/bin/date',
      '    flags: ["-u", "--s", "-uf"]',
      '    deny_flags: ["-f", "--set"]',
    ].join('\n'));
    const text = errors.join('\n');
    assert.match(text, /programs\.date\.flags\[1\]: "--s" spells the denied option --set/);
    assert.match(text, /programs\.date\.flags\[2\]: "-uf" spells the denied option -f/);
    assert.doesNotMatch(text, /flags\[0\]/);
  });

  it('names the file and the fix when the file cannot be read', () => {
    const result = loadPolicyFile('/nonexistent/mcp-policy.yaml');
    assert.ok(!result.ok && /cannot be read .*MCP_POLICY_FILE/.test(result.errors[0] ?? ''));
  });
});
