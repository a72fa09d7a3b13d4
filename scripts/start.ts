// `npm start`: runs every component that exists (legacy app, new backend, MCP server,
// proxy) as child processes with readable prefixed logs, waits until each answers, prints
// the URL to open, and stops them all on Ctrl-C. `npm start -- legacy proxy` runs only
// those. See docs/legacy.md.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pc from 'picocolors';
import { ConfigError, isProduction, loadDotEnv, resolveAdmin, resolveSecrets } from '../lib/env.js';
import { banner } from './start/banner.js';
import { describeExit, runChild, stopAll, type RunningChild } from './start/child-process.js';
import { createLineFormatter } from './start/log-lines.js';
import { planStart, type PlannedProcess } from './start/plan.js';
import { checkPort } from './start/port-check.js';
import { PROCESSES } from './start/process-table.js';
import { dialHost, waitReady } from './start/wait-ready.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = Number(process.env.START_TIMEOUT_MS) || 120_000;
const colors = pc.createColors(Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined);
const say = (line: string) => console.log(`${colors.bold('start')} ${line}`);
const fail = (line: string) => console.error(`${colors.bold('start')} ${colors.red('✖')} ${line}`);

async function main(): Promise<number> {
  process.chdir(ROOT);
  loadDotEnv();
  const env: NodeJS.ProcessEnv = { ...process.env };
  let admin: { username: string; password: string };
  try {
    // Once here, so every child shares the same dev secrets (data/dev-secrets.env).
    resolveSecrets(env);
    admin = resolveAdmin(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      err.problems.forEach((p) => fail(p));
      return 1;
    }
    throw err;
  }

  const planned = planStart(PROCESSES, env, (entry) => existsSync(entry), process.argv.slice(2));
  if (!planned.ok) {
    planned.problems.forEach((p) => fail(p));
    return 1;
  }
  const { plan } = planned;
  Object.assign(env, plan.env);
  if (plan.run.length === 0) {
    fail('nothing to start: no component entry file exists and every URL points elsewhere');
    return 1;
  }

  const busy = (await Promise.all(plan.run.map((p) => checkPort(p.port, p.host, p.spec.portEnv).then((r) => ({ p, r })))))
    .filter(({ r }) => !r.ok)
    .map(({ p, r }) => `${p.spec.name}: ${(r as { message: string }).message}`);
  if (busy.length) {
    busy.forEach((line) => fail(line));
    return 1;
  }

  for (const spec of plan.absent) say(colors.dim(`${spec.name}: ${spec.entry} does not exist yet, not started`));
  for (const { spec, url } of plan.external) say(colors.dim(`${spec.name}: ${spec.externalUrlEnv}=${url} is set, so it runs elsewhere; not started`));

  const nameWidth = Math.max(...plan.run.map((p) => p.spec.name.length));
  const format = createLineFormatter({ colors: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined, nameWidth });
  const children: RunningChild[] = [];
  const abort = new AbortController();
  let stopping: Promise<number> | undefined;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));

  const stopEverything = (code: number, why?: string): Promise<number> => {
    stopping ??= (async () => {
      abort.abort();
      if (why) say(why);
      await stopAll(children);
      say(code === 0 ? 'all processes stopped' : 'all processes stopped after a failure');
      finish(code);
      return code;
    })();
    return stopping;
  };

  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C can arrive twice (from the terminal and relayed by npm/tsx):
    // only a second press, a moment later, means "kill now".
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < 1500) return;
      say(`${signal} again: killing every process now`);
      children.forEach((c) => c.signal('SIGKILL'));
      return;
    }
    firstSignalAt = Date.now();
    void stopEverything(0, `${signal}: stopping ${children.map((c) => c.name).join(', ')}…`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const start = (p: PlannedProcess): RunningChild => {
    const child = runChild({
      name: p.spec.name,
      entry: p.spec.entry,
      cwd: ROOT,
      env,
      onLine: (line, stream) => format(p.spec.name, p.spec.color, line, stream).forEach((l) => console.log(l)),
    });
    children.push(child);
    void child.exited.then((exit) => {
      if (!stopping) void stopEverything(1, `${colors.red('✖')} ${p.spec.name} exited (${describeExit(exit)}): stopping the others. Its last lines are above.`);
    });
    return child;
  };

  const stages = [...new Set(plan.run.map((p) => p.spec.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    const group = plan.run.filter((p) => p.spec.stage === stage);
    const ready = await Promise.all(group.map((p) => startAndWait(p, start, abort.signal)));
    if (stopping) return stopping;
    if (!ready.every(Boolean)) return stopEverything(1);
  }

  const page = [...plan.run].filter((p) => p.spec.opensPage !== undefined).sort((a, b) => (a.spec.opensPage ?? 0) - (b.spec.opensPage ?? 0))[0];
  const url = page ? `http://${dialHost(page.host)}:${page.port}/` : '(no page: start the legacy app or the proxy)';
  const login = env.ADMIN_PASSWORD && !isProduction(env) ? `${admin.username} / (the ADMIN_PASSWORD you set)` : isProduction(env) ? `${admin.username} / (ADMIN_PASSWORD)` : `${admin.username} / ${admin.password}`;
  console.log(
    colors.green(
      banner('Strangler is running', [
        ['Open', url],
        ['Log in', `${login}  (seeded into an empty database)`],
        ...(page?.spec.name === 'proxy' ? [['Console', `${url}__proxy/ui  (sign in with PROXY_ADMIN_TOKEN${isProduction(env) ? '' : ', from data/dev-secrets.env unless you set it'})`] as [string, string]] : []),
        ['Processes', plan.run.map((p) => `${p.spec.name} :${p.port}`).join('  ')],
        ['Stop', 'Ctrl-C'],
      ]),
    ),
  );
  return finished;

  async function startAndWait(p: PlannedProcess, launch: (p: PlannedProcess) => RunningChild, signal: AbortSignal): Promise<boolean> {
    const child = launch(p);
    const target = { host: dialHost(p.host), port: p.port, readiness: p.spec.readiness };
    const where = p.spec.readiness.kind === 'http' ? `http://${target.host}:${p.port}${p.spec.readiness.path}` : `tcp ${target.host}:${p.port}`;
    say(`${colors.dim('…')} ${p.spec.name} starting (pid ${child.pid}), waiting for ${where}`);
    const began = Date.now();
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(READY_TIMEOUT_MS)]);
    const progress = setInterval(() => say(`${colors.dim('…')} still waiting for ${p.spec.name} (${Math.round((Date.now() - began) / 1000)}s)`), 10_000);
    const ok = await waitReady(target, deadline);
    clearInterval(progress);
    if (ok) say(`${colors.green('✔')} ${p.spec.name} ready on port ${p.port} (${((Date.now() - began) / 1000).toFixed(1)}s)`);
    else if (!signal.aborted) fail(`${p.spec.name} did not answer ${where} within ${READY_TIMEOUT_MS / 1000}s: see its log above`);
    return ok;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    fail(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
