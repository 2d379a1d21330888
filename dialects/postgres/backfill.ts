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
    // The batch's keys get names of their own, so the job's expressions can name the row's columns plainly.
    const alias = (i: number) => `_dbtide_k${i}`;
    const picked = job.key.map((k, i) => `${quote(k)} AS ${alias(i)}`).join(', ');
    const matches = job.key.map((k, i) => `${quote(job.table)}.${quote(k)} = b.${alias(i)}`).join(' AND ');
    const last = job.key.map((k, i) => `${alias(i)} AS ${quote(k)}`).join(', ');
    const descending = job.key.map((_, i) => `${alias(i)} DESC`).join(', ');
    // Row comparisons on the key use its index; one statement per batch keeps each commit small.
    return (
      `WITH b AS (SELECT ${picked} FROM ${quote(job.table)} WHERE ${range} ORDER BY ${keyList(job)} LIMIT ${limit}), ` +
      `u AS (UPDATE ${quote(job.table)} SET ${set} FROM b WHERE ${matches} RETURNING 1) ` +
      `SELECT (SELECT count(*) FROM u) AS n, ${last} FROM (SELECT * FROM b ORDER BY ${descending} LIMIT 1) l`
    );
  },
  quietTriggers: (on) => [`SET ${QUIET_SETTING} = '${on ? 'on' : 'off'}'`],
};
