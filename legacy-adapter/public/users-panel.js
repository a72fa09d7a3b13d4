// The admin's user list: create, edit (a dialog), delete (a confirmation dialog).
import { api } from './api.js';
import { $, banner, changedFields, el, fields, formError, roleBadge } from './view.js';

/**
 * Wires the panel. `session.me()` is the logged-in user; `session.ended()` is called when
 * the server says the session is gone; `session.changed(me)` when the admin edited themself.
 */
export function createUsersPanel(session, submitting) {
  let editing = null;

  async function load() {
    try {
      render(await api('GET', '/users'));
    } catch (err) {
      if (err.status === 401) return session.ended();
      banner(`Could not load users: ${err.message}`);
    }
  }

  function render(users) {
    const body = $('#users-body');
    body.replaceChildren();
    const me = session.me();
    for (const user of users) {
      const self = me && user.id === me.id;
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

  function openEdit(user) {
    editing = user;
    const form = $('#edit-form');
    form.reset();
    formError(form, '');
    $('#edit-title').textContent = `Edit ${user.username}`;
    form.elements.name.value = user.name;
    form.elements.email.value = user.email;
    form.elements.role.value = user.role;
    $('#edit-dialog').showModal();
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
        if (err.status === 401) return session.ended();
        banner(`Could not delete ${user.username}: ${err.message}`);
      }
      await load();
    };
    dialog.showModal();
  }

  $('#refresh-users').addEventListener('click', () => void load());

  $('#create-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    void submitting(form, async () => {
      const user = await api('POST', '/users', fields(form));
      form.reset();
      banner(`Created ${user.username}.`, 'info');
      await load();
    });
  });

  $('#edit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    void submitting(form, async () => {
      const user = await api('PUT', `/users/${editing.id}`, changedFields(fields(form), editing));
      $('#edit-dialog').close();
      banner(`Saved ${user.username}.`, 'info');
      // Editing yourself may change your own role: the page follows what the server says.
      if (user.id === session.me().id) session.changed(await api('GET', '/auth/me'));
      else await load();
    });
  });

  for (const button of document.querySelectorAll('#edit-dialog [data-close]')) {
    button.addEventListener('click', () => $('#edit-dialog').close());
  }

  return { load };
}
