// The team's frontend: plain JS, no build. It speaks only the frontend contract (JSON,
// cookie session), so it works unchanged whichever backend answers behind the proxy.

const $ = (selector, root = document) => root.querySelector(selector);

/** An API answer that is not 2xx, carrying the contract's `{"error": …}` message. */
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** fetch with the session cookie, JSON in and out; a failure becomes an ApiError with a message a person can read. */
async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'Cannot reach the server. Check that it is running, then try again.');
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const message = data && typeof data.error === 'string' ? data.error : `The server answered ${res.status} ${res.statusText || ''}`.trim();
    throw new ApiError(res.status, message);
  }
  return data;
}

// ---- state and small view helpers ----

const state = { me: null };
const sessionListeners = [];

function show(el, visible) {
  el.hidden = !visible;
}

function banner(message, kind = 'error') {
  const box = $('#banner');
  $('#banner-text').textContent = message;
  box.dataset.kind = kind;
  show(box, Boolean(message));
  if (kind === 'info' && message) setTimeout(() => ($('#banner-text').textContent === message ? show(box, false) : null), 4000);
}

function formError(form, message) {
  const p = $('.form-error', form);
  p.textContent = message || '';
  show(p, Boolean(message));
}

function setBusy(form, busy) {
  for (const button of form.querySelectorAll('button')) button.disabled = busy;
}

/** Runs a form's action with its buttons disabled and its error shown inline. */
async function submitting(form, action) {
  formError(form, '');
  setBusy(form, true);
  try {
    await action();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && state.me) {
      sessionEnded();
      return;
    }
    formError(form, err instanceof Error ? err.message : String(err));
  } finally {
    setBusy(form, false);
  }
}

function fields(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'className') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// ---- views ----

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
  if (admin) void loadUsers();
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

function roleBadge(role) {
  return el('span', { className: `badge ${role}`, text: role });
}

function sessionEnded() {
  renderLoggedOut('Your session has ended. Please log in again.');
}

// ---- users (admin) ----

async function loadUsers() {
  try {
    renderUsers(await api('GET', '/users'));
  } catch (err) {
    if (err.status === 401) return sessionEnded();
    banner(`Could not load users: ${err.message}`);
  }
}

function renderUsers(users) {
  const body = $('#users-body');
  body.replaceChildren();
  for (const user of users) {
    const self = state.me && user.id === state.me.id;
    const del = el('button', { type: 'button', className: 'button small danger-ghost', text: 'Delete', onclick: () => confirmDelete(user) });
    if (self) {
      del.disabled = true;
      del.title = 'You cannot delete yourself';
    }
    body.append(
      el('tr', { 'data-user-id': String(user.id) }, [
        el('td', { className: 'num', text: String(user.id) }),
        el('td', { text: user.username }, self ? [' ', el('span', { className: 'you', text: 'you' })] : []),
        el('td', { text: user.name }),
        el('td', { text: user.email }),
        el('td', {}, [roleBadge(user.role)]),
        el('td', { className: 'actions' }, [
          el('button', { type: 'button', className: 'button small ghost', text: 'Edit', onclick: () => openEdit(user) }),
          del,
        ]),
      ]),
    );
  }
}

let editing = null;

/**
 * Only what the person changed is sent: an untouched field is not re-validated (the
 * seeded admin@localhost, say, would fail today's email rule), and an empty password
 * means "keep".
 */
function changedFields(values, original) {
  const changes = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'password' ? value !== '' : value !== original[key]) changes[key] = value;
  }
  return changes;
}

function openEdit(user) {
  editing = user;
  const dialog = $('#edit-dialog');
  const form = $('#edit-form');
  form.reset();
  formError(form, '');
  form.dataset.userId = String(user.id);
  $('#edit-title').textContent = `Edit ${user.username}`;
  form.elements.name.value = user.name;
  form.elements.email.value = user.email;
  form.elements.role.value = user.role;
  dialog.showModal();
}

function confirmDelete(user) {
  const dialog = $('#confirm-dialog');
  $('#confirm-text').textContent = `Delete ${user.username} (${user.email})? They are logged out at once. This cannot be undone.`;
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'confirm') return;
    try {
      await api('DELETE', `/users/${user.id}`);
      banner(`Deleted ${user.username}.`, 'info');
    } catch (err) {
      if (err.status === 401) return sessionEnded();
      banner(`Could not delete ${user.username}: ${err.message}`);
    }
    await loadUsers();
  };
  dialog.showModal();
}

// ---- my profile (non-admin) ----

function fillProfile(me) {
  const form = $('#profile-form');
  form.reset();
  form.elements.name.value = me.name;
  form.elements.email.value = me.email;
}

// ---- wiring ----

function wire() {
  $('#banner-close').addEventListener('click', () => banner(''));

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

  $('#refresh-users').addEventListener('click', () => void loadUsers());

  $('#create-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    void submitting(form, async () => {
      const user = await api('POST', '/users', fields(form));
      form.reset();
      banner(`Created ${user.username}.`, 'info');
      await loadUsers();
    });
  });

  $('#edit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    void submitting(form, async () => {
      const id = Number(form.dataset.userId);
      const changes = changedFields(fields(form), editing);
      const user = await api('PUT', `/users/${id}`, changes);
      $('#edit-dialog').close();
      banner(`Saved ${user.username}.`, 'info');
      if (id === state.me.id) {
        // Editing yourself may change your own role: the page follows what the server says.
        renderLoggedIn(await api('GET', '/auth/me'));
      } else {
        await loadUsers();
      }
    });
  });
  for (const button of document.querySelectorAll('[data-close]')) {
    button.addEventListener('click', () => button.closest('dialog').close());
  }

  $('#profile-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    void submitting(form, async () => {
      const changes = changedFields(fields(form), state.me);
      const me = await api('PUT', `/users/${state.me.id}`, changes);
      banner('Profile saved.', 'info');
      renderLoggedIn(me);
    });
  });
}

async function start() {
  wire();
  try {
    renderLoggedIn(await api('GET', '/auth/me'));
  } catch (err) {
    if (err.status === 401) renderLoggedOut();
    else {
      renderLoggedOut();
      banner(err.message);
    }
  }
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
  panel: () => $('#mcp-panel'),
};

void start();
