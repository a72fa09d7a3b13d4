import { expandEnv } from './expand-env.js';
import { KNOWN_METHODS, UNSAFE_METHODS } from './http-methods.js';
import { parsePattern, type PathPattern } from './path-pattern.js';
import { unknownName, type Problem } from './problem.js';
import { checkRollout } from './rollout-settings.js';
import { parseIgnorePattern } from '../shadow/diff/index.js';

const NAME = /^[a-z0-9][a-z0-9_-]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface ReferenceCheck {
  readonly errors: Problem[];
  readonly warnings: Problem[];
  /** Expanded backend URLs by backend name (only those that are valid). */
  readonly urls: Map<string, URL>;
  /** Compiled patterns by source text. */
  readonly patterns: Map<string, PathPattern>;
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The checks the schema cannot express: names, URLs, path syntax and references between
 * routes and backends. Runs on the raw parsed YAML, defensively, so every route is checked
 * even when another part of the file has the wrong shape.
 */
export function checkReferences(raw: unknown, env: NodeJS.ProcessEnv): ReferenceCheck {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const urls = new Map<string, URL>();
  const patterns = new Map<string, PathPattern>();
  if (!isObject(raw)) return { errors, warnings, urls, patterns };

  const backends = isObject(raw.backends) ? Object.keys(raw.backends) : [];
  if (isObject(raw.backends)) {
    if (backends.length === 0) errors.push({ path: ['backends'], message: 'define at least one backend, e.g. legacy: { url: http://127.0.0.1:5601, auth: session }' });
    for (const [name, backend] of Object.entries(raw.backends)) {
      if (!NAME.test(name)) errors.push({ path: ['backends', name], message: `backend name "${name}" may only hold a-z, 0-9, "-" and "_", starting with a letter or digit`, key: true });
      if (isObject(backend) && typeof backend.url === 'string') {
        const url = checkUrl(backend.url, env);
        if (url.ok) urls.set(name, url.url);
        else errors.push({ path: ['backends', name, 'url'], message: url.reason });
      }
    }
  }
  if (typeof raw.default === 'string' && isObject(raw.backends) && !backends.includes(raw.default)) {
    errors.push({ path: ['default'], message: unknownName('backend', raw.default, backends) });
  }

  const routes = Array.isArray(raw.routes) ? raw.routes : [];
  const seen = new Map<string, number>();
  for (const [i, route] of routes.entries()) {
    if (!isObject(route)) continue;
    const at = (...rest: (string | number)[]) => ['routes', i, ...rest];
    if (typeof route.name === 'string') {
      if (!NAME.test(route.name)) errors.push({ path: at('name'), message: `route name "${route.name}" may only hold a-z, 0-9, "-" and "_", starting with a letter or digit` });
      const first = seen.get(route.name);
      if (first !== undefined) errors.push({ path: at('name'), message: `duplicate route name "${route.name}" (also routes[${first}])` });
      else seen.set(route.name, i);
    }
    if (Array.isArray(route.paths)) {
      const dup = new Set<string>();
      for (const [j, p] of route.paths.entries()) {
        if (typeof p !== 'string') continue;
        const parsed = parsePattern(p);
        if (!parsed.ok) {
          errors.push({ path: at('paths', j), message: parsed.reason });
          continue;
        }
        if (parsed.pattern.segments[0]?.kind === 'literal' && parsed.pattern.segments[0].value === '__proxy') {
          errors.push({ path: at('paths', j), message: `"${p}": /__proxy/ belongs to the proxy itself and is never forwarded` });
        }
        if (dup.has(p)) warnings.push({ path: at('paths', j), message: `"${p}" is listed twice` });
        dup.add(p);
        patterns.set(p, parsed.pattern);
      }
    }
    if (Array.isArray(route.methods)) checkMethods(route.methods, at('methods'), errors, warnings);
    const target = typeof route.target === 'string' ? route.target : undefined;
    if (target !== undefined && isObject(raw.backends) && !backends.includes(target)) {
      errors.push({ path: at('target'), message: unknownName('backend', target, backends) });
    }
    if (isObject(route.canary) && typeof route.canary.to === 'string' && isObject(raw.backends)) {
      const to = route.canary.to;
      if (!backends.includes(to)) errors.push({ path: at('canary', 'to'), message: unknownName('backend', to, backends) });
      else if (to === target) errors.push({ path: at('canary', 'to'), message: `the canary goes to "${to}", which is already the target: remove the canary, or point it at another backend` });
    }
    if (isObject(route.shadow)) checkShadow(route.shadow, target, backends, at, errors, warnings, route.methods);
    errors.push(...checkRollout(route, backends, at));
  }
  return { errors, warnings, urls, patterns };
}

function checkUrl(text: string, env: NodeJS.ProcessEnv): { ok: true; url: URL } | { ok: false; reason: string } {
  const expanded = expandEnv(text, env);
  if (!expanded.ok) return expanded;
  const shown = expanded.value === text ? `"${text}"` : `"${expanded.value}" (from "${text}")`;
  let url: URL;
  try {
    url = new URL(expanded.value);
  } catch {
    return { ok: false, reason: `${shown} is not a URL: write e.g. http://127.0.0.1:5602` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `${shown} must be http:// or https://` };
  if (url.username || url.password) return { ok: false, reason: `${shown} must not hold credentials` };
  if (url.pathname !== '/' || url.search || url.hash || /[?#]/.test(expanded.value)) {
    return { ok: false, reason: `${shown} must be an origin only (no path, query or fragment): write ${url.origin}` };
  }
  return { ok: true, url };
}

function checkMethods(methods: unknown[], path: (string | number)[], errors: Problem[], warnings: Problem[]): void {
  const seen = new Set<string>();
  for (const [j, m] of methods.entries()) {
    if (typeof m !== 'string') continue;
    if (!KNOWN_METHODS.has(m)) {
      const upper = m.toUpperCase();
      errors.push({ path: [...path, j], message: KNOWN_METHODS.has(upper) ? `"${m}": write methods in upper case ("${upper}")` : `"${m}" is not an HTTP method (e.g. GET, POST, PUT, PATCH, DELETE)` });
    } else if (seen.has(m)) {
      warnings.push({ path: [...path, j], message: `"${m}" is listed twice` });
    }
    seen.add(m);
  }
}

function checkShadow(
  shadow: Raw, target: string | undefined, backends: string[], at: (...rest: (string | number)[]) => (string | number)[],
  errors: Problem[], warnings: Problem[], routeMethods: unknown,
): void {
  if (typeof shadow.to === 'string' && backends.length) {
    if (!backends.includes(shadow.to)) errors.push({ path: at('shadow', 'to'), message: unknownName('backend', shadow.to, backends) });
    // A shadowed route is exactly the one a team cuts over next: refusing this would make
    // `strangler cutover` fail. The copy is skipped at run time while it would hit itself.
    else if (shadow.to === target) warnings.push({ path: at('shadow', 'to'), message: `"${shadow.to}" is the target now, so shadowing is paused (a backend is never compared with itself); it resumes when the route goes back` });
  }
  if (Array.isArray(shadow.methods)) {
    checkMethods(shadow.methods, at('shadow', 'methods'), errors, warnings);
    const unsafe = shadow.methods.filter((m): m is string => typeof m === 'string' && UNSAFE_METHODS.has(m));
    if (unsafe.length && shadow.unsafe !== true) {
      errors.push({ path: at('shadow', 'methods'), message: `${unsafe.join(', ')} would be applied twice: both backends write to the same database. Shadow only GET/HEAD, or add "unsafe: true" to the shadow block if the shadow backend writes elsewhere` });
    }
    if (Array.isArray(routeMethods)) {
      const routed = new Set(routeMethods.filter((m): m is string => typeof m === 'string'));
      if (routed.has('GET')) routed.add('HEAD');
      const never = shadow.methods.filter((m): m is string => typeof m === 'string' && KNOWN_METHODS.has(m) && !routed.has(m));
      if (never.length) warnings.push({ path: at('shadow', 'methods'), message: `${never.join(', ')} never reach this route (its methods: ${[...routeMethods].join(', ')}), so are never shadowed` });
    }
  }
  if (Array.isArray(shadow.headers)) {
    for (const [j, h] of shadow.headers.entries()) {
      if (typeof h === 'string' && !HEADER_NAME.test(h)) errors.push({ path: at('shadow', 'headers', j), message: `"${h}" is not a header name` });
    }
  }
  if (Array.isArray(shadow.ignore)) {
    for (const [j, pattern] of shadow.ignore.entries()) {
      const parsed = typeof pattern === 'string' ? parseIgnorePattern(pattern) : undefined;
      if (parsed && !parsed.ok) errors.push({ path: at('shadow', 'ignore', j), message: parsed.reason });
    }
  }
}
