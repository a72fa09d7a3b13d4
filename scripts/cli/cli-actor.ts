import { userInfo } from 'node:os';
import type { Actor } from '../../proxy/src/history/index.js';
import type { CliIo } from './io.js';

/** Who the CLI acts as in the routing history: `cli:<os user>`. */
export function cliActor(io: CliIo): Actor {
  let name = io.env.USER || io.env.USERNAME || '';
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = 'unknown';
    }
  }
  return { kind: 'cli', name };
}
