import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BODY_MESSAGES } from './body-messages.js';
import { errorStatus } from './error-status.js';

describe('errorStatus', () => {
  const cases: [string, unknown, number, string, boolean][] = [
    ['a body over the limit', { type: 'entity.too.large' }, 413, BODY_MESSAGES.tooLarge, true],
    ['too many form fields', { type: 'parameters.too.many' }, 413, BODY_MESSAGES.tooLarge, true],
    ['malformed JSON', { type: 'entity.parse.failed' }, 400, BODY_MESSAGES.invalidJson, true],
    ['a body shorter than its Content-Length', { type: 'request.size.invalid' }, 400, BODY_MESSAGES.invalidJson, true],
    ['an unknown Content-Encoding', { type: 'encoding.unsupported' }, 415, BODY_MESSAGES.encoding, true],
    ['an unknown charset', { type: 'charset.unsupported' }, 415, BODY_MESSAGES.charset, true],
    ['a plain Error (a bug)', new Error('boom'), 500, BODY_MESSAGES.internal, false],
    ['a thrown string', 'boom', 500, BODY_MESSAGES.internal, false],
    ['null', null, 500, BODY_MESSAGES.internal, false],
    ['an error with an unknown type', { type: 'something.else' }, 500, BODY_MESSAGES.internal, false],
  ];
  for (const [label, err, status, message, expected] of cases) {
    it(`answers ${status} to ${label}`, () => {
      assert.deepEqual(errorStatus(err), { status, message, expected });
    });
  }
});
