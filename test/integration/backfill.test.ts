import { describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/engine.js';
import { Ledger } from '../../src/execute/ledger.js';
import { runBackfill } from '../../src/migrate/backfill.js';
import { targets } from '../support/scratch-databases.js';
import { series } from '../support/series.js';

// A table named like a common query alias, to prove the batch SQL's own names cannot collide.
const JOB = { id: 'backfill:b.total', table: 'b', key: ['site', 'seq'], set: { total: 'site * 100000 + seq' }, where: 'total IS NULL' };

describe.each(targets)('backfill engine on $name', (target) => {
  /** A scratch database with the ledger and table `b` of `seqs` rows for each of 4 sites (none: empty), open for `work`. */
  async function withTable(label: string, seqs: number, work: (db: Database) => Promise<void>): Promise<void> {
    const scratch = await target.create(label);
    const db = await openDatabase(scratch.url);
    try {
      await new Ledger(db.conn, db.dialect).ensure();
      await db.conn.query('CREATE TABLE b (site int, seq int, total bigint, PRIMARY KEY (site, seq))');
      if (seqs > 0) await db.conn.query(`INSERT INTO b (site, seq) SELECT s.g, q.g FROM ${series(db.dialect, 4, 's')} CROSS JOIN ${series(db.dialect, seqs, 'q')}`);
      await work(db);
    } finally {
      await db.close();
      await scratch.drop();
    }
  }

  it('fills every row that existed at the start, in batches, across a stopped and a resumed run', async () => {
    await withTable('backfill', 2500, async (db) => {
      const progress: number[] = [];
      const first = await runBackfill(db, JOB, { initialBatch: 300, maxRows: 2500, onProgress: (p) => progress.push(p.batchRows) });
      expect(first).toMatchObject({ rows: 2500, rowsDone: 2500, done: false });
      expect(progress[0]).toBe(300);
      expect(progress.reduce((a, b) => a + b, 0)).toBe(2500);

      // Rows written after the job started are the triggers' business, not the backfill's.
      await db.conn.query('INSERT INTO b (site, seq) VALUES (9, 1), (9, 2)');
      const second = await runBackfill(db, JOB, { initialBatch: 1000 });
      expect(second).toMatchObject({ rows: 7500, rowsDone: 10000, done: true });

      const [wrong] = await db.conn.query<{ n: string }>(
        'SELECT count(*) AS n FROM b WHERE site < 9 AND (total IS NULL OR total <> site * 100000 + seq)',
      );
      expect(Number(wrong!.n)).toBe(0);
      const [late] = await db.conn.query<{ n: string }>('SELECT count(*) AS n FROM b WHERE site = 9 AND total IS NULL');
      expect(Number(late!.n)).toBe(2);

      const again = await runBackfill(db, JOB);
      expect(again).toMatchObject({ rows: 0, rowsDone: 10000, done: true, batches: 0 });
    });
  });

  it('walks a large job in key ranges, more of them than sessions, each resumed from its checkpoint, and records it done once all are', async () => {
    await withTable('backfill_lanes', 37_500, async (db) => {
      const lanes = () => db.conn.query<{ job_id: string; rows_done: unknown }>("SELECT job_id, rows_done FROM _dbtide_backfills WHERE job_id LIKE '%#%' ORDER BY job_id");
      const options = { workers: 2, expectedRows: 150_000, initialBatch: 1000, maxBatch: 5000 };

      const first = await runBackfill(db, JOB, { ...options, maxRows: 30_000 });
      expect(first).toMatchObject({ rows: 30_000, rowsDone: 30_000, done: false });
      const split = await lanes();
      if (db.dialect.concurrentSessions(db.url)) {
        // A lane per 50,000 rows, cut as a session takes it: the first two so far.
        expect(split.map((l) => l.job_id)).toEqual([`${JOB.id}#1`, `${JOB.id}#2`]);
        // Both moved: the sessions ran side by side, not one after the other.
        expect(split.every((l) => Number(l.rows_done) > 0)).toBe(true);
      } else {
        expect(split).toEqual([]);
      }

      // 120,000 rows done: more than the first two lanes hold, so a session went on to a third.
      const second = await runBackfill(db, { ...JOB }, { ...options, maxRows: 90_000 });
      expect(second).toMatchObject({ rows: 90_000, rowsDone: 120_000, done: false });
      if (db.dialect.concurrentSessions(db.url)) {
        const resumed = await lanes();
        // Shorter lanes at the end (of 25,000 rows, then 12,500): the fourth is cut once both
        // sessions are done with their first, unless one session took the third alone before.
        expect(resumed.map((l) => l.job_id).slice(0, 3)).toEqual([1, 2, 3].map((i) => `${JOB.id}#${i}`));
        expect(resumed.length).toBeLessThanOrEqual(4);
        expect(resumed.reduce((sum, l) => sum + Number(l.rows_done), 0)).toBe(120_000);
        expect(Number(resumed[2]!.rows_done)).toBeGreaterThan(0);
      }

      const third = await runBackfill(db, JOB, options);
      expect(third).toMatchObject({ rows: 30_000, rowsDone: 150_000, done: true });
      expect(await lanes()).toEqual([]);
      const [job] = await db.conn.query<{ rows_done: unknown; status: string }>(`SELECT rows_done, status FROM _dbtide_backfills WHERE job_id = '${JOB.id}'`);
      expect({ rows: Number(job!.rows_done), status: job!.status }).toEqual({ rows: 150_000, status: 'done' });
      const [wrong] = await db.conn.query<{ n: string }>('SELECT count(*) AS n FROM b WHERE total IS NULL OR total <> site * 100000 + seq');
      expect(Number(wrong!.n)).toBe(0);
      expect(await runBackfill(db, JOB, options)).toMatchObject({ rows: 0, rowsDone: 150_000, done: true });
    });
  });

  it('an empty table is done at once', async () => {
    await withTable('backfill_empty', 0, async (db) => {
      expect(await runBackfill(db, JOB)).toMatchObject({ rows: 0, rowsDone: 0, done: true });
    });
  });
});
