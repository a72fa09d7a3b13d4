import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDebianTool } from './debian-tool.js';

export interface WrkRequest {
  readonly url: string;
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface WrkResult {
  /** Answers wrk read, of any status. */
  readonly requests: number;
  readonly durationSec: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  /** Answers with a status of 400 or more (wrk's own rule). */
  readonly badStatus: number;
  /** Connect, read and write errors. */
  readonly errors: number;
  readonly timeouts: number;
}

const MARK = 'STRANGLER_WRK';

/**
 * A closed loop as fast as it goes with wrk (Debian's package, C, one thread): it costs
 * a small part of a core where a Node generator (autocannon) took about one of this
 * machine's two and ran out of CPU before the system it loaded did. Its latency
 * histogram is in microseconds; the figures come back through its Lua `done` hook.
 */
export async function wrkRun(target: WrkRequest, connections: number, durationSec: number, onTick: (secondsLeft: number) => void): Promise<WrkResult> {
  const wrk = requireDebianTool('wrk', 'wrk');
  const dir = mkdtempSync(join(tmpdir(), 'strangler-wrk-'));
  const script = join(dir, 'request.lua');
  writeFileSync(script, luaScript(target));
  const started = Date.now();
  const ticker = setInterval(() => onTick(Math.max(0, Math.round(durationSec - (Date.now() - started) / 1000))), 1000);
  try {
    const out = await new Promise<string>((resolve, reject) => {
      // One thread: the proxy and the backends get the cores; 10 s: a slow answer is counted, not dropped.
      const child = spawn(wrk, ['-t1', `-c${connections}`, `-d${durationSec}s`, '--timeout', '10s', '--latency', '-s', script, target.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`wrk exited with ${code}: ${stderr || stdout}`))));
    });
    const line = out.split('\n').find((l) => l.startsWith(MARK));
    if (!line) throw new Error(`wrk printed no summary:\n${out}`);
    const r = JSON.parse(line.slice(MARK.length)) as Record<string, number>;
    const n = (key: string) => r[key] ?? 0;
    return {
      requests: n('requests'),
      durationSec: n('durationUs') / 1e6,
      p50Ms: n('p50') / 1000,
      p90Ms: n('p90') / 1000,
      p99Ms: n('p99') / 1000,
      badStatus: n('status'),
      errors: n('connect') + n('read') + n('write'),
      timeouts: n('timeout'),
    };
  } finally {
    clearInterval(ticker);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The request and the summary hook, in wrk's Lua. Values go in long brackets (no escaping to get wrong), spaced inside an index: `t[[[x]]]` would parse as a call. */
function luaScript(target: WrkRequest): string {
  const lines = [`wrk.method = ${luaString(target.method)}`];
  for (const [name, value] of Object.entries(target.headers ?? {})) lines.push(`wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`);
  if (target.body !== undefined) lines.push(`wrk.body = ${luaString(target.body)}`);
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format('${MARK}{"requests":%d,"durationUs":%d,"p50":%d,"p90":%d,"p99":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',`,
    '    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),',
    '    e.connect, e.read, e.write, e.status, e.timeout))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

function luaString(value: string): string {
  let level = '';
  while (value.includes(`]${level}]`)) level += '=';
  return `[${level}[${value}]${level}]`;
}
