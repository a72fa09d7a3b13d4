import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkExecute, checkExecuteRequest, checkListQuery, MAX_EXECUTE_BYTES, parseCommandId } from './command-input.js';

describe('checkExecute', () => {
  const ok = (params: Record<string, unknown>) => ({ toolName: 'terminal_command', command: params.command, cwd: params.cwd, timeoutMs: params.timeout_ms, params });
  const cases: Array<[string, unknown, unknown, ReturnType<typeof checkExecute>]> = [
    ['a plain command', 'terminal_command', { command: 'ls -la' }, { ok: true, value: ok({ command: 'ls -la' }) as never }],
    ['cwd and timeout', 'terminal_command', { command: 'ls', cwd: 'notes', timeout_ms: 5000 }, { ok: true, value: ok({ command: 'ls', cwd: 'notes', timeout_ms: 5000 }) as never }],
    ['an unknown key in params', 'terminal_command', { command: 'ls', extra: [1] }, { ok: false, message: 'Unknown parameter: params.extra (known: command, cwd, timeout_ms)' }],
    ['an unknown key, its name cut', 'terminal_command', { command: 'ls', ['k'.repeat(300)]: 1 }, { ok: false, message: `Unknown parameter: params.${'k'.repeat(100)}… (known: command, cwd, timeout_ms)` }],
    ['a known key checked before an unknown one', 'terminal_command', { pad: 'x', command: '' }, { ok: false, message: 'params.command is required' }],
    ['shell text is not judged here', 'terminal_command', { command: 'echo a; rm -rf /' }, { ok: true, value: ok({ command: 'echo a; rm -rf /' }) as never }],
    ['no tool', undefined, { command: 'ls' }, { ok: false, message: 'tool_name is required' }],
    ['an empty tool', '', { command: 'ls' }, { ok: false, message: 'tool_name is required' }],
    ['a number as tool', 5, { command: 'ls' }, { ok: false, message: 'tool_name is required' }],
    ['another tool', 'read_file', { command: 'ls' }, { ok: false, message: 'Unknown tool: read_file' }],
    ['a long tool name, cut', 'x'.repeat(300), { command: 'ls' }, { ok: false, message: `Unknown tool: ${'x'.repeat(100)}…` }],
    ['no params', 'terminal_command', undefined, { ok: false, message: 'params.command is required' }],
    ['null params', 'terminal_command', null, { ok: false, message: 'params.command is required' }],
    ['params a string', 'terminal_command', 'ls', { ok: false, message: 'params must be an object' }],
    ['params an array', 'terminal_command', ['ls'], { ok: false, message: 'params must be an object' }],
    ['no command', 'terminal_command', {}, { ok: false, message: 'params.command is required' }],
    ['blank command', 'terminal_command', { command: ' \t ' }, { ok: false, message: 'params.command is required' }],
    ['command an array', 'terminal_command', { command: ['ls'] }, { ok: false, message: 'params.command is required' }],
    ['4096 characters', 'terminal_command', { command: 'a'.repeat(4096) }, { ok: true, value: ok({ command: 'a'.repeat(4096) }) as never }],
    ['4097 characters', 'terminal_command', { command: 'a'.repeat(4097) }, { ok: false, message: 'params.command must be at most 4096 characters' }],
    ['cwd a number', 'terminal_command', { command: 'ls', cwd: 1 }, { ok: false, message: 'params.cwd must be a string of at most 1024 characters' }],
    ['cwd too long', 'terminal_command', { command: 'ls', cwd: 'a'.repeat(1025) }, { ok: false, message: 'params.cwd must be a string of at most 1024 characters' }],
    ['timeout a string', 'terminal_command', { command: 'ls', timeout_ms: '5000' }, { ok: false, message: 'params.timeout_ms must be an integer from 1 to 600000' }],
    ['timeout negative', 'terminal_command', { command: 'ls', timeout_ms: -1 }, { ok: false, message: 'params.timeout_ms must be an integer from 1 to 600000' }],
    ['timeout too big', 'terminal_command', { command: 'ls', timeout_ms: 600_001 }, { ok: false, message: 'params.timeout_ms must be an integer from 1 to 600000' }],
    ['timeout infinite', 'terminal_command', { command: 'ls', timeout_ms: Number.POSITIVE_INFINITY }, { ok: false, message: 'params.timeout_ms must be an integer from 1 to 600000' }],
  ];
  for (const [label, tool, params, expected] of cases) {
    it(`${label}`, () => assert.deepEqual(checkExecute(tool, params), expected));
  }

  it('names the WebSocket field `tool` in its message', () => {
    assert.deepEqual(checkExecute(undefined, { command: 'ls' }, 'tool'), { ok: false, message: 'tool is required' });
  });
});

