// Loaded into each process the soak starts (`node --import tsx --import scripts/soak/probe.ts`):
// every few seconds it appends what only the process itself can see — its V8 heap and the
// event loop's delay — as a JSON line to SOAK_PROBE_DIR/<pid>.jsonl. RSS and open files are
// read from /proc by the soak. The file is opened once, so the probe holds one fd throughout.
// SIGUSR2 (sent by the soak before its idle samples) runs full garbage collections first
// (the soak starts processes with --expose-gc) and writes a line at once: the heap then
// holds what is still referenced, which is what a leak grows.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.SOAK_PROBE_DIR;
// Worker threads (the proxy's shadow thread) inherit --import: the process is reported once.
if (dir && isMainThread) {
  const everyMs = Number(process.env.SOAK_PROBE_MS ?? 5000);
  const fd = openSync(join(dir, `${process.pid}.jsonl`), 'a');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const write = () => {
    const line = { at: Date.now(), heapUsed: process.memoryUsage().heapUsed, eldP99Ms: delay.percentile(99) / 1e6, eldMaxMs: delay.max / 1e6 };
    delay.reset();
    writeSync(fd, `${JSON.stringify(line)}\n`);
  };
  const timer = setInterval(write, everyMs);
  timer.unref();
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    write();
  });
  process.once('exit', () => closeSync(fd));
}
