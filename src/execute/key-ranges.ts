import type { Connection, Dialect } from '../dialect.js';
import type { KeyedTable } from '../model/keyed-table.js';

/**
 * A table walked in primary-key order, range by range, up to the last key it had when the walk
 * began: rows inserted later lie beyond it (the backfill leaves them to the trigger, a scan to the
 * precheck under lock). The backfill and the scan walk the same way; only what they do per range differs.
 */

/** The key the walk ends at, or null for an empty table. */
export async function walkEnd(conn: Connection, dialect: Pick<Dialect, 'backfill'>, source: KeyedTable): Promise<unknown[] | null> {
  const [last] = await conn.query<Record<string, unknown>>(dialect.backfill.lastKey(source));
  return last ? source.key.map((k) => last[k]) : null;
}

export interface KeyRange {
  /** Values of the key the range starts after; empty for the first range. */
  after: unknown[];
  /** The range's last key, included. */
  end: unknown[];
  /** The range reaches the walk's end. */
  last: boolean;
}

/** The next range of at most `rows` rows after `after` (null: from the start), ending no later than `upper`. */
export async function nextRange(
  conn: Connection,
  dialect: Pick<Dialect, 'backfill'>,
  source: KeyedTable,
  after: unknown[] | null,
  upper: unknown[],
  rows: number,
): Promise<KeyRange> {
  const from = after ?? [];
  const [endRow] = await conn.query<Record<string, unknown>>(dialect.backfill.batchEnd(source, after !== null), [...from, ...upper, rows - 1]);
  const end = endRow ? source.key.map((k) => endRow[k]) : upper;
  // A range that ends on the last key is the last: another would find no row.
  return { after: from, end, last: !endRow || sameKey(end, upper) };
}

/** Two keys as the driver read them: the same values, of the same types. */
export const sameKey = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);