describe('checkExecuteRequest', () => {
  it('refuses a request over MAX_EXECUTE_BYTES as JSON with 413, before reading its fields', () => {
    const big = { tool_name: 'terminal_command', params: { command: 'ls' }, pad: 'x'.repeat(MAX_EXECUTE_BYTES) };
    assert.deepEqual(checkExecuteRequest(big), { ok: false, status: 413, message: 'Request body too large' });
    assert.deepEqual(checkExecuteRequest({ ...big, tool_name: 'nope' }), { ok: false, status: 413, message: 'Request body too large' });
  });

  it('passes a largest legitimate request (4096 + 1024 four-byte characters)', () => {
    const request = { tool_name: 'terminal_command', params: { command: '😀'.repeat(2048), cwd: '😀'.repeat(512), timeout_ms: 600_000 } };
    assert.equal(checkExecuteRequest(request).ok, true);
  });

  it('answers the field rules with 400, naming `tool` for a WebSocket message', () => {
    assert.deepEqual(checkExecuteRequest({ tool_name: 'terminal_command', params: { command: 'ls', x: 1 } }), { ok: false, status: 400, message: 'Unknown parameter: params.x (known: command, cwd, timeout_ms)' });
    assert.deepEqual(checkExecuteRequest({ type: 'execute_command', params: { command: 'ls' } }, 'tool'), { ok: false, status: 400, message: 'tool is required' });
  });
});

describe('checkListQuery', () => {
  const cases: Array<[Record<string, unknown>, ReturnType<typeof checkListQuery>]> = [
    [{}, { ok: true, value: { status: undefined, limit: 50 } }],
    [{ limit: '1' }, { ok: true, value: { status: undefined, limit: 1 } }],
    [{ limit: '200', status: 'pending_approval' }, { ok: true, value: { status: 'pending_approval', limit: 200 } }],
    [{ limit: '007' }, { ok: true, value: { status: undefined, limit: 7 } }],
    [{ limit: '0' }, { ok: false, message: 'limit must be an integer from 1 to 200' }],
    [{ limit: '201' }, { ok: false, message: 'limit must be an integer from 1 to 200' }],
    [{ limit: '1e2' }, { ok: false, message: 'limit must be an integer from 1 to 200' }],
    [{ limit: ['1', '2'] }, { ok: false, message: 'limit must be an integer from 1 to 200' }],
    [{ status: 'done' }, { ok: false, message: 'Invalid status' }],
    [{ status: ['executed'] }, { ok: false, message: 'Invalid status' }],
    [{ status: 'done', limit: '0' }, { ok: false, message: 'Invalid status' }],
  ];
  for (const [query, expected] of cases) {
    it(`?${new URLSearchParams(query as Record<string, string>).toString() || '(none)'}`, () => assert.deepEqual(checkListQuery(query), expected));
  }
});

describe('parseCommandId', () => {
  for (const [raw, expected] of [['1', 1], ['42', 42], ['0', undefined], ['-1', undefined], ['01', undefined], ['1.0', undefined], ['abc', undefined], ['99999999999999999', undefined], [undefined, undefined]] as const) {
    it(`${String(raw)} → ${String(expected)}`, () => assert.equal(parseCommandId(raw), expected));
  }
});
