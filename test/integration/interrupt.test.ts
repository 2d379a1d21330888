import { afterAll, describe, expect, it } from 'vitest';
import { applyPhase } from '../../src/api.js';
import { dataMove, defineSchema } from '../../src/index.js';
import { openDatabase, type Database } from '../../src/engine.js';
import { Interrupted } from '../../src/execute/interrupted.js';
import { runCli, startCli, type RunningCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { noPostgres, scratchPostgres, targets, type ScratchTarget } from '../support/scratch-databases.js';
import { series } from '../support/series.js';

const ROWS = 40_000;

const files = releaseDir();
afterAll(() => files.remove());

const V1 = files.write(
  'v1.ts',
  `import { defineSchema } from 'dbtide';
export default defineSchema({ release: 'v1', tables: { items: { columns: { id: 'bigint', name: 'text' }, primaryKey: ['id'] } } });
`,
);

/** A new required column the backfill fills in key order: the rows filled so far show where it stopped. */
const V2 = files.write(
  'v2.ts',
  `import { defineSchema, fillColumn } from 'dbtide';
import v1 from './v1.ts';
export default defineSchema({
  release: 'v2',
  extends: v1,
  tables: { items: { columns: { twice: { type: 'bigint', nullable: false } } } },
  transitions: [fillColumn('items', 'twice', 'id * 2')],
});
`,
);

/** Small batches with long pauses: a migrate of many batches, slow enough to be stopped halfway. */
const SLOW = ['--batch-ms', '10', '--sleep-ms', '300'];

/** Where the backfill stands, and what the table says about it. */
async function standing(db: Database) {
  const [job] = await db.conn.query<{ rows_done: unknown; last_key: string | null; status: string }>('SELECT rows_done, last_key, status FROM _dbtide_backfills');
  const [table] = await db.conn.query<{ filled: unknown; last: unknown; wrong: unknown }>(
    'SELECT count(twice) AS filled, max(CASE WHEN twice IS NOT NULL THEN id END) AS last, count(CASE WHEN twice <> id * 2 THEN 1 END) AS wrong FROM items',
  );
  return {
    rowsDone: Number(job!.rows_done),
    lastKey: job!.last_key === null ? null : (JSON.parse(job!.last_key) as unknown[]).map(Number),
    jobStatus: job!.status,
    filled: Number(table!.filled),
    lastFilled: Number(table!.last),
    wrong: Number(table!.wrong),
  };
}

const lastRun = async (db: Database) =>
  (await db.conn.query<{ status: string; message: string | null }>('SELECT status, message FROM _dbtide_runs ORDER BY started_at DESC LIMIT 1'))[0]!;

/** A database at v2's expand, with ROWS rows (ids 1..ROWS) for migrate to backfill. */
async function expanded(target: ScratchTarget, label: string) {
  const scratch = await target.create(label);
  const db = await openDatabase(scratch.url);
  await applyPhase('expand', { url: scratch.url }, V1);
  await db.conn.query(`INSERT INTO items (id, name) SELECT g, concat('n', g) FROM ${series(db.dialect, ROWS)}`);
  await applyPhase('expand', { url: scratch.url }, V2);
  return {
    db,
    url: ['--url', scratch.url],
    target: { url: scratch.url },
    async drop() {
      await db.close();
      await scratch.drop();
    },
  };
}

/** The embedded database is left out: the test's connection and the CLI's cannot have it open together. */
describe.each(targets.filter((t) => t.name === 'postgres' || t.name === 'mariadb'))('a phase stopped by a signal on $name', (target) => {
  it('Ctrl-C stops migrate after the current batch: exit 130, what was done, how to resume, the run interrupted, no torn batch', async () => {
    const { db, url, drop } = await expanded(target, 'sigint');
    let run: RunningCli | undefined;
    try {
      run = startCli(['migrate', '--schema', V2, ...url, ...SLOW]);
      await run.stderrMatches(/\d rows /);
      const signalled = Date.now();
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(Date.now() - signalled).toBeLessThan(5000);
      expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
      expect(result.stderr).toContain('stopping after the current batch; press Ctrl-C again to stop at once');
      expect(result.stderr).toMatch(
        /error: migrate interrupted by SIGINT: 0 of 1 step\(s\) done, [\d,]+ row\(s\) of data work in this run; "[^"]+" stopped after its last committed batch \([\d,]+ row\(s\) done in all\)/,
      );
      expect(result.stderr).toContain('hint: every batch and statement that ran is committed; run `dbtide migrate` again: it resumes where this run stopped');

      const run1 = await lastRun(db);
      expect(run1.status).toBe('interrupted');
      expect(run1.message).toContain('migrate interrupted by SIGINT');
      // Every committed batch is counted, and no other row was touched: ids 1..k, k the rows done.
      const stopped = await standing(db);
      expect(stopped.rowsDone).toBeGreaterThan(0);
      expect(stopped.rowsDone).toBeLessThan(ROWS);
      expect(stopped).toEqual({ rowsDone: stopped.rowsDone, lastKey: [stopped.rowsDone], jobStatus: 'running', filled: stopped.rowsDone, lastFilled: stopped.rowsDone, wrong: 0 });
      expect(result.stderr).toContain(`(${stopped.rowsDone.toLocaleString('en-US')} row(s) done in all)`);

      const status = await runCli(['status', '--schema', V2, ...url]);
      expect(status.stdout).toMatch(/migrate\s+v2\s+interrupted\s+migrate interrupted by SIGINT/);

      const rerun = await runCli(['migrate', '--schema', V2, ...url]);
      expect(rerun.code).toBe(0);
      expect(await standing(db)).toEqual({ rowsDone: ROWS, lastKey: [ROWS], jobStatus: 'done', filled: ROWS, lastFilled: ROWS, wrong: 0 });
      expect((await lastRun(db)).status).toBe('done');
    } finally {
      run?.child.kill('SIGKILL');
      await drop();
    }
  });

  it('a second Ctrl-C stops a batch stuck behind a lock at once with 130, and the next run resumes and finishes', async () => {
    const { db, url, drop } = await expanded(target, 'sigint2');
    let run: RunningCli | undefined;
    try {
      // The first batch (1,000 rows) commits; the second waits for these rows until it is cut off.
      // The gap keeps MySQL's next-key lock past the first batch's range clear of this lock.
      await db.conn.query('BEGIN');
      await db.conn.query('SELECT id FROM items WHERE id > 1100 FOR UPDATE');
      run = startCli(['migrate', '--schema', V2, ...url]);
      await run.stderrMatches(/ 1,000(\/~[\d,]+)? rows /);
      run.child.kill('SIGINT');
      await run.stderrMatches(/stopping after the current batch/);
      const signalled = Date.now();
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(Date.now() - signalled).toBeLessThan(1000);
      expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
      expect(result.stderr).toContain('stopped at once (SIGINT); the batch in flight is rolled back; run the phase again to resume');
      await db.conn.query('ROLLBACK');
      // The batch cut off rolled back together with its checkpoint.
      expect(await standing(db)).toEqual({ rowsDone: 1000, lastKey: [1000], jobStatus: 'running', filled: 1000, lastFilled: 1000, wrong: 0 });

      const rerun = await runCli(['migrate', '--schema', V2, ...url]);
      expect(rerun.stderr).toContain('resuming: 1 earlier run(s) stopped before finishing');
      expect(rerun.code).toBe(0);
      expect(await standing(db)).toEqual({ rowsDone: ROWS, lastKey: [ROWS], jobStatus: 'done', filled: ROWS, lastFilled: ROWS, wrong: 0 });
      expect((await runCli(['check', '--schema', V2, ...url])).code).toBe(4);
    } finally {
      run?.child.kill('SIGKILL');
      await drop();
    }
  });

  it('a library caller stops a run with an AbortSignal: Interrupted, between batches or before a step', async () => {
    const { db, target: where, drop } = await expanded(target, 'abort');
    try {
      const controller = new AbortController();
      const stopped = applyPhase('migrate', where, V2, {
        signal: controller.signal,
        backfill: { targetBatchMs: 10, sleepMs: 200 },
        onEvent: (event) => {
          if (event.type === 'work-progress') controller.abort('SIGTERM');
        },
      });
      await expect(stopped).rejects.toThrow(Interrupted);
      await expect(stopped).rejects.toMatchObject({ exitCode: 143, message: expect.stringMatching(/^migrate interrupted by SIGTERM: 0 of 1 step\(s\) done, [\d,]+ row\(s\)/) });
      expect((await lastRun(db)).status).toBe('interrupted');
      const partial = await standing(db);
      expect(partial.filled).toBe(partial.rowsDone);
      expect(partial.rowsDone).toBeLessThan(ROWS);

      // Aborted before the first step: nothing runs, and the run says so.
      const early = new AbortController();
      const again = applyPhase('migrate', where, V2, {
        signal: early.signal,
        onEvent: (event) => {
          if (event.type === 'phase-start') early.abort();
        },
      });
      await expect(again).rejects.toMatchObject({ name: 'Interrupted', exitCode: 130, message: expect.stringMatching(/^migrate interrupted: 0 of 1 step\(s\) done; stopped before "/) });
      expect(await lastRun(db)).toMatchObject({ status: 'interrupted' });
      expect(await standing(db)).toEqual(partial);
    } finally {
      await drop();
    }
  });
});

describe.skipIf(noPostgres)('a data move stopped by an AbortSignal on postgres', () => {
  const copy = defineSchema({
    release: 'm1',
    tables: { src: { columns: { id: 'int' }, primaryKey: ['id'] }, dst: { columns: { id: 'int' }, primaryKey: ['id'] } },
    transitions: [
      dataMove('copy src', async ({ query, param, batchSize }) => {
        const rows = await query(`INSERT INTO dst (id) SELECT id FROM src WHERE id NOT IN (SELECT id FROM dst) ORDER BY id LIMIT ${param(1)} RETURNING id`, [batchSize]);
        return { found: rows.length, done: rows.length < batchSize };
      }),
    ],
  });

  it('stops after the committed call, and the next run goes on from there', async () => {
    const scratch = await scratchPostgres('abortmove');
    const db = await openDatabase(scratch.url);
    try {
      await applyPhase('expand', { url: scratch.url }, copy);
      await db.conn.query('INSERT INTO src (id) SELECT g FROM generate_series(1, 5000) AS s(g)');
      const controller = new AbortController();
      const stopped = applyPhase('migrate', { url: scratch.url }, copy, {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'work-progress') controller.abort('SIGINT');
        },
      });
      await expect(stopped).rejects.toHaveProperty(
        'message', 'migrate interrupted by SIGINT: 0 of 1 step(s) done, 1,000 row(s) of data work in this run; "data move "copy src" (TypeScript, batch by batch)" stopped after its last committed batch (1,000 row(s) done in all)',
      );
      const copied = async () => (await db.conn.query<{ n: string; done: string }>('SELECT (SELECT count(*) FROM dst) AS n, (SELECT rows_done FROM _dbtide_backfills) AS done'))[0]!;
      expect(await copied()).toEqual({ n: '1000', done: '1000' });
      expect((await lastRun(db)).status).toBe('interrupted');

      await applyPhase('migrate', { url: scratch.url }, copy);
      expect(await copied()).toEqual({ n: '5000', done: '5000' });
    } finally {
      await db.close();
      await scratch.drop();
    }
  });
});
