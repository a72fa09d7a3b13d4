import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUserId } from './parse-user-id.js';

describe('parseUserId', () => {
  const cases: [unknown, number | undefined][] = [
    ['1', 1],
    ['42', 42],
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', undefined], // past the safe integer range
    ['999999999999999', 999999999999999],
    ['0', undefined],
    ['-1', undefined],
    ['01', undefined],
    ['1.0', undefined],
    ['1e3', undefined],
    [' 1', undefined],
    ['abc', undefined],
    ['', undefined],
    [undefined, undefined],
    [['1'], undefined],
  ];
  for (const [raw, expected] of cases) {
    it(`reads ${JSON.stringify(raw)} as ${expected ?? 'no id'}`, () => {
      assert.equal(parseUserId(raw), expected);
    });
  }
});
