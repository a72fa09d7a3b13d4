import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeOutput } from './sanitize-output.js';

describe('sanitizeOutput (T9)', () => {
  const cases: [string, string, string][] = [
    ['plain text', 'hello\nworld\n', 'hello\nworld\n'],
    ['tabs', 'a\tb', 'a\tb'],
    ['colour codes', '\u001b[31mred\u001b[0m plain', 'red plain'],
    ['cursor movement and clear screen', '\u001b[2J\u001b[H\u001b[1;1Htop', 'top'],
    ['private-mode CSI', '\u001b[?25lhidden cursor\u001b[?25h', 'hidden cursor'],
    ['OSC title with BEL', '\u001b]0;pwned\u0007after', 'after'],
    ['OSC hyperlink with ST', '\u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['DCS string', '\u001bP1$r0m\u001b\\x', 'x'],
    ['unterminated OSC', 'ok\u001b]0;never ends', 'ok'],
    ['two-byte escape', '\u001bcreset\u001b7saved', 'resetsaved'],
    ['charset designation', '\u001b(Babc', 'abc'],
    ['CRLF', 'a\r\nb\r\n', 'a\nb\n'],
    ['lone CR', 'progress 10%\rprogress 100%', 'progress 10%\nprogress 100%'],
    ['bell and backspace', 'a\u0007b\bc', 'abc'],
    ['NUL and DEL', 'a\u0000b\u007fc', 'abc'],
    ['8-bit CSI', 'a\u009b31mb', 'a31mb'],
    ['bidi override', 'file\u202etxt.exe', 'filetxt.exe'],
    ['unicode text kept', 'héllo wörld ✓', 'héllo wörld ✓'],
  ];
  for (const [name, input, output] of cases) {
    it(`handles ${name}`, () => assert.equal(sanitizeOutput(input), output));
  }
});
