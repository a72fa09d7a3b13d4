// Small DOM helpers. Text always goes in through textContent, never as HTML.

export const $ = (selector, root = document) => root.querySelector(selector);

export function show(el, visible) {
  el.hidden = !visible;
}

/** The banner under the top bar: errors stay until dismissed, info fades after a few seconds. */
export function banner(message, kind = 'error') {
  const box = $('#banner');
  $('#banner-text').textContent = message;
  box.dataset.kind = kind;
  show(box, Boolean(message));
  if (kind === 'info' && message) setTimeout(() => ($('#banner-text').textContent === message ? show(box, false) : null), 4000);
}

export function formError(form, message) {
  const p = $('.form-error', form);
  p.textContent = message || '';
  show(p, Boolean(message));
}

export function fields(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/** Only what the person changed: untouched fields are not re-validated, an empty password means "keep". */
export function changedFields(values, original) {
  const changes = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'password' ? value !== '' : value !== original[key]) changes[key] = value;
  }
  return changes;
}

export function el(tag, props = {}, children = []) {
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

export function roleBadge(role) {
  return el('span', { className: `badge ${role}`, text: role });
}
