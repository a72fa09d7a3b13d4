import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lifecycleRank, toCommand, type CommandRow } from './command.js';

const row: CommandRow = {
  id: 3, user_id: 7, tool_name: 'terminal_command', command: 'ls', params: '{"command":"ls","cwd":"a"}', status: 'executed',
  result: '{"truncated":false,"exit_code":0,"stdout":"x\\n","stderr":"","duration_ms":5,"extra":1}', approved_by: null,
  created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:01.000Z',
};

describe('toCommand', () => {
  it('answers the contract keys in order, params parsed, result in its own key order', () => {
    const command = toCommand(row);
    assert.deepEqual(Object.keys(command), ['id', 'user_id', 'tool_name', 'command', 'params', 'status', 'result', 'approved_by', 'created_at', 'updated_at']);
    assert.deepEqual(command.params, { command: 'ls', cwd: 'a' });
    assert.deepEqual(Object.keys(command.result ?? {}), ['stdout', 'stderr', 'exit_code', 'duration_ms', 'truncated']);
    assert.deepEqual(command.result, { stdout: 'x\n', stderr: '', exit_code: 0, duration_ms: 5, truncated: false });
  });

  for (const [label, params, result, expectedParams, expectedResult] of [
    ['unparseable JSON', '{', '{', {}, null],
    ['JSON that is not an object', '[1]', '"text"', {}, null],
    ['null result', '{}', null, {}, null],
  ] as const) {
    it(`reads ${label} without failing`, () => {
      const command = toCommand({ ...row, params, result });
      assert.deepEqual(command.params, expectedParams);
      assert.deepEqual(command.result, expectedResult);
    });
  }
});

describe('lifecycleRank', () => {
  it('rises on every transition a command can make', () => {
    const rank = (status: CommandRow['status'], approvedBy: number | null = null) => lifecycleRank({ status, approved_by: approvedBy });
    const paths: Array<Array<[CommandRow['status'], number | null]>> = [
      [['executing', null], ['executed', null]],
      [['executing', null], ['failed', null]],
      [['executing', null], ['rejected', null]],
      [['executing', null], ['pending_approval', null], ['rejected', null]],
      [['executing', null], ['pending_approval', null], ['executing', 1], ['executed', 1]],
      [['executing', null], ['pending_approval', null], ['executing', 1], ['failed', 1]],
    ];
    for (const path of paths) {
      const ranks = path.map(([s, a]) => rank(s, a));
      for (let i = 1; i < ranks.length; i++) assert.ok((ranks[i] as number) > (ranks[i - 1] as number), JSON.stringify(path));
    }
  });
});
