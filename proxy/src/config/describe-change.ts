import type { CanaryConfig } from './types.js';

/** The wording shared by cutover output, the proxy's reload log and diffTables. */
export function describeTargetChange(route: string, before: string, after: string): string {
  return `${route}: ${before} -> ${after}`;
}

export function describeCanaryChange(route: string, before: CanaryConfig | undefined, after: CanaryConfig | undefined): string | undefined {
  if (!before && !after) return undefined;
  if (!before && after) return `${route}: canary ${after.percent}% -> ${after.to}`;
  if (before && !after) return `${route}: canary ${before.to} ${before.percent}% removed`;
  if (before && after) {
    if (before.to !== after.to) return `${route}: canary ${before.to} ${before.percent}% -> ${after.to} ${after.percent}%`;
    if (before.percent !== after.percent) return `${route}: canary ${after.to} ${before.percent}% -> ${after.percent}%`;
  }
  return undefined;
}
