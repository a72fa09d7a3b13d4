// `strangler`: one command line for the migration (scripts/cli/dispatch.ts lists the commands).
import { loadDotEnv } from '../lib/env.js';
import { main } from './cli/dispatch.js';
import { EXIT } from './cli/io.js';

// `strangler status | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

loadDotEnv();
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`strangler: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = EXIT.failed;
}
