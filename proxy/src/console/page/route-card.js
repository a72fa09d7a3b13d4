import { h } from './dom.js';
import { count, gateValue, ms, percent, percentOf, plural, rate, when } from './format.js';
import { slots, sparkline } from './sparkline.js';

const SPAN_MS = 15 * 60_000;
const ROLLOUT_ACTIONS = ['start', 'pause', 'resume', 'abort'];

/**
 * One route's card. Built once and updated in place on every event, so a focused button
 * keeps its focus while the figures around it change. `act(kind, route)` runs an action.
 */
export function createRouteCard(name, act) {
  const id = `route-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const title = h('h3', { id: `${id}-title` }, name);
  const routing = h('p', { class: 'routing' });
  const buttons = {
    cutover: h('button', { type: 'button', 'data-action': 'cutover', 'aria-label': `Cut over ${name}`, onclick: () => act('cutover', name) }, 'Cut over…'),
    rollback: h('button', { type: 'button', 'data-action': 'rollback', 'aria-label': `Roll back ${name}`, onclick: () => act('rollback', name) }, 'Roll back'),
    start: h('button', { type: 'button', 'data-action': 'start', 'aria-label': `Start a rollout of ${name}`, onclick: () => act('start', name) }, 'Start rollout…'),
    pause: h('button', { type: 'button', 'data-action': 'pause', 'aria-label': `Pause the rollout of ${name}`, onclick: () => act('pause', name) }, 'Pause'),
    resume: h('button', { type: 'button', 'data-action': 'resume', 'aria-label': `Resume the rollout of ${name}`, onclick: () => act('resume', name) }, 'Resume'),
    abort: h('button', { type: 'button', 'data-action': 'abort', 'aria-label': `Abort the rollout of ${name}`, onclick: () => act('abort', name) }, 'Abort'),
  };
  const figures = h('div', { class: 'figures' });
  const rollout = h('div', { class: 'rollout' });
  const diffs = h('div', { class: 'diffs' });
  const el = h('article', { class: 'route', id, 'aria-labelledby': title.id, 'data-route': name },
    h('header', {}, title, routing),
    h('div', { class: 'actions', role: 'group', 'aria-label': `Actions on ${name}` }, Object.values(buttons)),
    h('h4', {}, 'Live figures ', h('span', { class: 'hint' }, 'last minute; lines: 15 minutes')), figures,
    h('h4', {}, 'Rollout'), rollout,
    h('h4', {}, 'Shadow diffs ', h('span', { class: 'hint' }, 'last 15 minutes')), diffs);

  return {
    el,
    update(model) {
      const route = model.route;
      renderRouting(routing, route, model.defaultBackend);
      const ro = model.rollouts.ok ? model.rollouts.body.rollouts?.find((r) => r.route === name) : undefined;
      buttons.cutover.disabled = model.backends.filter((b) => b !== route.target).length === 0;
      buttons.rollback.disabled = route.target === model.defaultBackend && !route.canary;
      for (const action of ROLLOUT_ACTIONS) buttons[action].hidden = !model.rollouts.ok;
      if (model.rollouts.ok) {
        // One rollout per route: a finished one (`new`) is aborted, i.e. removed, before the next starts.
        buttons.start.hidden = Boolean(ro);
        buttons.pause.hidden = !ro || (ro.state !== 'shadow' && ro.state !== 'canary');
        buttons.resume.hidden = !ro || (ro.state !== 'paused' && ro.state !== 'demoted');
        buttons.abort.hidden = !ro;
        setLabel(buttons.abort, ro?.state === 'new' ? 'Remove' : 'Abort', ro?.state === 'new' ? `Remove the finished rollout of ${name}` : `Abort the rollout of ${name}`);
      }
      renderFigures(figures, name, route, model);
      renderRollout(rollout, ro, model.rollouts);
      renderDiffs(diffs, name, route, model.diffs);
    },
  };
}

/**
 * The card of what no route matches (routes.yaml's `default:`): where it goes and its live
 * figures. No actions: the default moves by editing routes.yaml.
 */
export function createDefaultCard(name) {
  const title = h('h3', { id: 'route-default-title' }, 'Everything else');
  const routing = h('p', { class: 'routing' });
  const figures = h('div', { class: 'figures' });
  const el = h('article', { class: 'route default-route', id: 'route-default', 'aria-labelledby': title.id, 'data-route': name },
    h('header', {}, title, routing),
    h('p', { class: 'hint' }, 'Requests no route matches. It moves when routes.yaml\'s ', h('code', {}, 'default:'), ' is edited.'),
    h('h4', {}, 'Live figures ', h('span', { class: 'hint' }, 'last minute; lines: 15 minutes')), figures);
  return {
    el,
    update(model) {
      routing.replaceChildren(h('span', { class: 'pill target' }, `→ ${model.defaultBackend}`));
      renderFigures(figures, name, { target: model.defaultBackend }, model);
    },
  };
}

function setLabel(button, text, label) {
  if (button.textContent !== text) button.textContent = text;
  if (button.getAttribute('aria-label') !== label) button.setAttribute('aria-label', label);
}

function renderRouting(el, route, defaultBackend) {
  const parts = [h('span', { class: 'pill target' }, `→ ${route.target}`)];
  if (route.canary) parts.push(h('span', { class: 'pill canary' }, `canary ${percent(route.canary.percent)} → ${route.canary.to}`));
  if (route.shadow) parts.push(h('span', { class: 'pill shadow' }, `shadow → ${route.shadow.to}`));
  if (route.target !== defaultBackend) parts.push(h('span', { class: 'pill moved' }, `moved off ${defaultBackend}`));
  parts.push(h('span', { class: 'paths' }, route.paths.join(' ')));
  el.replaceChildren(...parts);
}

/** The backends worth a row: those routed to now, plus any with figures in the window. */
function backendsOf(route, stats) {
  const names = [route.target];
  if (route.canary) names.push(route.canary.to);
  for (const b of Object.keys(stats ?? {})) names.push(b);
  return [...new Set(names)];
}

function renderFigures(el, name, route, model) {
  if (!model.stats.ok) {
    el.replaceChildren(unavailable('Live figures', model.stats));
    return;
  }
  const { now, bucketMs, routes } = model.stats.body;
  const perBackend = routes?.[name] ?? {};
  const rows = backendsOf(route, perBackend).map((backend) => {
    const f = perBackend[backend];
    const points = slots(f?.series, now, bucketMs, SPAN_MS);
    const perSecond = points.map((p) => (p ? p.requests / (bucketMs / 1000) : 0));
    const errors = points.map((p) => (p && p.requests > 0 ? p.errors / p.requests : null));
    const tile = (label, value, line, what) => h('div', { class: 'tile' },
      h('span', { class: 'label' }, label), h('span', { class: 'value', 'data-figure': what }, value), sparkline(line, `${backend} ${label} over the last 15 minutes`));
    return h('div', { class: 'backend', 'data-backend': backend },
      h('p', { class: 'backend-name' }, backend, backend === route.target ? h('span', { class: 'hint' }, ' target') : null),
      h('div', { class: 'tiles' },
        tile('requests', rate(f?.rps ?? 0), perSecond, 'rps'),
        tile('errors', f?.requests ? percentOf(f.errorRate, 2) : '–', errors, 'errorRate'),
        tile('p50', ms(f?.p50), points.map((p) => p?.p50 ?? null), 'p50'),
        tile('p99', ms(f?.p99), points.map((p) => p?.p99 ?? null), 'p99')),
      h('p', { class: 'hint' }, `${plural(f?.requests ?? 0, 'request')}, ${plural(f?.errors ?? 0, 'error')} in the last minute`));
  });
  el.replaceChildren(...rows);
}

function renderRollout(el, ro, rollouts) {
  if (!rollouts.ok) {
    el.replaceChildren(unavailable('Rollouts', rollouts));
    return;
  }
  if (!ro) {
    el.replaceChildren(h('p', { class: 'hint' }, 'No rollout on this route.'));
    return;
  }
  const steps = Array.isArray(ro.steps) ? ro.steps : [];
  // `step` indexes `steps`; -1 is the shadow phase, before the first step.
  const where = ro.step < 0 ? 'shadow phase, before step 1' : `step ${ro.step + 1} of ${steps.length}`;
  const summary = h('p', {},
    h('span', { class: `pill state-${ro.state}`, 'data-rollout-state': ro.state }, ro.state),
    ` ${where} · ${percent(ro.percent)} → ${ro.to} (from ${ro.from})`,
    ro.every ? ` · every ${ro.every}` : '',
    h('span', { class: 'hint' }, ` · updated ${when(ro.updatedAt)}`));
  const ladder = h('ol', { class: 'steps', 'aria-label': 'Steps (% of users on the new backend)' },
    steps.map((p, i) => h('li', { class: i === ro.step ? 'current' : i < ro.step ? 'passed' : '', 'aria-current': i === ro.step ? 'step' : false }, `${p} %`)));
  const parts = [summary, ladder];
  if (ro.reason) parts.push(h('p', { class: 'reason' }, ro.reason));
  if (ro.gates?.length) {
    parts.push(h('table', { class: 'gates' },
      h('thead', {}, h('tr', {}, ['gate', 'status', 'value', '95 % bounds', 'threshold', 'samples'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ro.gates.map((g) => h('tr', { 'data-gate': g.name },
        h('th', { scope: 'row' }, g.name),
        h('td', {}, h('span', { class: `pill gate-${g.status}` }, g.status)),
        h('td', {}, gateValue(g.name, g.value)),
        h('td', {}, g.lower === null && g.upper === null ? '–' : `${gateValue(g.name, g.lower)} – ${gateValue(g.name, g.upper)}`),
        h('td', {}, gateValue(g.name, g.threshold)),
        h('td', {}, `${count(g.samples)} / ${count(g.needed)}`))))));
  }
  el.replaceChildren(...parts);
}

function renderDiffs(el, name, route, diffs) {
  if (!diffs.ok) {
    el.replaceChildren(unavailable('Diffs', diffs));
    return;
  }
  if (diffs.body.enabled === false) {
    el.replaceChildren(h('p', { class: 'hint' }, diffs.body.message ?? 'Shadow traffic is off in this proxy.'));
    return;
  }
  const summary = diffs.body.routes?.find((r) => r.route === name);
  if (!summary || summary.shadowed === 0) {
    el.replaceChildren(h('p', { class: 'hint' }, route.shadow ? `Nothing compared yet (shadow → ${route.shadow.to}).` : 'No shadow traffic on this route.'));
    return;
  }
  const judged = summary.shadowed - summary.raced;
  const lines = [
    h('p', {}, h('span', { class: 'big', 'data-figure': 'matchRate' }, percent(summary.matchRate)), ` match of ${count(judged)} compared`,
      summary.errors ? ` · ${count(summary.errors)} copies failed` : ''),
    h('p', { class: 'raced' }, `${count(summary.raced)} raced with a write`, h('span', { class: 'hint' }, ' (shown apart, left out of the match rate)')),
  ];
  if (summary.topPaths?.length) {
    lines.push(h('p', { class: 'label' }, 'Top differing paths'),
      h('ol', { class: 'top-paths' }, summary.topPaths.map((p) => h('li', {}, h('code', {}, p.path), ` ${count(p.count)}×`))));
  }
  el.replaceChildren(...lines);
}

function unavailable(what, part) {
  return h('p', { class: 'unavailable' }, `${what} unavailable: `, part.status === 404 ? 'this proxy does not offer them yet' : part.error, h('span', { class: 'hint' }, ` (${part.status || 'no answer'})`));
}
