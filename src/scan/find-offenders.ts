import type { Database } from '../engine.js';
import type { SchemaModel } from '../model/schema-model.js';
import { type Precheck } from '../plan/step.js';
import { isRowLocal, type PrecheckKind } from '../model/precheck-rule.js';
import { nextRange, walkEnd } from '../execute/key-ranges.js';

/** A row's primary key: column -> value. */
export type RowKey = Record<string, unknown>;

/** The rows that break one precheck, as scan reports them and a refused phase carries them. */
export interface ScanFinding {
  table: string;
  kind: PrecheckKind;
  description: string;
  count: number;
  /** The table's primary key, and the first offending rows' values of it. */
  key: string[];
  keys: RowKey[];
}

export const SCAN_DEFAULTS = {
  /** Rows per key range: each range is one short statement, so no scan holds a snapshot for long. */
  batchRows: 50_000,
  /** Offending keys reported by a phase's precheck. */
  sample: 5,
};

export interface FindOptions {
  batchRows?: number;
  /** How many offending keys to return, first in key order. */
  limit?: number;
}

export interface Offenders {
  precheck: Precheck;
  /** The table's primary key; empty when it has none (then no keys can be listed). */
  key: string[];
  count: number;
  keys: RowKey[];
}

export const primaryKeyOf = (live: SchemaModel, table: string) => live.tables[table]?.primaryKey?.columns ?? [];

export const keyValues = (key: string[], row: RowKey) => key.map((k) => row[k]);

/** `id=3` or `(tenant=1, id=3)`: how an offending row is named to an operator. */
export function describeKey(key: string[], row: RowKey): string {
  const parts = key.map((k) => `${k}=${String(row[k])}`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(', ')})`;
}

/**
 * Counts the rows that break a precheck and lists the first of them. Row-local rules are scanned
 * in primary-key ranges (one short statement each, walking the key index); duplicates need the
 * whole column, in one statement that an index on it serves.
 */
export async function findOffenders(db: Database, live: SchemaModel, precheck: Precheck, options: FindOptions = {}): Promise<Offenders> {
  const key = primaryKeyOf(live, precheck.table);
  const limit = key.length > 0 ? (options.limit ?? SCAN_DEFAULTS.sample) : 0;
  const scan = db.dialect.scan;
  const offenders = scan.offenders(precheck.table, precheck.rule, key);
  if (key.length === 0 || !isRowLocal(precheck.rule)) {
    const [row] = await db.conn.query<{ n: unknown }>(scan.count(offenders));
    const keys = limit > 0 ? await db.conn.query<RowKey>(scan.page(offenders, key, false, limit)) : [];
    return { precheck, key, count: Number(row?.n ?? 0), keys };
  }

  const batchRows = Math.max(1, options.batchRows ?? SCAN_DEFAULTS.batchRows);
  const source = { table: precheck.table, key };
  const upper = await walkEnd(db.conn, db.dialect, source);
  const result: Offenders = { precheck, key, count: 0, keys: [] };
  if (!upper) return result;
  let after: unknown[] | null = null;
  for (;;) {
    const { after: from, end, last } = await nextRange(db.conn, db.dialect, source, after, upper, batchRows);
    const [counted] = await db.conn.query<{ n: unknown }>(scan.countInRange(precheck.table, precheck.rule, key, after !== null), [...from, ...end]);
    const n = Number(counted?.n ?? 0);
    result.count += n;
    const wanted = Math.min(n, limit - result.keys.length);
    // The first `wanted` offenders after the range's start all lie in the range, so this stops there.
    if (wanted > 0) result.keys.push(...(await db.conn.query<RowKey>(scan.page(offenders, key, after !== null, wanted), from)));
    if (last) return result;
    after = end;
  }
}
