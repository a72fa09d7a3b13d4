// The ops console: sign in, then one page of every route, live, with its actions.
import { call, setCsrfToken } from './api.js';
import { confirmAction } from './confirm-dialog.js';
import { openFeed } from './feed.js';
import { renderHistory } from './history-view.js';
import { createDefaultCard, createRouteCard } from './route-card.js';
import { h } from './dom.js';

const $ = (id) => document.getElementById(id);
const WAITING = { ok: false, status: 0, error: 'waiting for the first figures' };
// The name the proxy's figures give requests no route matched.
const DEFAULT_ROUTE = '(default)';

const parts = { routes: undefined, stats: WAITING, rollouts: WAITING, diffs: WAITING, history: WAITING };
const cards = new Map();
// The card of what no route matches: one for the page's life, placed after the route cards.
let defaultCard;
let feed;

async function start() {
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  const session = await call('GET', '/__proxy/ui/session');
  if (session.ok) showConsole(session.body);
  else showSignIn();
}

async function signIn(event) {
  event.preventDefault();
  const input = $('token');
  const error = $('sign-in-error');
  error.textContent = '';
  const answer = await call('POST', '/__proxy/ui/session', { token: input.value });
  if (!answer.ok) {
    error.textContent = answer.error;
    input.select();
    return;
  }
  input.value = '';
  showConsole(answer.body);
}

async function signOut() {
  const answer = await call('DELETE', '/__proxy/ui/session');
  if (!answer.ok && answer.status !== 401) {
    notice(`Sign-out failed: ${answer.error}`, true);
    return;
  }
  showSignIn('Signed out.');
}

function showSignIn(message) {
  feed?.close();
  feed = undefined;
  setCsrfToken('');
  cards.clear();
  $('routes').replaceChildren();
  $('history').replaceChildren();
  $('console-view').hidden = true;
  $('sign-out').hidden = true;
  $('live').hidden = true;
  $('sign-in-view').hidden = false;
  $('sign-in-error').textContent = message ?? '';
  $('token').focus();
}

function showConsole(session) {
  setCsrfToken(session.csrfToken);
  $('sign-in-view').hidden = true;
  $('console-view').hidden = false;
  $('sign-out').hidden = false;
  $('live').hidden = false;
  setLive('connecting');
  feed = openFeed({
    onPart(name, part) {
      parts[name] = part;
      if (name === 'history') renderHistory($('history'), part);
      else render();
    },
    onState: setLive,
    async onEnded(reason) {
      // A refused stream may be an ended sign-in, or a proxy that restarted: ask which.
      const session = await call('GET', '/__proxy/ui/session');
      if (session.ok) {
        setLive('reconnecting');
        feed?.close();
        setTimeout(() => showConsole(session.body), 2000);
      } else {
        showSignIn(reason ? `Signed out: ${reason}.` : 'Your sign-in has ended; sign in again.');
      }
    },
  });
}

function setLive(state) {
  const pill = $('live');
  pill.textContent = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' }[state];
  pill.className = `pill live-${state}`;
}

function render() {
  const routes = parts.routes;
  if (!routes) return;
  if (!routes.ok) {
    $('routes').replaceChildren(h('p', { class: 'unavailable' }, `Routes unavailable: ${routes.error}`));
    cards.clear();
    return;
  }
  const table = routes.body;
  const backends = table.backends.map((b) => b.name);
  const names = table.routes.map((r) => r.name);
  for (const [name, card] of cards) {
    if (!names.includes(name)) {
      card.el.remove();
      cards.delete(name);
    }
  }
  const container = $('routes');
  container.querySelector(':scope > .unavailable')?.remove();
  table.routes.forEach((route, i) => {
    let card = cards.get(route.name);
    if (!card) {
      card = createRouteCard(route.name, act);
      cards.set(route.name, card);
    }
    // Kept in file order (first match wins) without moving a card that is already in place.
    if (container.children[i] !== card.el) container.insertBefore(card.el, container.children[i] ?? null);
    card.update({ route, backends, defaultBackend: table.default, stats: parts.stats, rollouts: parts.rollouts, diffs: parts.diffs });
  });
  // Last, as the table reads: what no route above matches.
  defaultCard ??= createDefaultCard(DEFAULT_ROUTE);
  if (container.children[table.routes.length] !== defaultCard.el) container.insertBefore(defaultCard.el, container.children[table.routes.length] ?? null);
  defaultCard.update({ defaultBackend: table.default, stats: parts.stats });
  if (table.lastError) notice(`routes.yaml was refused at ${table.lastError.at}; still routing with the last good file: ${table.lastError.errors.join('; ')}`, true);
}

