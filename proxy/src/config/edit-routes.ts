import { isMap, isPair, isScalar, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { describeCanaryChange, describeTargetChange } from './describe-change.js';
import { parseRouteTable } from './parse-route-table.js';
import { unknownName } from './problem.js';
import type { CanaryConfig, RouteConfig } from './types.js';

export interface RouteChange {
  /** Move the route to this backend. A canary pointing at it is removed (it would mean nothing). */
  readonly target?: string;
  /** Set (or with null remove) the canary. */
  readonly canary?: CanaryConfig | null;
}

export interface RouteEdit {
  readonly route: string;
  readonly change: RouteChange;
}

export type EditResult = { ok: true; text: string; changes: string[] } | { ok: false; errors: string[] };

interface Splice { start: number; end: number; text: string }
interface Planned { route: RouteConfig; target: string; canary: CanaryConfig | undefined }

const PLAIN = /^[a-z_][a-z0-9_-]*$/;
const YAML_WORDS = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n']);
const scalar = (name: string) => (PLAIN.test(name) && !YAML_WORDS.has(name) ? name : JSON.stringify(name));
const flowCanary = (c: CanaryConfig) => `{ to: ${scalar(c.to)}, percent: ${c.percent} }`;

/**
 * Applies route changes to routes.yaml text, touching only the bytes of the values that
 * change: every comment, blank line and flow/block choice elsewhere stays byte for byte.
 * The file must be valid before, and the result is validated again; either failure returns
 * the errors and no text.
 */
export function editRoutesText(text: string, edits: readonly RouteEdit[], options: { source: string; env?: NodeJS.ProcessEnv }): EditResult {
  const before = parseRouteTable(text, options);
  if (!before.ok) return { ok: false, errors: [`${options.source} is invalid as it stands; fix these first (strangler validate):`, ...before.errors] };
  const table = before.table;
  const backends = [...table.backends.keys()];
  const errors: string[] = [];
  const plans: Planned[] = [];
  for (const { route: name, change } of edits) {
    const route = table.routes.find((r) => r.name === name);
    if (!route) {
      errors.push(unknownName('route', name, table.routes.map((r) => r.name)));
      continue;
    }
    if (change.target !== undefined && !table.backends.has(change.target)) errors.push(`${name}: target: ${unknownName('backend', change.target, backends)}`);
    if (change.canary) {
      if (!table.backends.has(change.canary.to)) errors.push(`${name}: canary: ${unknownName('backend', change.canary.to, backends)}`);
      if (!Number.isFinite(change.canary.percent) || change.canary.percent < 0 || change.canary.percent > 100) errors.push(`${name}: canary percent must be 0-100, got ${change.canary.percent}`);
    }
    const target = change.target ?? route.target;
    let canary = change.canary === undefined ? route.canary : change.canary ?? undefined;
    if (canary && canary.to === target) {
      if (change.canary) errors.push(`${name}: a canary to ${canary.to} means nothing while ${name} already targets ${target}`);
      canary = undefined;
    }
    plans.push({ route, target, canary });
  }
  if (errors.length) return { ok: false, errors };

  const changes = plans.flatMap((p) => [
    p.target !== p.route.target ? describeTargetChange(p.route.name, p.route.target, p.target) : undefined,
    describeCanaryChange(p.route.name, p.route.canary, p.canary),
  ].filter((c): c is string => c !== undefined));
  if (changes.length === 0) return { ok: true, text, changes };

  const spliced = spliceEdit(text, plans);
  for (const candidate of [spliced, documentEdit(text, plans)]) {
    if (candidate === undefined) continue;
    const after = parseRouteTable(candidate, options);
    if (!after.ok) return { ok: false, errors: [`the change would leave ${options.source} invalid, so nothing was written:`, ...after.errors] };
    if (plans.every((p) => applied(after.table.routes[p.route.index], p))) return { ok: true, text: candidate, changes };
  }
  throw new Error('editing routes.yaml did not produce the planned routing');
}

function applied(route: RouteConfig | undefined, plan: Planned): boolean {
  return route !== undefined && route.target === plan.target
    && route.canary?.to === plan.canary?.to && route.canary?.percent === plan.canary?.percent;
}

/** Byte-exact editing through the parsed document's source ranges; undefined when the layout is unusual. */
function spliceEdit(text: string, plans: readonly Planned[]): string | undefined {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const splices: Splice[] = [];
  for (const plan of plans) {
    const node = doc.getIn(['routes', plan.route.index], true);
    if (!isMap(node) || !node.range) return undefined;
    const targetPair = findPair(node, 'target');
    const targetValue = targetPair?.value as Node | undefined;
    if (!targetPair || !targetValue?.range) return undefined;
    if (plan.target !== plan.route.target) splices.push({ start: targetValue.range[0], end: targetValue.range[1], text: sameQuotes(targetValue, plan.target) });

    const canaryPair = findPair(node, 'canary');
    const canaryValue = canaryPair?.value as Node | null | undefined;
    const hasCanary = isMap(canaryValue);
    if (!plan.canary) {
      if (!plan.route.canary) continue;
      if (node.flow || !canaryPair || !canaryValue?.range) return undefined;
      const keyStart = (canaryPair.key as Node).range?.[0];
      if (keyStart === undefined) return undefined;
      const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
      if (text.slice(lineStart, keyStart).trim() !== '') return undefined;
      const nl = text.indexOf('\n', contentEnd(canaryValue));
      splices.push({ start: lineStart, end: nl < 0 ? text.length : nl + 1, text: '' });
    } else if (hasCanary) {
      for (const key of ['to', 'percent'] as const) {
        const v = findPair(canaryValue, key)?.value as Node | undefined;
        if (!isScalar(v) || !v.range) return undefined;
        const want = key === 'to' ? sameQuotes(v, plan.canary.to) : String(plan.canary.percent);
        if (String(v.value) !== String(plan.canary[key])) splices.push({ start: v.range[0], end: v.range[1], text: want });
      }
    } else if (canaryPair && isScalar(canaryValue) && canaryValue.range) {
      // `canary:` or `canary: null`
      const pad = text[canaryValue.range[0] - 1] === ':' ? ' ' : '';
      splices.push({ start: canaryValue.range[0], end: canaryValue.range[1], text: pad + flowCanary(plan.canary) });
    } else if (node.flow) {
      splices.push({ start: targetValue.range[1], end: targetValue.range[1], text: `, canary: ${flowCanary(plan.canary)}` });
    } else {
      const keyStart = (targetPair.key as Node).range?.[0];
      if (keyStart === undefined) return undefined;
      const column = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
      const nl = text.indexOf('\n', targetValue.range[1]);
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const line = `${' '.repeat(column)}canary: ${flowCanary(plan.canary)}${eol}`;
      splices.push(nl < 0 ? { start: text.length, end: text.length, text: `${eol}${line}` } : { start: nl + 1, end: nl + 1, text: line });
    }
  }
  splices.sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of splices) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/** A name written in the quotes the old value used, so a round trip restores the file exactly. */
function sameQuotes(old: Node, name: string): string {
  if (isScalar(old) && old.type === 'QUOTE_DOUBLE') return JSON.stringify(name);
  if (isScalar(old) && old.type === 'QUOTE_SINGLE' && !name.includes("'")) return `'${name}'`;
  return scalar(name);
}

/** Fallback through the Document API: comments are kept, spacing may be normalised. */
function documentEdit(text: string, plans: readonly Planned[]): string {
  const doc = parseDocument(text);
  for (const plan of plans) {
    doc.setIn(['routes', plan.route.index, 'target'], plan.target);
    if (plan.canary) {
      const node = doc.createNode({ to: plan.canary.to, percent: plan.canary.percent });
      node.flow = true;
      doc.setIn(['routes', plan.route.index, 'canary'], node);
    } else if (doc.hasIn(['routes', plan.route.index, 'canary'])) {
      doc.deleteIn(['routes', plan.route.index, 'canary']);
    }
  }
  return doc.toString();
}

/** Where a node's own content ends: a block map's range also spans the comments after it. */
export function contentEnd(node: Node): number {
  if (isMap(node) && !node.flow) {
    const last = node.items[node.items.length - 1];
    const value = last?.value as Node | null | undefined;
    if (value) return contentEnd(value);
    const key = last?.key as Node | undefined;
    if (key?.range) return key.range[1];
  }
  return node.range?.[1] ?? 0;
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
}
