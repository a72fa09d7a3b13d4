import Table from 'cli-table3';
import { parseGateList } from '../../proxy/src/config/index.js';
import type { GateReading } from '../../proxy/src/history/index.js';
import type { RolloutJson } from '../../proxy/src/rollout/index.js';
import { adminRequest } from './admin-request.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo, type Colors } from './io.js';

export const usage = `strangler rollout <route> --to <backend> [--steps 1,5,25,50,100] [--every 10m]
                  [--window 10m] [--passes 3] [--gates error-rate=1%,match-rate=99%,…]
strangler rollout <route> --pause | --resume | --abort
strangler rollout --status [--json]

Moves a route to <backend> in sticky canary steps, each step taken only on evidence: the
proxy judges the gates every --every over a sliding --window, steps up after --passes
passes in a row, holds while the evidence is insufficient, and sends everyone back at once
(demoted) when a gate fails or the new backend's failures in a step reach critical-errors.
Every step is written to routes.yaml, so a restarted proxy resumes at the same step.
Rollouts run inside the proxy: it must be running (PROXY_URL, PROXY_ADMIN_TOKEN).

  --to B       start a rollout to backend B (the route must target another backend)
  --steps      canary percentages, increasing, ending with 100 (default 1,5,25,50,100)
  --every      how often the gates are judged (default 10m); --window: over what (default --every)
  --passes     passing judgements in a row a step needs (default 3)
  --gates      name=value,… over the defaults; off turns one off:
                 error-rate=1%       new's failure rate (5xx, upstream errors) may exceed legacy's by this
                 match-rate=99%      shadow comparisons that must match (only with shadow traffic)
                 latency-p95=1.5x    new's p95 over legacy's (latency-p99=2x: off by default)
                 critical-errors=20  failures from new in one step that demote at once
  --pause      hold at this step; --resume: carry on (a demoted rollout starts over); --abort: remove
               the rollout and its canary
  --status     every rollout with its gates; --json as the proxy answers it

Examples:
  strangler rollout users --to new
  strangler rollout users --to new --steps 5,50,100 --every 5m --gates latency-p99=2x
  strangler rollout users --pause`;

const command = defineCommand({
  name: 'rollout',
  usage,
  options: {
    to: { type: 'string' }, steps: { type: 'string' }, every: { type: 'string' }, window: { type: 'string' }, passes: { type: 'string' }, gates: { type: 'string' },
    pause: { type: 'boolean' }, resume: { type: 'boolean' }, abort: { type: 'boolean' }, status: { type: 'boolean' }, json: { type: 'boolean' },
  },
});

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const { fail } = parsed;
  const v = parsed.values;
  const actions = (['to', 'pause', 'resume', 'abort', 'status'] as const).filter((k) => v[k] !== undefined && v[k] !== false);
  if (actions.length !== 1) return fail(actions.length ? `choose one of ${actions.map((a) => `--${a}`).join(', ')}` : 'say what to do: --to <backend>, --pause, --resume, --abort or --status');
  const action = actions[0] as (typeof actions)[number];
  if (action === 'status') {
    if (parsed.positionals.length) return fail('--status lists every rollout: name no route');
    return status(io, c, v.json === true);
  }
  if (parsed.positionals.length !== 1) return fail('name one route, e.g. strangler rollout users --to new');
  const route = parsed.positionals[0] as string;
  if (action !== 'to' && (v.steps ?? v.every ?? v.window ?? v.passes ?? v.gates) !== undefined) return fail('--steps, --every, --window, --passes and --gates go with --to');

  let body: Record<string, unknown> = { action: action === 'to' ? 'start' : action };
  if (action === 'to') {
    body = { action: 'start', to: v.to };
    if (v.steps !== undefined) {
      const steps = String(v.steps).split(',').map((s) => s.trim());
      if (steps.some((s) => s === '' || !Number.isFinite(Number(s)))) return fail(`--steps takes canary percentages separated by commas, e.g. --steps 1,5,25,50,100; got "${String(v.steps)}"`);
      body.steps = steps.map(Number);
    }
    if (v.every !== undefined) body.every = v.every;
    if (v.window !== undefined) body.window = v.window;
    if (v.passes !== undefined) {
      const passes = Number(v.passes);
      if (!Number.isInteger(passes) || passes < 1 || passes > 100) return fail(`--passes takes a whole number from 1 to 100, got "${String(v.passes)}"`);
      body.passes = passes;
    }
    if (v.gates !== undefined) {
      const gates = parseGateList(String(v.gates));
      if (!gates.ok) return fail(`--gates: ${gates.errors.join('; ')}`);
      body.gates = gates.gates;
    }
  }
  const answer = await adminRequest(io, 'POST', `rollouts/${encodeURIComponent(route)}`, body);
  if (!answer.ok) {
    io.err(c.red(`strangler rollout: ${answer.reason}`));
    return EXIT.failed;
  }
  const result = answer.body as RolloutJson & { error?: string; errors?: string[]; changes?: string[] };
  if (answer.status !== 200) {
    io.err(c.red(`strangler rollout: ${result.errors && result.errors.length > 1 ? 'refused:' : result.error ?? `the proxy answered ${answer.status}`}`));
    if (result.errors && result.errors.length > 1) for (const e of result.errors) io.err(`  ${e}`);
    return EXIT.failed;
  }
  for (const change of result.changes ?? []) io.out(c.green(`✔ ${change}`));
  io.out(`${c.bold(result.route)}: ${describe(result)}${result.reason ? c.dim(` (${result.reason})`) : ''}`);
  return EXIT.ok;
}

