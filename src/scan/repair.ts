import type { Database } from '../engine.js';
import { DbtideError } from '../errors.js';
import { retryPolicy, withRetry, type RetryPolicy } from '../execute/retry.js';
import type { ColumnModel, DeclaredSchema, ForeignKeyModel, SchemaModel, TableModel } from '../model/schema-model.js';
import type { Precheck } from '../plan/step.js';
import { keyValues, primaryKeyOf, type Offenders, type RowKey } from './find-offenders.js';
import { SHADOW } from '../model/own-objects.js';
import type { KeyedTable } from '../model/keyed-table.js';

/**
 * `archive` moves offending rows (and the rows that would be orphaned without them) to shadow
 * tables; `delete` removes them; `set-default` gives NULLs the column's declared default.
 */
export type FixMode = 'archive' | 'delete' | 'set-default';

export const REPAIR_DEFAULTS = {
  /** Offending keys listed per query. */
  pageRows: 10_000,
  /** Rows per transaction: short row locks for the application. */
  chunkRows: 500,
};

export interface RepairResult {
  table: string;
  description: string;
  mode: FixMode;
  /** Rows archived, deleted or filled, per table (dependents included). */
  rows: Record<string, number>;
  /** Why the fix does not apply to this rule (set-default on a rule other than NOT NULL, or no default declared). */
  skipped?: string;
}

export interface RepairOptions {
  retry?: Partial<RetryPolicy>;
  onChunk?: (table: string, rows: number) => void;
}

type Referencing = Map<string, { child: string; fk: ForeignKeyModel }[]>;

interface Context {
  db: Database;
  live: SchemaModel;
  /** Archive: the columns copied to each table's shadow table, ready before the chunk began; delete: null. */
  shadows: Map<string, string[]> | null;
  /** Foreign keys (declared, and live ones the declaration does not know) by referenced table. */
  referencing: Referencing;
  rows: Record<string, number>;
}

/** Recursion bound for chains of dependents (and the guard against a cycle of foreign keys). */
const MAX_DEPTH = 16;

export const shadowName = (table: string) => `${SHADOW.prefix}${table}`;

/** Repairs the rows a scan found. Each chunk is one transaction whose counts must add up, or it rolls back. */
export async function repair(db: Database, live: SchemaModel, declared: DeclaredSchema, found: Offenders, mode: FixMode, options: RepairOptions = {}): Promise<RepairResult> {
  const { precheck, key } = found;
  const result: RepairResult = { table: precheck.table, description: precheck.description, mode, rows: {} };
  if (key.length === 0) {
    throw new DbtideError(
      `${precheck.table} has no primary key, so dbtide cannot name the rows that break "${precheck.description}"`,
      1,
      'repair these rows by hand (scan lists the count), then run the phase again',
    );
  }
  if (precheck.rule.kind === 'exclusion') {
    throw new DbtideError(
      `--fix cannot tell which of two colliding ${precheck.table} rows to keep ("${precheck.description}"); nothing was changed`,
      1,
      'scan lists both rows of each colliding pair: change or remove one of each by hand, then run the phase again',
    );
  }
  const fill = mode === 'set-default' ? defaultToFill(declared, precheck) : null;
  if (typeof fill === 'string') throw new DbtideError(fill, 1);
  const links = referencing(declared, live);
  const retry = retryPolicy(db.dialect.runtime, options.retry);
  // Shadow tables are DDL, which commits on MySQL (and with it a chunk's row locks and changes so
  // far): every one a repair may fill is made before the first chunk, never inside one.
  const shadows = mode === 'archive'
    ? await withRetry(retry, db.dialect.runtime.isLockTimeout, () => ensureShadows(db, live, dependentTables(precheck.table, links, live)))
    : null;
  const scan = db.dialect.scan;
  const offenders = scan.offenders(precheck.table, precheck.rule, key);

  let after: unknown[] | null = null;
  for (;;) {
    const page: RowKey[] = await db.conn.query<RowKey>(scan.page(offenders, key, after !== null, REPAIR_DEFAULTS.pageRows), after ?? []);
    for (let i = 0; i < page.length; i += REPAIR_DEFAULTS.chunkRows) {
      const chunk = page.slice(i, i + REPAIR_DEFAULTS.chunkRows);
      // Counted per attempt: a chunk rolled back after a lock timeout is retried from scratch.
      const counts = await withRetry(retry, db.dialect.runtime.isLockTimeout, () =>
        db.conn.transaction(async () => {
          const rows: Record<string, number> = {};
          // Locked and checked again: a row the application repaired meanwhile is left alone.
          const locked = await db.conn.query<RowKey>(scan.lockOffenders(precheck.table, key, chunk.length, offenders), flatten(key, chunk));
          if (locked.length === 0) return rows;
          if (fill) await fillDefaults(db, precheck.table, fill, key, locked, rows);
          else await moveRows({ db, live, shadows, referencing: links, rows }, { table: precheck.table, key }, locked, `breaks "${precheck.description}"`, 0);
          return rows;
        }),
      );
      for (const [table, n] of Object.entries(counts)) add(result.rows, table, n);
      options.onChunk?.(precheck.table, counts[precheck.table] ?? 0);
    }
    if (page.length < REPAIR_DEFAULTS.pageRows) return result;
    after = keyValues(key, page[page.length - 1]!);
  }
}