/** Each action: ask, send, say what happened. The history shows it once the proxy records it. */
async function act(kind, routeName) {
  const table = parts.routes?.ok ? parts.routes.body : undefined;
  const route = table?.routes.find((r) => r.name === routeName);
  if (!route) return;
  const others = table.backends.map((b) => b.name).filter((b) => b !== route.target);
  const suggested = [route.canary?.to, route.shadow?.to].find((b) => b && others.includes(b)) ?? others[0];
  let request;
  if (kind === 'cutover') {
    const answer = await confirmAction({
      title: `Cut over ${routeName}`,
      text: `Every request of ${routeName} (${route.paths.join(', ')}) goes to the backend chosen below, and its canary is removed. Routes.yaml is rewritten, comments kept.`,
      confirmLabel: 'Cut over',
      fields: [{ name: 'to', label: 'To backend', kind: 'select', options: others, value: suggested }],
    });
    if (!answer) return;
    request = ['PUT', `/__proxy/routes/${encodeURIComponent(routeName)}`, { target: answer.to, canary: null }, `cut ${routeName} over to ${answer.to}`];
  } else if (kind === 'rollback') {
    const answer = await confirmAction({
      title: `Roll back ${routeName}`,
      text: `Every request of ${routeName} goes back to ${table.default}${route.canary ? `, and its canary (${route.canary.percent} % to ${route.canary.to}) is removed` : ''}.`,
      confirmLabel: 'Roll back',
    });
    if (!answer) return;
    request = ['PUT', `/__proxy/routes/${encodeURIComponent(routeName)}`, { target: table.default, canary: null }, `roll ${routeName} back to ${table.default}`];
  } else if (kind === 'start') {
    const answer = await confirmAction({
      title: `Start a rollout of ${routeName}`,
      text: 'Traffic moves to the chosen backend step by step, each step held until its gates pass. Leave a field empty for the route\'s own settings or the defaults.',
      confirmLabel: 'Start rollout',
      fields: [
        { name: 'to', label: 'To backend', kind: 'select', options: others, value: suggested },
        { name: 'steps', label: 'Steps (%)', placeholder: '1,5,25,50,100', hint: 'increasing percentages, comma-separated' },
        { name: 'every', label: 'Every', placeholder: '10m', hint: 'the least time per step' },
        { name: 'gates', label: 'Gates', placeholder: 'error-rate=1%, match-rate=99%', hint: 'name=limit pairs, comma-separated' },
      ],
    });
    if (!answer) return;
    const body = { action: 'start', to: answer.to };
    if (answer.steps) body.steps = answer.steps.split(/[\s,]+/).filter(Boolean).map(Number);
    if (answer.every) body.every = answer.every;
    if (answer.gates) {
      // "error-rate=1%, latency-p99=1.5" → {"error-rate": "1%", "latency-p99": "1.5"}; the proxy checks names and limits.
      body.gates = Object.fromEntries(answer.gates.split(',').map((pair) => pair.split('=').map((x) => x.trim())).filter(([k]) => k).map(([k, v]) => [k, v ?? '']));
    }
    request = ['POST', `/__proxy/rollouts/${encodeURIComponent(routeName)}`, body, `start a rollout of ${routeName} to ${answer.to}`];
  } else {
    const rollout = parts.rollouts.ok ? parts.rollouts.body.rollouts?.find((r) => r.route === routeName) : undefined;
    const finished = rollout?.state === 'new';
    const verbs = {
      pause: ['Pause', 'It stays at its current step, gates still shown, until someone resumes it.'],
      resume: ['Resume', 'It carries on from where it stopped, its gates judged afresh.'],
      abort: finished
        ? ['Remove', `The finished rollout is removed from routes.yaml; ${routeName} stays on ${rollout.to}.`]
        : ['Abort', `The rollout ends and its canary is removed: every user of ${routeName} goes back to ${route.target}.`],
    };
    const [verb, effect] = verbs[kind];
    const answer = await confirmAction({ title: `${verb} the ${finished && kind === 'abort' ? 'finished ' : ''}rollout of ${routeName}`, text: effect, confirmLabel: verb });
    if (!answer) return;
    request = ['POST', `/__proxy/rollouts/${encodeURIComponent(routeName)}`, { action: kind }, `${verb.toLowerCase()} the rollout of ${routeName}`];
  }
  // `what` says the action as asked: "roll users back to legacy".
  const [method, path, body, what] = request;
  const result = await call(method, path, body);
  if (result.status === 401) {
    showSignIn('Your sign-in has ended; sign in again.');
    return;
  }
  if (!result.ok) {
    notice(`Could not ${what}: ${result.error}`, true);
    return;
  }
  const notes = [...(result.body?.changes ?? []), ...(result.body?.notes ?? [])];
  notice(`Done: ${what}${notes.length ? ` (${notes.join('; ')})` : ''}.`);
}

let noticeTimer;
function notice(text, isError = false) {
  const el = $('notice');
  el.textContent = text;
  el.className = `notice${isError ? ' error' : ''}`;
  el.hidden = false;
  clearTimeout(noticeTimer);
  if (!isError) noticeTimer = setTimeout(() => (el.hidden = true), 10_000);
}

void start();
