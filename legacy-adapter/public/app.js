// The team's frontend: plain JS modules, no build. It speaks only the frontend contract
// (JSON, cookie session), so it works unchanged whichever backend answers behind the proxy.
import { api, ApiError } from './api.js';
import { createUsersPanel } from './users-panel.js';
import { $, banner, changedFields, el, fields, formError, roleBadge, show } from './view.js';

const state = { me: null };
const sessionListeners = [];

/** Runs a form's action with its buttons disabled and its error shown inline. */
async function submitting(form, action) {
  formError(form, '');
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  try {
    await action();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && state.me) {
      sessionEnded();
      return;
    }
    formError(form, err instanceof Error ? err.message : String(err));
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

const users = createUsersPanel(
  { me: () => state.me, ended: () => sessionEnded(), changed: (me) => renderLoggedIn(me) },
  submitting,
);

function renderLoggedOut(message) {
  state.me = null;
  show($('#loading'), false);
  show($('#app-view'), false);
  show($('#session-box'), false);
  show($('#login-view'), true);
  if (message) banner(message, 'info');
  $('#login-form').reset();
  $('#login-form input[name=username]').focus();
  for (const listener of sessionListeners) listener(null);
}

function renderLoggedIn(me) {
  state.me = me;
  show($('#loading'), false);
  show($('#login-view'), false);
  show($('#app-view'), true);
  show($('#session-box'), true);
  $('#whoami').textContent = `${me.name} (${me.username})`;
  renderMe(me);
  const admin = me.role === 'admin';
  show($('#users-panel'), admin);
  show($('#profile-panel'), !admin);
  if (admin) void users.load();
  else fillProfile(me);
  for (const listener of sessionListeners) listener(me);
}

function renderMe(me) {
  const dl = $('#me');
  dl.replaceChildren();
  for (const [label, value] of [['Username', me.username], ['Name', me.name], ['Email', me.email], ['Role', me.role], ['ID', String(me.id)]]) {
    dl.append(el('dt', { text: label }), el('dd', {}, [label === 'Role' ? roleBadge(value) : value]));
  }
}

function fillProfile(me) {
  const form = $('#profile-form');
  form.reset();
  form.elements.name.value = me.name;
  form.elements.email.value = me.email;
}

function sessionEnded() {
  if (!state.me) return;
  renderLoggedOut('Your session has ended. Please log in again.');
}

/** "Who am I" asks the server again; a changed role re-renders the page around it. */
async function refreshMe() {
  const button = $('#refresh-me');
  button.disabled = true;
  try {
    const me = await api('GET', '/auth/me');
    if (me.id !== state.me?.id || me.role !== state.me?.role) {
      renderLoggedIn(me);
      return;
    }
    state.me = me;
    $('#whoami').textContent = `${me.name} (${me.username})`;
    renderMe(me);
  } catch (err) {
    if (err.status === 401) sessionEnded();
    else banner(`Could not check who you are: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

function wire() {
  $('#banner-close').addEventListener('click', () => banner(''));
  $('#refresh-me').addEventListener('click', () => void refreshMe());

  $('#login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    void submitting(form, async () => {
      const { username, password } = fields(form);
      const me = await api('POST', '/auth/login', { username, password });
      banner('');
      renderLoggedIn(me);
    });
  });

  $('#logout').addEventListener('click', async () => {
    try {
      await api('POST', '/auth/logout');
    } catch (err) {
      banner(`Logout failed: ${err.message}`);
      return;
    }
    renderLoggedOut('You are logged out.');
  });

  $('#profile-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    void submitting(form, async () => {
      const me = await api('PUT', `/users/${state.me.id}`, changedFields(fields(form), state.me));
      banner('Profile saved.', 'info');
      renderLoggedIn(me);
    });
  });
}

// Extension point for features added later (the MCP panel): a script can use the same
// API helper and follow login/logout without touching this file.
window.TeamConsole = {
  api,
  ApiError,
  /** Calls `listener(user)` on login and `listener(null)` on logout; returns an unsubscribe. */
  onSession(listener) {
    sessionListeners.push(listener);
    if (state.me) listener(state.me);
    return () => sessionListeners.splice(sessionListeners.indexOf(listener), 1);
  },
  /** The server said 401 to a feature's call: back to the login form, with a message. */
  sessionEnded,
  panel: () => $('#mcp-panel'),
};

async function start() {
  wire();
  try {
    renderLoggedIn(await api('GET', '/auth/me'));
  } catch (err) {
    renderLoggedOut();
    if (err.status !== 401) banner(err.message);
  }
}

void start();
