// How one command (DESIGN §2's command object) looks on the page: a status badge, the
// command line, who and when, and what it printed. Text goes in through textContent only.
import { el } from './view.js';

const LABELS = {
  pending_approval: 'Waiting for approval',
  rejected: 'Rejected',
  executing: 'Running',
  executed: 'Executed',
  failed: 'Failed',
};

/**
 * How far along its life a command is. An answer and a pushed update can arrive in either
 * order; the one further along wins, so a late `executing` never hides a result.
 */
export function lifecycleRank(command) {
  if (command.status === 'executing') return command.approved_by === null ? 0 : 2;
  if (command.status === 'pending_approval') return 1;
  return 3;
}

/** True when `next` should replace `current` (same id). */
export function isNewer(next, current) {
  if (!current) return true;
  const a = lifecycleRank(next);
  const b = lifecycleRank(current);
  return a > b || (a === b && next.updated_at >= current.updated_at);
}

export function statusBadge(status) {
  return el('span', { className: `badge status ${status}`, 'data-status': status, text: LABELS[status] ?? status });
}

function time(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function outputBlock(label, text, kind) {
  return el('div', { className: `stream ${kind}` }, [el('span', { className: 'stream-label', text: label }), el('pre', { text })]);
}

/** The part under the command line: the output of a finished run, or what it is waiting for. */
function details(command) {
  const result = command.result;
  switch (command.status) {
    case 'pending_approval':
      return [el('p', { className: 'note', text: 'An administrator has to approve this command before it runs. The result will appear here.' })];
    case 'executing':
      return [el('p', { className: 'note', text: command.approved_by === null ? 'Running…' : 'Approved. Running…' })];
    default:
      break;
  }
  const parts = [];
  if (result) {
    const facts = [];
    if (result.exit_code !== null) facts.push(`exit code ${result.exit_code}`);
    else if (command.status !== 'rejected') facts.push('ended without an exit code (stopped or not run)');
    if (result.duration_ms > 0) facts.push(`${result.duration_ms} ms`);
    if (result.stdout) parts.push(outputBlock('stdout', result.stdout, 'stdout'));
    if (result.stderr) parts.push(command.status === 'rejected' ? el('p', { className: 'reason', text: result.stderr }) : outputBlock('stderr', result.stderr, 'stderr'));
    if (!result.stdout && !result.stderr && command.status !== 'rejected') parts.push(el('p', { className: 'note', text: '(no output)' }));
    if (result.truncated) parts.push(el('p', { className: 'note warn', text: 'The output was cut off at the server’s size limit.' }));
    if (facts.length) parts.push(el('p', { className: 'facts', text: facts.join(' · ') }));
  }
  if (command.status === 'rejected' && !(result && result.stderr)) {
    parts.push(el('p', { className: 'note', text: 'Rejected by an administrator: it did not run.' }));
  } else if (command.status === 'rejected') {
    parts.push(el('p', { className: 'note', text: 'It did not run.' }));
  }
  return parts;
}

/**
 * One `<li>` for a command. `who(userId)` names a user (admins see everyone's commands);
 * `actions` are extra buttons (Approve / Reject) placed on the command line; `withDetails: false`
 * leaves out the output (the approvals list).
 */
export function commandItem(command, { who, actions = [], withDetails = true } = {}) {
  const meta = [`#${command.id}`, time(command.created_at)];
  if (who) meta.push(`by ${who(command.user_id)}`);
  if (command.approved_by !== null) meta.push(`approved by ${who ? who(command.approved_by) : 'an administrator'}`);
  return el(
    'li',
    { className: 'command', 'data-command-id': String(command.id), 'data-status': command.status },
    [
      el('div', { className: 'command-head' }, [
        statusBadge(command.status),
        el('code', { className: 'command-text', text: command.command }),
        el('span', { className: 'command-meta', text: meta.join(' · ') }),
        ...(actions.length ? [el('span', { className: 'command-actions' }, actions)] : []),
      ]),
      ...(withDetails ? details(command) : []),
    ],
  );
}
