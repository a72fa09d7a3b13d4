import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { banner } from './banner.js';
import { createLineFormatter } from './log-lines.js';

describe('child log lines', () => {
  const format = createLineFormatter({ colors: false, nameWidth: 11 });

  it("turns pino's JSON into a time, a level and the message, prefixed with the padded name", () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1, 12, 0, 1), pid: 1, hostname: 'h', name: 'legacy', reqId: 'r', msg: 'GET /health 200 3ms' });
    const [out] = format('legacy', 'cyan', line, 'stdout');
    assert.match(out ?? '', /^legacy {6}│ \[\d\d:\d\d:\d\d\] INFO: GET \/health 200 3ms$/);
  });

  it('keeps extra fields on the same line', () => {
    const line = JSON.stringify({ level: 40, time: 0, msg: 'slow', route: 'users' });
    const out = format('proxy', 'green', line, 'stdout');
    assert.equal(out.length, 1);
    assert.match(out[0] ?? '', /WARN: slow .*"route":"users"/);
  });

  it('passes other lines through, prefixed', () => {
    assert.deepEqual(format('proxy', 'green', 'legacy: port 5601 is already in use', 'stderr'), ['proxy       │ legacy: port 5601 is already in use']);
    assert.deepEqual(format('proxy', 'green', '{not json', 'stdout'), ['proxy       │ {not json']);
  });
});

describe('banner', () => {
  it('frames label/value rows in a box of one width', () => {
    const text = banner('Running', [['Open', 'http://127.0.0.1:5634/'], ['Stop', 'Ctrl-C']]);
    const lines = text.split('\n');
    assert.equal(new Set(lines.map((l) => l.length)).size, 1);
    assert.ok(lines.some((l) => l.includes('Open  http://127.0.0.1:5634/')));
  });
});
