import { isMap, isScalar, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { contentEnd, editRoutesText, findPair, type EditResult, type RouteChange } from './edit-routes.js';
import { parseRouteTable } from './parse-route-table.js';
import type { RolloutHold } from './rollout-settings.js';
import { rewriteRoutesFile, type UpdateResult } from './update-route-in-file.js';

/** What a rollout command writes to one route, in one validated atomic write. */
export interface RolloutEdit {
  readonly route: string;
  /** Target and canary, as cutover edits them. */
  readonly change?: RouteChange;
  /** A new block (start), no block (abort), or a new state (null: running again). */
  readonly rollout?: { readonly set: RolloutBlockSpec } | { readonly remove: true } | { readonly state: RolloutHold | null };
}

/** The block as `strangler rollout --to` writes it: steps and every always, the rest when given. */
export interface RolloutBlockSpec {
  readonly to: string;
  readonly steps: readonly number[];
  readonly every: string;
  readonly window?: string;
  readonly passes?: number;
  readonly gates?: Readonly<Record<string, string | number>>;
}

const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_.%-]*$/;
const scalar = (v: string | number) => (typeof v === 'number' || (PLAIN.test(v) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(v)) ? String(v) : JSON.stringify(v));

/** `{ to: new, steps: [1, 5, 25, 50, 100], every: 10m }`: one line, the file's own flow style. */
export function flowRollout(spec: RolloutBlockSpec): string {
  const parts = [`to: ${scalar(spec.to)}`, `steps: [${spec.steps.join(', ')}]`, `every: ${scalar(spec.every)}`];
  if (spec.window !== undefined) parts.push(`window: ${scalar(spec.window)}`);
  if (spec.passes !== undefined) parts.push(`passes: ${spec.passes}`);
  if (spec.gates && Object.keys(spec.gates).length) parts.push(`gates: { ${Object.entries(spec.gates).map(([k, v]) => `${k}: ${v === 'off' ? 'off' : scalar(v)}`).join(', ')} }`);
  return `{ ${parts.join(', ')} }`;
}

/**
 * Applies a rollout edit to routes.yaml text: the canary and target through editRoutesText,
 * then the `rollout:` block by splicing only its own bytes, so every comment and all layout
 * elsewhere stay as they were. The result is validated; either failure returns errors.
 */
export function editRolloutText(text: string, edit: RolloutEdit, options: { source: string; env?: NodeJS.ProcessEnv }): EditResult {
  let out = text;
  const changes: string[] = [];
  if (edit.change) {
    const routed = editRoutesText(out, [{ route: edit.route, change: edit.change }], options);
    if (!routed.ok) return routed;
    out = routed.text;
    changes.push(...routed.changes);
  }
  if (edit.rollout) {
    const table = parseRouteTable(out, options);
    if (!table.ok) return { ok: false, errors: [`${options.source} is invalid as it stands; fix these first (strangler validate):`, ...table.errors] };
    const route = table.table.routes.find((r) => r.name === edit.route);
    if (!route) return { ok: false, errors: [`unknown route "${edit.route}" (known: ${table.table.routes.map((r) => r.name).join(', ') || 'none'})`] };
    const op = edit.rollout;
    const before = route.rollout;
    let next: string | undefined = out;
    if ('remove' in op) {
      if (before) next = removePair(next, route.index, ['rollout']);
      if (before) changes.push(`${edit.route}: rollout to ${before.to} removed`);
    } else if ('set' in op) {
      if (before) next = removePair(next, route.index, ['rollout']);
      next = next === undefined ? undefined : insertPair(next, route.index, [], 'rollout', flowRollout(op.set));
      changes.push(`${edit.route}: rollout to ${op.set.to} set (steps ${op.set.steps.join(', ')} every ${op.set.every})`);
    } else {
      if (!before) return { ok: false, errors: [`${edit.route} has no rollout block to set the state of`] };
      if ((before.state ?? null) !== op.state) {
        next = before.state === undefined ? insertPair(next, route.index, ['rollout'], 'state', op.state as string)
          : op.state === null ? removePair(next, route.index, ['rollout', 'state'])
            : replaceValue(next, route.index, ['rollout', 'state'], op.state);
        changes.push(`${edit.route}: rollout ${before.state ?? 'running'} -> ${op.state ?? 'running'}`);
      }
    }
    out = next ?? documentEdit(out, route.index, op);
  }
  if (out === text) return { ok: true, text, changes: [] };
  const after = parseRouteTable(out, options);
  if (!after.ok) return { ok: false, errors: [`the change would leave ${options.source} invalid, so nothing was written:`, ...after.errors] };
  return { ok: true, text: out, changes };
}

