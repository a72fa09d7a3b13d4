import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDuration, type RecordingStatus } from '../../proxy/src/record/index.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo } from './io.js';
import { adminToken, proxyUrl } from './proxy-admin.js';
import { shownPath } from './routes-file.js';

export const usage = `strangler record --route R[,R2…] [--duration 10m | --count N] [--out FILE]

Records a route's real exchanges through the running proxy, writes included: method, path,
query, a few headers, request and response bodies (each kept up to 64 KiB), status, the user
by id and timing, one JSON line each, in the order they ended. Passwords, tokens, secrets,
cookies and Authorization never reach the file, nor the route's \`redact\` fields.
Recording never delays or fails a request; a recording stops at 50 MiB.

  --route R        the route of routes.yaml to record; several, comma-separated, go into
                   one file in the order their answers ended (a replay needs that order)
  --duration D     how long: 90s, 10m, 1h (default 10m when no --count)
  --count N        stop after N exchanges
  --out FILE       where to write it (default recordings/<route>-<time>.jsonl)

Ctrl-C stops early and keeps what was recorded. Replay it with \`strangler replay FILE\`.
The proxy is PROXY_URL (default http://127.0.0.1:5634), asked with PROXY_ADMIN_TOKEN.`;

const command = defineCommand({
  name: 'record',
  usage,
  options: {
    route: { type: 'string', short: 'r' },
    duration: { type: 'string', short: 'd' },
    count: { type: 'string', short: 'n' },
    out: { type: 'string', short: 'o' },
  },
  maxPositionals: 0,
});

export async function run(args: string[], io: CliIo = processIo(), signal?: AbortSignal): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  const v = parsed.values;
  if (!v.route) return fail('--route is required, e.g. strangler record --route users --duration 10m');
  if (v.duration !== undefined && v.count !== undefined) return fail('give --duration or --count, not both');
  const body: Record<string, unknown> = { route: v.route };
  if (v.duration !== undefined) {
    const d = parseDuration(v.duration);
    if (!d.ok) return fail(`--duration: ${d.reason}`);
    body.duration = `${d.ms}ms`;
  }
  if (v.count !== undefined) {
    const n = Number(v.count);
    if (!Number.isInteger(n) || n < 1) return fail(`--count ${v.count}: give a whole number from 1`);
    body.count = n;
  }

  const base = `${proxyUrl(io.env)}/__proxy/recordings`;
  const token = adminToken(io);
  const call = async (method: string, path = '', json?: unknown): Promise<{ ok: true; status: number; body: unknown; text: string } | { ok: false; reason: string }> => {
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) },
        body: json ? JSON.stringify(json) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      let parsedBody: unknown = text;
      try {
        parsedBody = JSON.parse(text);
      } catch {
        // JSON Lines or an error page: kept as text.
      }
      if (res.status === 401 || res.status === 403) return { ok: false, reason: token ? 'the proxy refused the admin token: set PROXY_ADMIN_TOKEN to the value it was started with' : 'the proxy needs its admin token: set PROXY_ADMIN_TOKEN (in development it is in data/dev-secrets.env)' };
      if (!res.ok) return { ok: false, reason: (parsedBody as { error?: string }).error ?? `${method} ${base}${path} answered ${res.status}` };
      return { ok: true, status: res.status, body: parsedBody, text };
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      return { ok: false, reason: `no proxy at ${proxyUrl(io.env)} (${code}): start it (npm start) or set PROXY_URL` };
    }
  };

  const started = await call('POST', '', body);
  if (!started.ok) {
    io.err(c.red(`✖ ${started.reason}`));
    return EXIT.failed;
  }
  const recording = started.body as RecordingStatus;
  const limit = recording.limits.exchanges !== null ? `${recording.limits.exchanges} exchanges` : `${Math.round((recording.limits.durationMs ?? 0) / 1000)} s`;
  io.out(`Recording route ${c.bold(v.route)} for ${limit} (${recording.id}); Ctrl-C stops early. Files stop at ${Math.round(recording.limits.fileBytes / 1048576)} MiB, bodies at ${Math.round(recording.limits.bodyBytes / 1024)} KiB.`);

  let stopRequested = false;
  const onSignal = () => {
    stopRequested = true;
  };
  process.once('SIGINT', onSignal);
  signal?.addEventListener('abort', onSignal);
  let status = recording;
  try {
    for (;;) {
      if (stopRequested || signal?.aborted) {
        const stopped = await call('DELETE', `/${recording.id}`);
        if (stopped.ok) status = stopped.body as RecordingStatus;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
      const now = await call('GET', `/${recording.id}`);
      if (!now.ok) {
        io.err(c.red(`✖ ${now.reason}`));
        return EXIT.failed;
      }
      status = now.body as RecordingStatus;
      if (status.state === 'done') break;
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  const file = await call('GET', `/${recording.id}/file`);
  if (!file.ok) {
    io.err(c.red(`✖ the recording ended but its file could not be fetched: ${file.reason}`));
    return EXIT.failed;
  }
  const out = resolve(io.cwd, v.out || `recordings/${recording.id}.jsonl`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, file.text, { mode: 0o600 });
  io.out(`${c.green('✔')} ${status.exchanges} exchange${status.exchanges === 1 ? '' : 's'} recorded (${status.reason ?? 'stopped'}${status.skipped ? `, ${status.skipped} skipped` : ''}) → ${shownPath(io, out)}`);
  return EXIT.ok;
}