export const flatten = (key: string[], rows: RowKey[]) => rows.flatMap((r) => keyValues(key, r));

const add = (rows: Record<string, number>, table: string, n: number) => {
  rows[table] = (rows[table] ?? 0) + n;
};

/** Moves rows after the rows that depend on them, so a foreign key already enforced never fires. */
async function moveRows(ctx: Context, source: KeyedTable, rows: RowKey[], reason: string, depth: number): Promise<void> {
  if (depth > MAX_DEPTH) {
    throw new DbtideError(`dependents of ${source.table} nest deeper than ${MAX_DEPTH} tables (a cycle of foreign keys?); nothing was changed`, 1, 'repair these rows by hand');
  }
  const { db } = ctx;
  const keys = flatten(source.key, rows);
  for (const { child, fk } of ctx.referencing.get(source.table) ?? []) {
    const childKey = primaryKeyOf(ctx.live, child);
    if (childKey.length === 0) {
      throw new DbtideError(`${child} references ${source.table} but has no primary key, so its dependent rows cannot be named; nothing was changed`, 1, 'repair these rows by hand');
    }
    const dependents = await db.conn.query<RowKey>(db.dialect.scan.dependents({ table: child, key: childKey }, fk, source.key, rows.length), [...keys, ...keys]);
    if (dependents.length > 0) {
      await moveRows(ctx, { table: child, key: childKey }, dependents, `depends on a ${source.table} row that ${reason}`, depth + 1);
    }
  }
  if (ctx.shadows) {
    // dependentTables followed the same foreign keys: every table that gets this far has its shadow.
    const columns = ctx.shadows.get(source.table)!;
    const [copied] = await db.conn.query<{ n: unknown }>(db.dialect.scan.copyToShadow(source.table, shadowName(source.table), columns, source.key, rows.length), [reason, ...keys]);
    expectRows(Number(copied?.n), rows.length, `copied to ${shadowName(source.table)}`);
  }
  const [deleted] = await db.conn.query<{ n: unknown }>(db.dialect.scan.deleteRows(source.table, source.key, rows.length), keys);
  expectRows(Number(deleted?.n), rows.length, `removed from ${source.table}`);
  add(ctx.rows, source.table, rows.length);
}

function expectRows(actual: number, expected: number, what: string): void {
  if (actual !== expected) {
    throw new DbtideError(`${actual} row(s) ${what}, expected ${expected}; the chunk was rolled back, nothing was lost`, 1, 'run the scan again');
  }
}

/**
 * The table and every table whose rows a repair may move along with its rows, through foreign
 * keys at any depth. A table without a primary key is left out: moveRows refuses it.
 */
function dependentTables(table: string, links: Referencing, live: SchemaModel): string[] {
  const found = new Set([table]);
  for (const parent of found) {
    for (const { child } of links.get(parent) ?? []) if (primaryKeyOf(live, child).length > 0) found.add(child);
  }
  return [...found];
}

