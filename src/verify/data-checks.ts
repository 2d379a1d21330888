import { createHash } from 'node:crypto';
import type { Database } from '../engine.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import { syncSpec } from '../plan/operations/column-sync.js';
import type { Precheck } from '../plan/step.js';
import { describeKey, findOffenders } from '../scan/find-offenders.js';

/** Exact row counts of every table (verify-chain's scratch databases are small). */
export async function rowCounts(db: Database, live: SchemaModel): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of Object.keys(live.tables)) {
    const [row] = await db.conn.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${db.dialect.compiler.quote(table)}`);
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}

export interface RoundTrip {
  description: string;
  /** Rows whose old columns differ from what the new columns give back. */
  count: number;
  sample: string[];
}

/**
 * After the backfill and before contract drops the old columns: does every row come back from
 * the new columns (through the backward expressions, or a cast back for a type change)? A
 * transition without a way back cannot be judged and is left out.
 */
export async function roundTrips(db: Database, live: SchemaModel, declared: DeclaredSchema): Promise<RoundTrip[]> {
  const { quote, cast } = db.dialect.compiler;
  const trips: RoundTrip[] = [];
  for (const t of declared.transitions) {
    if (t.kind !== 'column-sync') continue;
    const columns = live.tables[t.table]?.columns ?? [];
    const oldType = t.swap ? columns.find((c) => c.name === t.swap!.column)?.type : undefined;
    const back = t.swap ? (oldType ? { [t.swap.column]: cast(quote(t.swap.shadow), oldType) } : {}) : syncSpec(t, { sql: db.dialect.compiler }).backward;
    const needed = [...Object.keys(back), ...(t.swap ? [t.swap.shadow] : Object.keys(t.forward))];
    if (Object.keys(back).length === 0 || !needed.every((n) => columns.some((c) => c.name === n))) continue;
    const description = `${t.declaredAs} on ${t.table} (${Object.entries(back).map(([c, e]) => `${c} = ${e}`).join(', ')})`;
    const precheck: Precheck = {
      kind: 'verification',
      table: t.table,
      columns: Object.keys(back),
      description,
      rule: { kind: 'verification', sync: { table: t.table, trigger: t.trigger, forward: back, backward: {}, fillOnly: false, sources: [] }, exact: true },
    };
    const found = await findOffenders(db, live, precheck);
    trips.push({ description, count: found.count, sample: found.keys.map((k) => describeKey(found.key, k)) });
  }
  return trips;
}

/**
 * A digest of each table's rows as `model` declares it (its columns, in primary-key order): equal
 * digests mean no row of those columns changed. Read through the declared names, so a table
 * renamed since is read through the view that keeps its old name.
 */
export async function rowDigests(db: Database, model: SchemaModel): Promise<Record<string, string>> {
  const { quote } = db.dialect.compiler;
  const digests: Record<string, string> = {};
  for (const table of Object.values(model.tables)) {
    const columns = table.columns.map((c) => quote(c.name));
    const order = table.primaryKey?.columns.map(quote) ?? columns;
    const rows = await db.conn.query(`SELECT ${columns.join(', ')} FROM ${quote(table.name)} ORDER BY ${order.join(', ')}`);
    digests[table.name] = createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  }
  return digests;
}
