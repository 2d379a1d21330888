import type { BackfillSql } from '../../src/dialect.js';
import type { KeyedTable } from '../../src/model/keyed-table.js';
import { keyRange } from './key-range.js';
import { DB2_LOCK } from './locks.js';
import { quote } from './names.js';
import { ensureQuietVariable, setQuiet } from './quiet-variable.js';

const keyColumns = (source: KeyedTable) => source.key.map(quote).join(', ');

/** The table, aliased `t`, whose key columns type the bounds. */
const typedBy = (source: KeyedTable) => `${quote(source.table)} t`;

export const db2Backfill: BackfillSql = {
  lastKey: (job) => `SELECT ${keyColumns(job)} FROM ${quote(job.table)} ORDER BY ${job.key.map((k) => `${quote(k)} DESC`).join(', ')} FETCH FIRST 1 ROW ONLY`,
  batchEnd(job, hasAfter) {
    const range = keyRange(job.key, '', { after: hasAfter, upTo: true }, typedBy(job));
    return `${range.with} SELECT ${keyColumns(job)} FROM ${quote(job.table)} WHERE ${range.where} ORDER BY ${keyColumns(job)} OFFSET ? ROWS FETCH FIRST 1 ROW ONLY`;
  },
  update(job, hasAfter) {
    const range = keyRange(job.key, '', { after: hasAfter, upTo: true }, typedBy(job));
    const set = Object.entries(job.set).map(([c, e]) => `${quote(c)} = ${e}`).join(', ');
    // A key range, not a list of keys, lets the server walk the table once per batch. OLD TABLE
    // counts the rows updated: FINAL TABLE is refused on a table with an AFTER trigger that
    // changes it (SQL0989N), which the application may have.
    return `${range.with} SELECT COUNT(*) AS "n" FROM OLD TABLE (UPDATE ${quote(job.table)} SET ${set} WHERE ${range.where} AND (${job.where}))`;
  },
  batchLock: DB2_LOCK.batch,
  // The variable is made with the first sync trigger; made here too, a session can always set it.
  quietTriggers: (on) => [ensureQuietVariable(), setQuiet(on)],
};
