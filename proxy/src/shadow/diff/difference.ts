import { previewValue } from './canonical-json.js';

/**
 * - `changed`: same type, other value;
 * - `missing`: the primary has it, the shadow does not;
 * - `added`: the shadow has it, the primary does not;
 * - `type`: other JSON types (a number against a numeric string is one).
 */
export type DifferenceKind = 'changed' | 'missing' | 'added' | 'type';

/**
 * One difference. `path` is a JSON path (`$[3].email`) or, outside the body, `status`,
 * `content-type`, `header:<name>` or `body` (a non-JSON body). A side that does not have
 * the field has no value (the key is absent, not null).
 */
export interface Difference {
  readonly path: string;
  readonly kind: DifferenceKind;
  readonly primary?: unknown;
  readonly shadow?: unknown;
}

export const DEFAULT_MAX_DIFFERENCES = 100;

/** Keeps the first `max` differences and counts the rest, so a huge body stays cheap. */
export class DifferenceList {
  readonly items: Difference[] = [];
  omitted = 0;

  constructor(private readonly max = DEFAULT_MAX_DIFFERENCES, private readonly drop: (path: string) => boolean = () => false) {}

  add(path: string, kind: DifferenceKind, primary: unknown, shadow: unknown): void {
    if (this.drop(path)) return;
    if (this.items.length >= this.max) {
      this.omitted++;
      return;
    }
    this.items.push({
      path,
      kind,
      ...(primary === undefined ? {} : { primary: previewValue(primary) }),
      ...(shadow === undefined ? {} : { shadow: previewValue(shadow) }),
    });
  }

  get size(): number {
    return this.items.length + this.omitted;
  }
}