/**
 * The shadow tables: each table's columns, all nullable and without defaults (a shadow keeps
 * whatever the rows held), plus when and why each row came. Columns a table gained since are
 * added. Every name is checked before anything is made, so a refusal changes nothing.
 * Returns the columns copied, per table.
 */
export async function ensureShadows(db: Database, live: SchemaModel, tables: string[]): Promise<Map<string, string[]>> {
  const present = new Map<string, { column_name: string; marker: string }[]>();
  for (const table of tables) {
    const name = shadowName(table);
    const columns = await db.conn.query<{ column_name: string; marker: string }>(db.dialect.scan.shadowColumns(name));
    if (columns.length > 0 && !columns[0]!.marker.startsWith(SHADOW.marker)) {
      throw new DbtideError(`a table ${name} exists and is not dbtide's shadow of ${table}; nothing was changed`, 1, `rename that table, or repair with --fix delete`);
    }
    present.set(table, columns);
  }
  const loose = (c: ColumnModel): ColumnModel => ({ ...c, nullable: true, default: null, identity: null });
  const copied = new Map<string, string[]>();
  for (const table of tables.map((t) => live.tables[t]!)) {
    const name = shadowName(table.name);
    const have = new Set(present.get(table.name)!.map((p) => p.column_name));
    if (have.size === 0) {
      const extra: ColumnModel[] = [
        { name: SHADOW.archivedAt, type: { kind: 'timestamp', withTimeZone: true }, nullable: true, default: null, identity: null },
        { name: SHADOW.reason, type: { kind: 'text' }, nullable: true, default: null, identity: null },
      ];
      const shadow: TableModel = { name, columns: [...table.columns.map(loose), ...extra], primaryKey: null, uniques: [], indexes: [], foreignKeys: [], checks: [] };
      // One step where DDL is transactional: a table made and left unmarked would be refused next time.
      await db.conn.transaction(async () => {
        await db.conn.query(db.dialect.compiler.createTable(shadow).sql);
        for (const sql of db.dialect.scan.markShadow(name, table.name)) await db.conn.query(sql);
      });
    } else {
      for (const column of table.columns.filter((c) => !have.has(c.name))) await db.conn.query(db.dialect.compiler.addColumn(name, loose(column)).sql);
    }
    copied.set(table.name, table.columns.map((c) => c.name));
  }
  return copied;
}

/** Declared foreign keys, plus live ones the declaration does not know: deleting a parent must not trip (or cascade) them. */
function referencing(declared: DeclaredSchema, live: SchemaModel): Referencing {
  const byParent: Referencing = new Map();
  const seen = new Set<string>();
  for (const model of [declared.model, live]) {
    for (const table of Object.values(model.tables)) {
      if (!(table.name in live.tables)) continue;
      for (const fk of table.foreignKeys) {
        const id = `${table.name}(${fk.columns.join(',')})->${fk.referencedTable}(${fk.referencedColumns.join(',')})`;
        if (seen.has(id) || !(fk.referencedTable in live.tables)) continue;
        seen.add(id);
        byParent.set(fk.referencedTable, [...(byParent.get(fk.referencedTable) ?? []), { child: table.name, fk }]);
      }
    }
  }
  return byParent;
}

/** The declared column whose default fills the NULLs a rule finds, or why there is none. */
export function defaultToFill(declared: DeclaredSchema, precheck: Precheck): ColumnModel | string {
  const rule = precheck.rule;
  if (rule.kind !== 'not-null') return `--fix set-default repairs NULLs only; "${precheck.description}" needs --fix archive or delete`;
  const column = declared.model.tables[precheck.table]?.columns.find((c) => c.name === rule.columns[0]);
  return column?.default ? column : `${precheck.table}.${rule.columns[0]} has no declared default; declare one, or use --fix archive`;
}

async function fillDefaults(db: Database, table: string, column: ColumnModel, key: string[], rows: RowKey[], counts: Record<string, number>): Promise<void> {
  const [filled] = await db.conn.query<{ n: unknown }>(db.dialect.scan.fillDefault(table, column, key, rows.length), flatten(key, rows));
  add(counts, table, Number(filled?.n ?? 0));
}
