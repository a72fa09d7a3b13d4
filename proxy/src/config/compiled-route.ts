import type { PathPattern } from './path-pattern.js';
import type { RouteConfig, RouteMatch } from './types.js';

/** A route ready for the hot path: compiled patterns, a method set, and a prebuilt match per pattern. */
export interface CompiledRoute {
  readonly route: RouteConfig;
  readonly patterns: readonly PathPattern[];
  readonly matches: readonly RouteMatch[];
  /** undefined: every method. GET implies HEAD, as in Express. */
  readonly methods: ReadonlySet<string> | undefined;
}

export function methodAllowed(methods: ReadonlySet<string> | undefined, method: string): boolean {
  return methods === undefined || methods.has(method) || (method === 'HEAD' && methods.has('GET'));
}

export function compileRoute(route: RouteConfig, patterns: ReadonlyMap<string, PathPattern>): CompiledRoute {
  const compiled = route.paths.map((p) => {
    const pattern = patterns.get(p);
    if (!pattern) throw new Error(`pattern ${p} was not compiled`);
    return pattern;
  });
  return Object.freeze({
    route,
    patterns: Object.freeze(compiled),
    matches: Object.freeze(compiled.map((p) => Object.freeze({ route, pattern: p.source }))),
    methods: route.methods ? new Set(route.methods) : undefined,
  });
}
