import { openDatabase, type SqliteDatabase } from '../../../lib/sqlite.js';

export interface RowSample {
  /** The row's key: its primary key columns (or rowid), as `id=7`. */
  readonly key: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** changed: the columns that differ, with each side's value. */
  readonly columns?: Readonly<Record<string, { readonly legacy: unknown; readonly new: unknown }>>;
}

export interface TableDifference {
  readonly table: string;
  /** A table only one side has. */
  readonly only?: 'legacy' | 'new';
  /** Rows the new side's copy has and the legacy side's does not. */
  readonly added: number;
  /** Rows the legacy side's copy has and the new side's does not. */
  readonly removed: number;
  readonly changed: number;
  /** Columns that differ in changed rows, with how many rows each. */
  readonly columns: Readonly<Record<string, number>>;
  /** Columns one side's table lacks. */
  readonly schema: readonly string[];
  /** The first few differing rows. */
  readonly samples: readonly RowSample[];
}

export interface CompareDatabasesOptions {
  readonly skipTables?: readonly string[];
  /** Per table; `*` applies to every table. */
  readonly ignoreColumns?: Readonly<Record<string, readonly string[]>>;
  readonly maxSamples?: number;
}

export interface DatabaseComparison {
  /** Tables compared (present on both sides, not skipped). */
  readonly compared: readonly string[];
  readonly differences: readonly TableDifference[];
}

/**
 * Compares two SQLite files table by table, as the legacy side and the new side left them:
 * rows are matched by primary key (rowid where there is none); declared columns and tables
 * are left out (timestamps, password hashes, sessions). Read-only on both files.
 */
export function compareDatabases(legacyPath: string, newPath: string, options: CompareDatabasesOptions = {}): DatabaseComparison {
  const a = openDatabase(legacyPath, { readonly: true });
  const b = openDatabase(newPath, { readonly: true });
  try {
    const skip = new Set(options.skipTables ?? []);
    const ta = new Set(tables(a).filter((t) => !skip.has(t)));
    const tb = new Set(tables(b).filter((t) => !skip.has(t)));
    const compared: string[] = [];
    const differences: TableDifference[] = [];
    const none = { added: 0, removed: 0, changed: 0, columns: {}, schema: [], samples: [] };
    for (const t of [...new Set([...ta, ...tb])].sort()) {
      if (!tb.has(t)) differences.push({ table: t, only: 'legacy', ...none });
      else if (!ta.has(t)) differences.push({ table: t, only: 'new', ...none });
      else {
        compared.push(t);
        const ignored = new Set([...(options.ignoreColumns?.['*'] ?? []), ...(options.ignoreColumns?.[t] ?? [])]);
        const d = compareTable(a, b, t, ignored, options.maxSamples ?? 5);
        if (d) differences.push(d);
      }
    }
    return { compared, differences };
  } finally {
    a.close();
    b.close();
  }
}

function tables(db: SqliteDatabase): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

interface ColumnInfo { name: string; pk: number }

function columnsOf(db: SqliteDatabase, table: string): ColumnInfo[] {
  return db.prepare(`SELECT name, pk FROM pragma_table_info(?)`).all(table) as ColumnInfo[];
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function compareTable(a: SqliteDatabase, b: SqliteDatabase, table: string, ignored: ReadonlySet<string>, maxSamples: number): TableDifference | undefined {
  const ca = columnsOf(a, table);
  const cb = columnsOf(b, table);
  const namesB = new Set(cb.map((c) => c.name));
  const namesA = new Set(ca.map((c) => c.name));
  const schema = [...ca.filter((c) => !namesB.has(c.name)).map((c) => `${c.name} (legacy only)`), ...cb.filter((c) => !namesA.has(c.name)).map((c) => `${c.name} (new only)`)]
    .filter((s) => !ignored.has(s.split(' ')[0] as string));
  const pk = ca.filter((c) => c.pk > 0 && namesB.has(c.name)).sort((x, y) => x.pk - y.pk).map((c) => c.name);
  const keyColumns = pk.length ? pk : ['rowid'];
  const compared = ca.filter((c) => namesB.has(c.name) && !ignored.has(c.name) && !keyColumns.includes(c.name)).map((c) => c.name);
  const select = `SELECT ${[...keyColumns, ...compared].map(quote).join(', ')} FROM ${quote(table)}`;
  const keyOf = (row: Record<string, unknown>) => keyColumns.map((k) => `${k}=${String(row[k])}`).join(',');

  const legacyRows = new Map<string, Record<string, unknown>>();
  for (const row of a.prepare(select).iterate() as Iterable<Record<string, unknown>>) legacyRows.set(keyOf(row), row);
  let added = 0;
  let removed = 0;
  let changed = 0;
  const columns: Record<string, number> = {};
  const samples: RowSample[] = [];
  for (const row of b.prepare(select).iterate() as Iterable<Record<string, unknown>>) {
    const key = keyOf(row);
    const old = legacyRows.get(key);
    if (!old) {
      added++;
      if (samples.length < maxSamples) samples.push({ key, kind: 'added' });
      continue;
    }
    legacyRows.delete(key);
    const differing: Record<string, { legacy: unknown; new: unknown }> = {};
    for (const c of compared) {
      if (!sameValue(old[c], row[c])) {
        differing[c] = { legacy: shown(old[c]), new: shown(row[c]) };
        columns[c] = (columns[c] ?? 0) + 1;
      }
    }
    if (Object.keys(differing).length) {
      changed++;
      if (samples.length < maxSamples) samples.push({ key, kind: 'changed', columns: differing });
    }
  }
  for (const key of legacyRows.keys()) {
    removed++;
    if (samples.length < maxSamples) samples.push({ key, kind: 'removed' });
  }
  if (!added && !removed && !changed && !schema.length) return undefined;
  return { table, added, removed, changed, columns, schema, samples };
}

function sameValue(x: unknown, y: unknown): boolean {
  if (Buffer.isBuffer(x) && Buffer.isBuffer(y)) return x.equals(y);
  return x === y;
}

function shown(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return `<${v.length} bytes>`;
  if (typeof v === 'string' && v.length > 200) return `${v.slice(0, 200)}…`;
  if (typeof v === 'bigint') return v.toString();
  return v;
}
