import type { Database } from '../engine.js';
import { DbtideError } from '../errors.js';
import type { PrecheckRule } from '../model/precheck-rule.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import type { ColumnSync } from '../model/transition.js';
import { primaryKeyOf, type RowKey } from '../scan/find-offenders.js';
import { ensureShadows, flatten, shadowName } from '../scan/repair.js';
import type { Removal } from './created-objects.js';

/**
 * Rows that hold data only the withdrawn release has: the rows of a table it created, and in a
 * column it added, the values that nothing of the earlier release holds. A column a dual write
 * mirrors into the old ones (a rename, a type change, a derive with a backward expression) loses
 * nothing; a fill or a derive without one loses the rows whose value is not what the earlier
 * columns compute; any other new column, its values.
 */
export interface NewData {
  /** `table extra`, `column people.city_code`. */
  object: string;
  /** The table that holds the rows, under its live name. */
  table: string;
  /** Rows at risk break this rule (a check whose offenders are those rows). */
  rule: PrecheckRule;
  /** Rows counted, or the table's estimate where counting would read more than EXACT_COUNT_ROWS. */
  rows: number;
  exact: boolean;
}

/** Up to this estimate a count of the rows at risk is cheap enough to run while planning. */
export const EXACT_COUNT_ROWS = 1_000_000;

/** A check no row passes: every row of the table is at risk. */
const EVERY_ROW = '1 = 0';

/** The transitions the withdrawn release declares, by new column: what tells a mirrored column from one holding its own data. */
function syncsByColumn(from: DeclaredSchema | null): Map<string, ColumnSync> {
  const byColumn = new Map<string, ColumnSync>();
  for (const t of from?.transitions ?? []) {
    if (t.kind !== 'column-sync') continue;
    for (const column of [...Object.keys(t.forward), ...(t.swap ? [t.swap.shadow] : [])]) byColumn.set(`${t.table}.${column}`, t);
  }
  return byColumn;
}

/**
 * The rule whose offenders are the rows a removal loses; null when it loses none. `quote` is the
 * dialect's. Without the withdrawn release's declaration every value of a new column counts.
 */
function atRisk(removal: Removal, syncs: Map<string, ColumnSync>, quote: (name: string) => string): { object: string; table: string; check: string } | null {
  if (removal.kind === 'table') return { object: `table ${removal.table}`, table: removal.table, check: EVERY_ROW };
  if (removal.kind !== 'column') return null;
  const { live, column } = removal;
  const object = `column ${live}.${column}`;
  const sync = syncs.get(`${live}.${column}`);
  const q = quote(column);
  if (!sync) return { object, table: live, check: `${q} IS NULL` };
  if (sync.swap || Object.keys(sync.backward).length > 0) return null;
  const computed = sync.forward[column]!;
  return { object, table: live, check: `${q} IS NULL OR ((${computed}) IS NOT NULL AND ${q} = (${computed}))` };
}

/** Counts the rows each removal would lose, exactly where the table is small enough. */
export async function newDataOf(db: Database, removals: Removal[], from: DeclaredSchema | null, estimates: Record<string, number>): Promise<NewData[]> {
  const syncs = syncsByColumn(from);
  const found: NewData[] = [];
  for (const removal of removals) {
    const risk = atRisk(removal, syncs, db.dialect.compiler.quote);
    if (!risk) continue;
    const rule: PrecheckRule = { kind: 'check', check: { name: `rollback ${risk.object}`, expression: risk.check, validated: true } };
    const estimate = estimates[risk.table] ?? 0;
    if (estimate > EXACT_COUNT_ROWS) {
      found.push({ object: risk.object, table: risk.table, rule, rows: estimate, exact: false });
      continue;
    }
    const [row] = await db.conn.query<{ n: unknown }>(db.dialect.scan.count(db.dialect.scan.offenders(risk.table, rule, [])));
    found.push({ object: risk.object, table: risk.table, rule, rows: Number(row?.n ?? 0), exact: true });
  }
  return found;
}

/** Rows copied per statement. */
const ARCHIVE_CHUNK = 500;

/**
 * Copies the rows at risk into `shadow_<table>` (whole rows, with the time and `reason`), as
 * `scan --fix archive` keeps rows, in one transaction with `record`, which journals the copy:
 * a rollback stopped later finds it done and does not copy the rows twice.
 */
export async function archive(db: Database, live: SchemaModel, data: NewData, reason: string, record: () => Promise<void>): Promise<number> {
  const key = primaryKeyOf(live, data.table);
  if (key.length === 0) {
    throw new DbtideError(
      `--archive cannot name the rows of ${data.table}, which has no primary key; nothing was changed`,
      1,
      `copy what ${data.object} holds by hand, then run rollback with --discard-new-data`,
    );
  }
  const columns = (await ensureShadows(db, live, [data.table])).get(data.table)!;
  const { scan } = db.dialect;
  const offenders = scan.offenders(data.table, data.rule, key);
  return db.conn.transaction(async () => {
    let copied = 0;
    let after: RowKey | null = null;
    for (;;) {
      const page: RowKey[] = await db.conn.query<RowKey>(scan.page(offenders, key, after !== null, ARCHIVE_CHUNK), after ? key.map((k) => after![k]) : []);
      if (page.length === 0) break;
      const [n] = await db.conn.query<{ n: unknown }>(scan.copyToShadow(data.table, shadowName(data.table), columns, key, page.length), [reason, ...flatten(key, page)]);
      copied += Number(n?.n ?? 0);
      after = page.at(-1)!;
      if (page.length < ARCHIVE_CHUNK) break;
    }
    await record();
    return copied;
  });
}
