import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkExecute, checkListQuery, parseCommandId } from './command-input.js';

describe('checkExecute', () => {
  const ok = (params: Record<string, unknown>) => ({ toolName: 'terminal_command', command: params.command, cwd: params.cwd, timeoutMs: params.timeout_ms, params });
  const cases: Array<[string, unknown, unknown, ReturnType<typeof checkExecute>]> = [
    ['a plain command', 'terminal_command', { command: 'ls -la' }, { ok: true, value: ok({ command: 'ls -la' }) as never }],
    ['cwd and timeout', 'terminal_command', { command: 'ls', cwd: 'notes', timeout_ms: 5000 }, { ok: true, value: ok({ command: 'ls', cwd: 'notes', timeout_ms: 5000 }) as never }],
    ['unknown params kept as sent', 'terminal_command', { command: 'ls', extra: [1] }, { ok: true, value: ok({ command: 'ls', extra: [1] }) as never }],
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
