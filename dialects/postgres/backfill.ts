import type { BackfillJob, BackfillSql } from '../../src/dialect.js';
import { quote } from './compiler.js';

const keyList = (job: BackfillJob, alias = '') => job.key.map((k) => `${alias}${quote(k)}`).join(', ');
const params = (from: number, count: number) => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');

/** The GUC dbtide's triggers read to tell the backfill's own writes from the application's. */
export const QUIET_SETTING = 'dbtide.backfill';

export const postgresBackfill: BackfillSql = {
  lastKey: (job) => `SELECT ${keyList(job)} FROM ${quote(job.table)} ORDER BY ${job.key.map((k) => `${quote(k)} DESC`).join(', ')} LIMIT 1`,
  batch(job, hasAfter) {
    const n = job.key.length;
    const key = `(${keyList(job)})`;
    const upTo = params(hasAfter ? n + 1 : 1, n);
    const limit = `$${hasAfter ? 2 * n + 1 : n + 1}`;
    const range = [...(hasAfter ? [`${key} > (${params(1, n)})`] : []), `${key} <= (${upTo})`].join(' AND ');
    const set = Object.entries(job.set).map(([c, e]) => `${quote(c)} = ${e}`).join(', ');
    // The batch's keys and the query's own names carry dbtide's prefix, so the job's expressions can
    // name the row's columns plainly and no table name collides with them.
    const alias = (i: number) => `_dbtide_k${i}`;
    const picked = job.key.map((k, i) => `${quote(k)} AS ${alias(i)}`).join(', ');
    const matches = job.key.map((k, i) => `${quote(job.table)}.${quote(k)} = _dbtide_batch.${alias(i)}`).join(' AND ');
    const last = job.key.map((k, i) => `${alias(i)} AS ${quote(k)}`).join(', ');
    const descending = job.key.map((_, i) => `${alias(i)} DESC`).join(', ');
    // Row comparisons on the key use its index; one statement per batch keeps each commit small.
    return (
      `WITH _dbtide_batch AS (SELECT ${picked} FROM ${quote(job.table)} WHERE ${range} ORDER BY ${keyList(job)} LIMIT ${limit}), ` +
      `_dbtide_updated AS (UPDATE ${quote(job.table)} SET ${set} FROM _dbtide_batch WHERE ${matches} RETURNING 1) ` +
      `SELECT (SELECT count(*) FROM _dbtide_updated) AS n, ${last} FROM ` +
      `(SELECT * FROM _dbtide_batch ORDER BY ${descending} LIMIT 1) _dbtide_last`
    );
  },
  quietTriggers: (on) => [`SET ${QUIET_SETTING} = '${on ? 'on' : 'off'}'`],
};
