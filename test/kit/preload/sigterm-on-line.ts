// A preload (`node --import tsx --import <this file> main.ts`) that sends the process SIGTERM
// the moment its logger is handed a line matching SIGTERM_ON_LINE: the earliest a supervisor
// (npm start, systemd, a test) could act on an announcement such as "listening on", whatever
// the logger's buffering. A process whose signal handlers are in place by then stops cleanly
// (exit 0); one that installs them after announcing dies by the signal's default action.
import { createRequire } from 'node:module';

const pattern = new RegExp(process.env.SIGTERM_ON_LINE ?? 'listening on');
let sent = false;

// The sonic-boom that pino writes through (pino's own dependency, as pino resolves it). Its
// constructor sets `this.write` on each instance; a setter on the prototype sees that
// assignment and puts a wrapper in its place.
const requireFromHere = createRequire(import.meta.url);
const SonicBoom = createRequire(requireFromHere.resolve('pino'))('sonic-boom') as { prototype: object };
Object.defineProperty(SonicBoom.prototype, 'write', {
  configurable: true,
  set(this: object, write: (data: string) => boolean) {
    Object.defineProperty(this, 'write', {
      configurable: true,
      writable: true,
      value(this: unknown, data: string): boolean {
        const result = write.call(this, data);
        if (!sent && pattern.test(data)) {
          sent = true;
          process.kill(process.pid, 'SIGTERM');
        }
        return result;
      },
    });
  },
});
