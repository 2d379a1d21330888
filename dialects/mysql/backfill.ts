import type { BackfillSql } from '../../src/dialect.js';
import { keysetBeyond } from '../../src/dialect-kit/keyset-order.js';
import { MYSQL_LOCK } from './locks.js';
import { quote } from './compiler.js';
import type { KeyedTable } from '../../src/model/keyed-table.js';

/** The session variable dbtide's triggers read to tell the backfill's own writes from the application's. */
export const QUIET_VARIABLE = '@dbtide_backfill';

/** The derived table that carries a range's bounds. */
const BOUNDS = '_dbtide_k';

const qualified = (alias: string, key: string[]) => key.map((k) => `${alias}.${quote(k)}`);

/**
 * The rows of `alias` after `after` and up to and including `upTo`, whichever `ends` asks for, in
 * key order.
 *
 * MariaDB 10.11 walks no index for a row comparison `(a, b) > (?, ?)`: it reads the whole key,
 * and an UPDATE locks what it reads (MySQL documents range access for row constructors only in
 * IN lists). So the range is spelled column by column, which names each bound more than once,
 * while the core passes each bound once, in order. The bounds therefore come in as a one-row
 * derived table, which both servers read before planning: to the range optimizer its columns are
 * constants. `from` joins it to the table; its columns are `_dbtide_` names, so a bare column
 * name in an expression still means the table's.
 */
export function keyRange(key: string[], alias: string, ends: { after: boolean; upTo: boolean }): { from: string; where: string } {
  const names = (prefix: string) => key.map((_, i) => `_dbtide_${prefix}${i + 1}`);
  const used = [...(ends.after ? names('a') : []), ...(ends.upTo ? names('u') : [])];
  const bound = (prefix: string) => names(prefix).map((n) => `${BOUNDS}.${n}`);
  const columns = qualified(alias, key);
  return {
    from: `(SELECT ${used.map((n) => `? AS ${n}`).join(', ')}) AS ${BOUNDS}`,
    where: [
      ...(ends.after ? [keysetBeyond(columns, bound('a'), '>', '>')] : []),
      ...(ends.upTo ? [keysetBeyond(columns, bound('u'), '<', '<=')] : []),
    ].join(' AND '),
  };
}

const keyList = (source: KeyedTable) => source.key.map(quote).join(', ');

export const mysqlBackfill: BackfillSql = {
  lastKey: (job) => `SELECT ${keyList(job)} FROM ${quote(job.table)} ORDER BY ${job.key.map((k) => `${quote(k)} DESC`).join(', ')} LIMIT 1`,
  batchEnd(job, hasAfter) {
    const table = quote(job.table);
    const { from, where } = keyRange(job.key, table, { after: hasAfter, upTo: true });
    // mysql2 writes the parameters into the text, so the offset arrives as a number literal.
    return `SELECT ${qualified(table, job.key).join(', ')} FROM ${table}, ${from} WHERE ${where} ORDER BY ${qualified(table, job.key).join(', ')} LIMIT 1 OFFSET ?`;
  },
  update(job, hasAfter) {
    const table = quote(job.table);
    const { from, where } = keyRange(job.key, table, { after: hasAfter, upTo: true });
    // A key range, not a list of keys, lets the server walk the table once per batch. The driver
    // answers `n`: the rows matched, changed or not.
    const set = Object.entries(job.set).map(([c, e]) => `${table}.${quote(c)} = ${e}`).join(', ');
    return `UPDATE ${table}, ${from} SET ${set} WHERE ${where} AND (${job.where})`;
  },
  batchLock: MYSQL_LOCK.batch,
  quietTriggers: (on) => [`SET ${QUIET_VARIABLE} = ${on ? "'on'" : 'NULL'}`],
};
