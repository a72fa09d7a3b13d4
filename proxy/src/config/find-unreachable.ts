import { methodAllowed, type CompiledRoute } from './compiled-route.js';
import { patternCovers } from './path-pattern.js';
import type { Problem } from './problem.js';

const ALL = '*';

/**
 * Warnings for routes (and single paths) that can never match because earlier routes
 * take every (path, method) they accept. Coverage is checked pattern against pattern, so
 * it never warns wrongly; a path covered only by several earlier patterns together is not
 * reported.
 */
export function findUnreachable(routes: readonly CompiledRoute[]): Problem[] {
  const warnings: Problem[] = [];
  for (const [i, current] of routes.entries()) {
    const earlier = routes.slice(0, i);
    const methods = current.methods ? [...current.methods] : [ALL];
    if (current.methods?.has('GET') && !current.methods.has('HEAD')) methods.push('HEAD');
    const takenBy = current.patterns.map((p) => {
      const owners = new Set<string>();
      for (const m of methods) {
        const owner = earlier.find((e) => (m === ALL ? e.methods === undefined : methodAllowed(e.methods, m)) && e.patterns.some((q) => patternCovers(q, p)));
        if (!owner) return undefined;
        owners.add(`${owner.route.name} (routes[${owner.route.index}])`);
      }
      return [...owners];
    });
    if (takenBy.every((t) => t !== undefined)) {
      const owners = [...new Set(takenBy.flat())].join(', ');
      warnings.push({ path: ['routes', i], message: `route "${current.route.name}" can never match: every request it accepts is taken first by ${owners}; move it above, or remove it` });
      continue;
    }
    for (const [j, owners] of takenBy.entries()) {
      if (owners) warnings.push({ path: ['routes', i, 'paths', j], message: `"${current.patterns[j]?.source}" can never match here: ${owners.join(', ')} takes it first` });
    }
  }
  return warnings;
}
