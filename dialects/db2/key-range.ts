import { quote } from './names.js';
import { keysetBeyond } from '../../src/dialect-kit/keyset-order.js';

/**
 * Keyset ranges without row-value comparisons, which Db2 lacks: `(a, b) > (x1, x2)` is spelled
 * column by column, `a > x1 OR (a = x1 AND b > x2)`, which names each bound more than once, while
 * the core passes each bound once, in order. So the bounds come in as a one-row common table
 * expression, read by scalar subqueries (uncorrelated: evaluated once, usable as index start and
 * stop keys).
 *
 * Db2 refuses an untyped parameter marker in a select list or VALUES. Here each marker takes its
 * type from the key column it stands for: the VALUES row is a UNION ALL operand under a SELECT of
 * the key columns that finds no row, and Db2 types an untyped operand of a set operation by the
 * other operand's column.
 */
const BOUNDS = 'DBTIDE_K';

const names = (prefix: 'A' | 'U', key: string[]) => key.map((_, i) => `DBTIDE_${prefix}${i + 1}`);

export interface KeyRange {
  /** `WITH DBTIDE_K (...) AS (...)`, to put in front of the statement. */
  with: string;
  /** The condition on the key columns of `alias` (or unqualified, with `alias` ''). */
  where: string;
}

/**
 * The rows after `after` (when `ends.after`) and up to and including `upTo` (when `ends.upTo`).
 * Parameters: the `after` values, then the `upTo` values. `typedBy` is a FROM clause item whose
 * rows have the key columns under their names (the table, or a derived table), aliased `t`.
 */
export function keyRange(key: string[], alias: string, ends: { after: boolean; upTo: boolean }, typedBy: string): KeyRange {
  const used = [...(ends.after ? names('A', key) : []), ...(ends.upTo ? names('U', key) : [])];
  const columns = key.map((k) => (alias ? `${alias}.${quote(k)}` : quote(k)));
  const bound = (prefix: 'A' | 'U') => names(prefix, key).map((n) => `(SELECT ${n} FROM ${BOUNDS})`);
  const typed = [...(ends.after ? key : []), ...(ends.upTo ? key : [])].map((k) => `t.${quote(k)}`);
  return {
    with:
      `WITH ${BOUNDS} (${used.join(', ')}) AS (SELECT ${typed.join(', ')} FROM ${typedBy} WHERE 1 = 0 ` +
      `UNION ALL VALUES (${used.map(() => '?').join(', ')}))`,
    where: [
      ...(ends.after ? [keysetBeyond(columns, bound('A'), '>', '>')] : []),
      ...(ends.upTo ? [keysetBeyond(columns, bound('U'), '<', '<=')] : []),
    ].join(' AND '),
  };
}

/**
 * The listed rows: `count` keys of `key.length` parameters each, row by row. Without row values,
 * a key of several columns is a disjunction of its rows; each marker is typed by its column.
 */
export function keyList(alias: string, key: string[], count: number): string {
  const column = (k: string) => (alias ? `${alias}.${quote(k)}` : quote(k));
  if (key.length === 1) return `${column(key[0]!)} IN (${Array.from({ length: count }, () => '?').join(', ')})`;
  const row = `(${key.map((k) => `${column(k)} = ?`).join(' AND ')})`;
  return `(${Array.from({ length: count }, () => row).join(' OR ')})`;
}
