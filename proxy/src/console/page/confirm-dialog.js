import { h } from './dom.js';

/** Settles the dialog before this one, if its close event has not arrived yet. */
let settlePrevious;

/**
 * Asks before an action, in the page's modal <dialog>: focus moves into it and stays there,
 * Escape or Cancel says no. `fields` ({ name, label, kind: 'select' | 'text', options,
 * value, placeholder, hint }) are asked for too. Resolves with the fields' values, or null.
 *
 * The browser fires a dialog's close event in a later task, so the close of the dialog before
 * can arrive after this one has opened. Each dialog therefore answers once, from its own
 * fields and return value: at its close, or when the next dialog opens, whichever is first;
 * a close event while the dialog is open again belongs to the one before and is ignored.
 */
export function confirmAction({ title, text, confirmLabel = 'Confirm', fields = [] }) {
  settlePrevious?.();
  const dialog = document.getElementById('confirm');
  const fieldBox = document.getElementById('confirm-fields');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = confirmLabel;
  fieldBox.replaceChildren(...fields.map(field));
  const opener = document.activeElement;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      dialog.removeEventListener('close', onClose);
      if (settlePrevious === settle) settlePrevious = undefined;
      const values = {};
      for (const f of fields) values[f.name] = dialog.querySelector(`[name="${f.name}"]`).value.trim();
      fieldBox.replaceChildren();
      // Back to the button that opened it, so the keyboard carries on from there.
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(dialog.returnValue === 'confirm' ? values : null);
    };
    const onClose = () => {
      if (!dialog.open) settle();
    };
    dialog.addEventListener('close', onClose);
    settlePrevious = settle;
    dialog.showModal();
    const first = fieldBox.querySelector('input, select');
    (first ?? document.getElementById('confirm-cancel')).focus();
  });
}

function field(f) {
  const id = `confirm-field-${f.name}`;
  const control = f.kind === 'select'
    ? h('select', { id, name: f.name }, f.options.map((o) => h('option', { value: o, selected: o === f.value }, o)))
    : h('input', { id, name: f.name, type: 'text', value: f.value ?? '', placeholder: f.placeholder, autocomplete: 'off', spellcheck: 'false' });
  return h('p', { class: 'field' }, h('label', { for: id }, f.label), control, f.hint ? h('span', { class: 'hint' }, f.hint) : null);
}
