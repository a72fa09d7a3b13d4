import { h } from './dom.js';
import { when } from './format.js';

/** The routing history, newest first: what changed, who or what changed it, and why. */
export function renderHistory(el, part) {
  if (!part.ok) {
    el.replaceChildren(h('p', { class: 'unavailable' }, 'History unavailable: ', part.status === 404 ? 'this proxy does not keep one yet' : part.error));
    return;
  }
  const entries = part.body.entries ?? [];
  if (entries.length === 0) {
    el.replaceChildren(h('p', { class: 'hint' }, 'No routing change recorded yet.'));
    return;
  }
  el.replaceChildren(h('ol', { class: 'history', 'aria-label': 'Routing changes, newest first' }, entries.map((e) => h('li', { 'data-entry': e.id },
    h('time', { datetime: e.at }, when(e.at)),
    h('span', { class: 'route-name' }, e.route),
    h('span', { class: 'change' }, e.change),
    h('span', { class: `actor actor-${e.actor?.kind}` }, e.actor ? `${e.actor.kind}:${e.actor.name}` : '–'),
    e.reason ? h('span', { class: 'reason' }, e.reason) : null))));
}
