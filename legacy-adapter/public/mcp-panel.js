// The Commands panel: run a program on the server, watch your commands change live over
// /mcp/ws, and (admins) approve or reject what waits. It uses only the frontend contract
// and plugs into the page through window.TeamConsole (app.js).
import { createCommandList } from './command-list.js';
import { openLiveSocket } from './live-socket.js';
import { $, banner, el, formError, show } from './view.js';

const TOOL = 'terminal_command';
// Approvals are not pushed to admins (updates go to a command's owner), so they are polled.
const APPROVALS_POLL_MS = 5000;

const LIVE_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  waiting: 'Reconnecting…',
  off: 'Offline',
};

function createMcpPanel(team) {
  const { api } = team;
  let me = null;
  let socket = null;
  let pollTimer = null;
  let names = new Map();
  let namesLoading = null;
  let asked = new Set();

  const who = (id) => (me && id === me.id ? 'you' : names.get(id) ?? `user #${id}`);
  const commands = createCommandList($('#commands-list'), $('#commands-empty'), {
    more: $('#commands-more'),
    shown: 8,
    render: () => (me?.role === 'admin' ? { who: known(who) } : {}),
  });
  const approvals = createCommandList($('#approvals-list'), $('#approvals-empty'), {
    render: (command) => ({ who: known(who), withDetails: false, actions: decisionButtons(command) }),
  });

  /** `who`, loading the user names once if a command names someone not yet known. */
  function known(name) {
    return (id) => {
      if (id !== me?.id && !names.has(id) && !asked.has(id)) {
        asked.add(id);
        void loadNames();
      }
      return name(id);
    };
  }

  async function loadNames() {
    if (namesLoading || me?.role !== 'admin') return;
    namesLoading = api('GET', '/users')
      .then((users) => {
        names = new Map(users.map((u) => [u.id, u.username]));
        commands.refresh();
        approvals.refresh();
      })
      // Names are a nicety: without them a command says "user #7".
      .catch(() => undefined)
      .finally(() => (namesLoading = null));
  }

  /** A failed call: a lost session goes back to the login form, anything else is shown. */
  function failed(err, what) {
    if (err.status === 401) {
      team.sessionEnded();
      return;
    }
    banner(`${what}: ${err.message}`);
  }

  async function loadCommands() {
    const mark = commands.mark();
    try {
      commands.replaceAll(await api('GET', '/mcp/commands?limit=50'), mark);
    } catch (err) {
      failed(err, 'Could not load your commands');
    }
  }

  async function loadApprovals() {
    if (me?.role !== 'admin') return;
    const mark = approvals.mark();
    const before = approvals.ids();
    try {
      const pending = await api('GET', '/mcp/commands?status=pending_approval&limit=50');
      approvals.replaceAll(pending, mark);
      for (const command of pending) commands.upsert(command);
      // Decided elsewhere (another admin, or expired): only the full list says how it ended.
      const still = new Set(pending.map((c) => c.id));
      if (before.some((id) => !still.has(id))) await loadCommands();
    } catch (err) {
      failed(err, 'Could not load the commands waiting for approval');
    }
  }

  function pollApprovals() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      if (document.visibilityState === 'visible') await loadApprovals();
      if (me?.role === 'admin') pollApprovals();
    }, APPROVALS_POLL_MS);
  }

  /** Shows a command wherever it belongs, and marks the item that changed. */
  function changed(command) {
    const item = commands.upsert(command);
    if (item) flash(item);
    if (command.status !== 'pending_approval') approvals.remove(command.id);
    else if (me?.role === 'admin') approvals.upsert(command);
  }

  function decisionButtons(command) {
    const decide = (verb) => async (event) => {
      const buttons = event.currentTarget.parentElement.querySelectorAll('button');
      buttons.forEach((b) => (b.disabled = true));
      try {
        const result = await api('POST', `/mcp/commands/${command.id}/${verb}`);
        changed(result);
        const outcome = verb === 'approve' ? `Approved #${command.id} (${command.command}): ${result.status.replace('_', ' ')}.` : `Rejected #${command.id} (${command.command}): it will not run.`;
        banner(outcome, 'info');
      } catch (err) {
        buttons.forEach((b) => (b.disabled = false));
        failed(err, `Could not ${verb} #${command.id}`);
        if (err.status === 409 || err.status === 404) void loadApprovals();
      }
    };
    return [
      el('button', { type: 'button', className: 'button small primary', text: 'Approve', onclick: decide('approve') }),
      el('button', { type: 'button', className: 'button small danger-ghost', text: 'Reject', onclick: decide('reject') }),
    ];
  }

  function showLive({ state, attempt }) {
    const pill = $('#mcp-live');
    pill.dataset.state = state;
    $('#mcp-live-text').textContent = state === 'waiting' && attempt > 1 ? `Reconnecting (try ${attempt})…` : LIVE_TEXT[state];
    pill.title = state === 'live' ? 'Changes to your commands appear here as they happen.' : state === 'waiting' ? 'The live connection dropped; it comes back by itself. Click to retry now.' : '';
    // Whatever changed while the socket was down is read once it is back.
    if (state === 'live') void loadCommands();
  }

  function onMessage(message) {
    if (message.type === 'command_update' && message.command) changed(message.command);
  }

  async function refused() {
    try {
      await api('GET', '/auth/me');
    } catch (err) {
      if (err.status === 401) team.sessionEnded();
    }
  }

  function start(user) {
    me = user;
    names = new Map();
    asked = new Set();
    const admin = user.role === 'admin';
    $('#commands-title').textContent = admin ? 'Recent commands (everyone)' : 'Your recent commands';
    show($('#approvals'), admin);
    show($('#mcp-panel'), true);
    socket = openLiveSocket({ path: '/mcp/ws', onMessage, onState: showLive, onRefused: refused });
    void loadCommands();
    if (admin) {
      void loadApprovals();
      pollApprovals();
    }
  }

  function stop() {
    me = null;
    clearTimeout(pollTimer);
    socket?.close();
    socket = null;
    commands.clear();
    approvals.clear();
    formError($('#command-form'), '');
    show($('#mcp-panel'), false);
  }

  $('#command-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const input = form.elements.command;
    const command = input.value.trim();
    formError(form, '');
    if (!command) {
      formError(form, 'Type a command to run, e.g. echo hello');
      return;
    }
    const button = $('button[type=submit]', form);
    button.disabled = true;
    button.textContent = 'Running…';
    try {
      const result = await api('POST', '/mcp/execute', { tool_name: TOOL, params: { command } });
      changed(result);
      input.value = '';
    } catch (err) {
      if (err.status === 401) team.sessionEnded();
      else formError(form, err.message);
      // A refused command is recorded too: show it in the list.
      void loadCommands();
    } finally {
      button.disabled = false;
      button.textContent = 'Run';
      input.focus();
    }
  });

  $('#refresh-commands').addEventListener('click', () => void loadCommands());
  $('#refresh-approvals').addEventListener('click', () => void loadApprovals());
  $('#mcp-live').addEventListener('click', () => socket?.retryNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible' || !me) return;
    socket?.retryNow();
    void loadApprovals();
  });

  team.onSession((user) => {
    if (me && user && user.id === me.id && user.role === me.role) return;
    if (me) stop();
    if (user) start(user);
  });
}

function flash(item) {
  item.classList.add('changed');
  setTimeout(() => item.classList.remove('changed'), 1500);
}

createMcpPanel(window.TeamConsole);