async function status(io: CliIo, c: Colors, json: boolean): Promise<number> {
  const answer = await adminRequest(io, 'GET', 'rollouts');
  if (!answer.ok) {
    io.err(c.red(`strangler rollout: ${answer.reason}`));
    return EXIT.failed;
  }
  const { rollouts } = answer.body as { rollouts: RolloutJson[] };
  if (json) {
    io.out(JSON.stringify({ rollouts }, null, 2));
    return EXIT.ok;
  }
  if (rollouts.length === 0) {
    io.out('No rollouts. Start one with strangler rollout <route> --to <backend>.');
    return EXIT.ok;
  }
  const table = new Table({ head: ['route', 'state', 'from → to', 'every', 'gates', 'since'], style: { head: io.color ? ['bold'] : [], border: io.color ? ['grey'] : [] }, wordWrap: true });
  for (const r of rollouts) {
    table.push([r.route, stateText(r, c), `${r.from} → ${r.to}`, r.every, r.gates.map((g) => gateText(g, c)).join('\n') || c.dim('none'), r.updatedAt.replace('T', ' ').slice(0, 19)]);
  }
  io.out(table.toString());
  for (const r of rollouts) if (r.reason) io.out(`${c.bold(r.route)}: ${r.reason}`);
  return EXIT.ok;
}

function describe(r: RolloutJson): string {
  if (r.state === 'canary') return `canary step ${r.step + 1} of ${r.steps.length}: ${r.percent} % of users on ${r.to}`;
  if (r.state === 'shadow') return `judging shadow comparisons before the first step (${r.steps[0]} %)`;
  if (r.state === 'new') return `all users on ${r.to}`;
  return `${r.state} at ${r.percent} % on ${r.to}`;
}

function stateText(r: RolloutJson, c: Colors): string {
  const text = r.state === 'canary' ? `canary ${r.step + 1}/${r.steps.length} · ${r.percent} %` : r.state === 'paused' || r.state === 'demoted' ? `${r.state} · ${r.percent} %` : r.state;
  return r.state === 'demoted' ? c.red(text) : r.state === 'paused' ? c.yellow(text) : r.state === 'new' ? c.green(text) : text;
}

/** `✔ error-rate 0.00 % ≤ 1.00 % (420/381)`. */
function gateText(g: GateReading, c: Colors): string {
  const ratio = g.name.startsWith('latency');
  const show = (x: number | null) => (x === null ? '–' : ratio ? `${x.toFixed(2)}x` : `${(x * 100).toFixed(2)} %`);
  const mark = g.status === 'pass' ? c.green('✔') : g.status === 'fail' ? c.red('✖') : c.yellow('…');
  const relation = g.name === 'match-rate' ? '≥' : '≤';
  return `${mark} ${g.name} ${show(g.value)} ${relation} ${show(g.threshold)} (n ${g.samples}/${g.needed})`;
}