/** One validated atomic write of a rollout edit (re-read and retried if the file changes meanwhile). */
export function updateRolloutInFile(file: string, edit: RolloutEdit, env: NodeJS.ProcessEnv = process.env): UpdateResult {
  return rewriteRoutesFile(file, (text) => editRolloutText(text, edit, { source: file, env }));
}

function mapAt(text: string, routeIndex: number, path: readonly string[]): YAMLMap | undefined {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const node = doc.getIn(['routes', routeIndex, ...path], true);
  return isMap(node) && node.range ? node : undefined;
}

function pairAt(text: string, routeIndex: number, path: readonly string[]): { map: YAMLMap; pair: Pair } | undefined {
  const map = mapAt(text, routeIndex, path.slice(0, -1));
  const pair = map ? findPair(map, path[path.length - 1] as string) : undefined;
  return map && pair ? { map, pair } : undefined;
}

function replaceValue(text: string, routeIndex: number, path: readonly string[], value: string): string | undefined {
  const found = pairAt(text, routeIndex, path);
  const v = found?.pair.value as Node | null | undefined;
  if (!isScalar(v) || !v.range) return undefined;
  return text.slice(0, v.range[0]) + scalar(value) + text.slice(v.range[1]);
}

/** Removes `key: value`: its whole line(s) in a block map, `, key: value` in a flow map. */
function removePair(text: string, routeIndex: number, path: readonly string[]): string | undefined {
  const found = pairAt(text, routeIndex, path);
  if (!found) return text;
  const key = found.pair.key as Node | undefined;
  const value = found.pair.value as Node | null | undefined;
  const keyStart = key?.range?.[0];
  if (keyStart === undefined || !value?.range) return undefined;
  if (found.map.flow) {
    const comma = text.lastIndexOf(',', keyStart);
    const open = text.lastIndexOf('{', keyStart);
    if (comma > open) return text.slice(0, comma) + text.slice(value.range[1]);
    const after = text.indexOf(',', value.range[1]);
    const close = text.indexOf('}', value.range[1]);
    if (after >= 0 && after < close) return text.slice(0, keyStart) + text.slice(after + 1).replace(/^ +/, '');
    return undefined;
  }
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  // Another key before it on the line (the first key of a list item): the document edit does it.
  if (text.slice(lineStart, keyStart).trim() !== '') return undefined;
  const nl = text.indexOf('\n', contentEnd(value));
  return text.slice(0, lineStart) + text.slice(nl < 0 ? text.length : nl + 1);
}

/** Adds `key: value` to the map at `path` (the route itself when empty), after its last entry. */
function insertPair(text: string, routeIndex: number, path: readonly string[], key: string, value: string): string | undefined {
  const map = mapAt(text, routeIndex, path);
  if (!map?.range) return undefined;
  if (map.flow) {
    const close = text.lastIndexOf('}', map.range[1]);
    if (close < 0) return undefined;
    let at = close;
    while (at > 0 && text[at - 1] === ' ') at--;
    return `${text.slice(0, at)}, ${key}: ${value}${text.slice(at)}`;
  }
  const first = map.items[0];
  const last = map.items[map.items.length - 1];
  const firstKeyStart = (first?.key as Node | undefined)?.range?.[0];
  const lastValue = last?.value as Node | null | undefined;
  if (firstKeyStart === undefined || !lastValue) return undefined;
  const column = firstKeyStart - (text.lastIndexOf('\n', firstKeyStart - 1) + 1);
  const nl = text.indexOf('\n', contentEnd(lastValue));
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const line = `${' '.repeat(column)}${key}: ${value}${eol}`;
  return nl < 0 ? `${text}${eol}${line}` : text.slice(0, nl + 1) + line + text.slice(nl + 1);
}

/** Fallback through the Document API for layouts the splices do not handle: comments kept, spacing may change. */
function documentEdit(text: string, routeIndex: number, op: NonNullable<RolloutEdit['rollout']>): string {
  const doc = parseDocument(text);
  const at = ['routes', routeIndex, 'rollout'];
  if ('remove' in op) doc.deleteIn(at);
  else if ('set' in op) {
    const node = doc.createNode(parseDocument(flowRollout(op.set)).toJS()) as YAMLMap;
    node.flow = true;
    doc.setIn(at, node);
  } else if (op.state === null) doc.deleteIn([...at, 'state']);
  else doc.setIn([...at, 'state'], op.state);
  return doc.toString();
}

