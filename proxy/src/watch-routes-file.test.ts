import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir, waitFor } from '../../test/kit/index.js';
import { watchRoutesFile } from './watch-routes-file.js';

describe('watchRoutesFile', () => {
  const dir = tempDir('strangler-watch-');
  after(() => dir.cleanup());

  it('ignores other files in the folder (logs, databases) and reacts to the routes file', async () => {
    const file = dir.file('routes.yaml');
    writeFileSync(file, 'a: 1\n');
    let calls = 0;
    const watcher = watchRoutesFile(file, () => (calls += 1), { debounceMs: 30 });
    try {
      // Spaced wider than the debounce: were they seen, each would call on its own.
      for (let i = 0; i < 5; i++) {
        writeFileSync(dir.file('proxy.log'), `line ${i}\n`, { flag: 'a' });
        await sleep(60);
      }
      writeFileSync(file, 'a: 2\n');
      await waitFor(() => calls > 0, 'the routes file change to be seen', 4_000);
      assert.equal(calls, 1);
    } finally {
      watcher.close();
    }
  });
});
