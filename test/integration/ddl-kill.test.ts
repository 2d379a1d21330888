import { afterAll, describe, expect, it } from 'vitest';
import { applyPhase, planChanges, rollback } from '../../src/api.js';
import { openDatabase, type Database } from '../../src/engine.js';
import { sleep } from '../../src/execute/retry.js';
import { giveUp, takeRunLock } from '../../src/execute/run-phase.js';
import { stepsOf } from '../../src/plan/step.js';
import { runCli, startCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { targets } from '../support/scratch-databases.js';
import { series } from '../support/series.js';

const files = releaseDir();
afterAll(() => files.remove());

const TABLES = ['k1', 'k2', 'k3', 'k4'];
/** Declarations, as source text. */
const COLUMNS = { c1: "'int'", c2: "{ type: 'varchar(40)', default: 'x' }", c3: "'text'", c4: "'bigint'", c5: "'varchar(20)'", c6: "'date'" };
const INDEXES = ["{ columns: ['a'] }", "{ columns: ['b'] }", "{ columns: ['a', 'b'] }"];
const ROWS = 2000;

const table = (body: string) => `Object.fromEntries(${JSON.stringify(TABLES)}.map((t) => [t, ${body}]))`;

/** v1: four small tables. v2 adds six columns and three indexes to each (36 steps); v3 removes them again. */
const V1 = `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: 'v1',
  tables: ${table("{ columns: { id: 'int', a: 'varchar(40)', b: 'int' }, primaryKey: ['id'] }")},
});
`;
const V2 = `import { defineSchema } from 'dbtide';
import v1 from './v1.ts';
export default defineSchema({
  release: 'v2',
  extends: v1,
  tables: ${table(`{ columns: { ${Object.entries(COLUMNS).map(([c, type]) => `${c}: ${type}`).join(', ')} }, indexes: [${INDEXES.join(', ')}] }`)},
});
`;
const V3 = `import { defineSchema } from 'dbtide';
import v2 from './v2.ts';
export default defineSchema({
  release: 'v3',
  extends: v2,
  tables: ${table(`{ removed: { columns: ${JSON.stringify(Object.keys(COLUMNS))}, indexes: [\`\${t}_a_idx\`, \`\${t}_b_idx\`, \`\${t}_a_b_idx\`] } }`)},
});
`;
const STEPS = TABLES.length * (Object.keys(COLUMNS).length + INDEXES.length);

interface JournalRow {
  run_id: string;
  step_id: string;
  statement_index: number;
  status: string;
}

/**
 * The DDL of a phase is not one transaction on MySQL: every statement commits alone and is
 * journaled as it commits. A run killed (SIGKILL) between two of them leaves the schema half
 * changed; the next run plans from the live schema again and does only what is left. PostgreSQL
 * runs each of these steps in a transaction, so there the kill lands between steps. Not on the
 * embedded database: the test's connection and the CLI's cannot have it open together.
 */
type Killed = 'expand' | 'contract' | 'rollback';

/** The journal of a release's runs of `phase`, oldest run first. */
async function journal(db: Database, phase: Killed, release: string) {
  const q = db.dialect.compiler.quote;
  const p = db.dialect.runtime.param;
  const runs = await db.conn.query<{ id: string; status: string; message: string | null }>(
    `SELECT id, status, message FROM _dbtide_runs WHERE phase = ${p(1)} AND ${q('release')} = ${p(2)} ORDER BY started_at`,
    [phase, release],
  );
  const statements = await db.conn.query<JournalRow>(
    `SELECT run_id, step_id, statement_index, status FROM _dbtide_journal WHERE run_id IN (${runs.map((_, i) => p(i + 1)).join(', ')})`,
    runs.map((r) => r.id),
  );
  return runs.map((run) => ({ ...run, done: statements.filter((s) => s.run_id === run.id && s.status === 'done').map((s) => `${s.step_id}#${s.statement_index}`) }));
}

/** Starts the CLI with `args` in a child process and kills it as soon as its first statement is journaled. */
async function killAfterFirstStatement(db: Database, args: string[]): Promise<void> {
  const [before] = await db.conn.query<{ n: string }>("SELECT count(*) AS n FROM _dbtide_journal WHERE status = 'done'");
  const run = startCli(args);
  let exited = false;
  void run.done.then(() => (exited = true));
  for (;;) {
    const [now] = await db.conn.query<{ n: string }>("SELECT count(*) AS n FROM _dbtide_journal WHERE status = 'done'");
    if (Number(now!.n) > Number(before!.n)) break;
    if (exited) throw new Error(`${args[0]} exited before its first statement was journaled:\n${(await run.done).stderr}`);
    await sleep(2);
  }
  run.child.kill('SIGKILL');
  expect((await run.done).signal).toBe('SIGKILL');
  // The server ends the dead client's session only once its statement in flight has finished
  // (or rolled back); the run lock is that session's until then, so taking it waits for that.
  await giveUp(await takeRunLock(db, 30_000));
}

describe.each(targets.filter((t) => t.name !== 'pglite'))('a phase killed between DDL statements on $name', (target) => {
  const release = { expand: 'v2', contract: 'v3' } as const;

  it.each(['expand', 'contract'] as const)('%s resumes: the rerun does only what is left, each statement once', async (phase) => {
    const scratch = await target.create(`ddl_kill_${phase}`);
    const v1 = files.write('v1.ts', V1);
    const v2 = files.write('v2.ts', V2);
    const v3 = files.write('v3.ts', V3);
    const url = scratch.url;
    const db = await openDatabase(url);
    try {
      await applyPhase('expand', { url }, v1);
      for (const t of TABLES) {
        await db.conn.query(`INSERT INTO ${t} (id, a, b) SELECT g, concat('a', g % 100), g % 37 FROM ${series(db.dialect, ROWS)}`);
      }
      if (phase === 'contract') {
        await applyPhase('expand', { url }, v2);
        await applyPhase('expand', { url }, v3);
      }
      const schema = phase === 'expand' ? v2 : v3;
      const total = stepsOf((await planChanges({ url }, schema)).plan, phase);
      expect(total).toHaveLength(STEPS);

      await killAfterFirstStatement(db, [phase, '--schema', schema, '--url', url, '--yes']);
      const [killed] = await journal(db, phase, release[phase]);
      expect(killed).toMatchObject({ status: 'running' });
      expect(killed!.done.length).toBeGreaterThanOrEqual(1);
      // Half applied: what the killed run did is in the live schema, and the rest is still to do.
      const left = stepsOf((await planChanges({ url }, schema)).plan, phase);
      expect(left.length).toBeGreaterThan(0);
      expect(left.length).toBeLessThanOrEqual(STEPS - killed!.done.length);

      const rerun = await runCli([phase, '--schema', schema, '--url', url, '--yes']);
      expect(rerun.stderr).toContain('resuming: 1 earlier run(s) stopped before finishing');
      expect(rerun.code, rerun.stderr).toBe(0);
      const after = await planChanges({ url }, schema);
      expect(after.plan.steps).toEqual([]);
      expect(after.plan.drift).toEqual([]);

      const runs = await journal(db, phase, release[phase]);
      expect(runs.map((r) => [r.status, r.message])).toEqual([
        ['failed', 'interrupted: the process stopped before the run finished'],
        ['done', `${left.length} step(s)`],
      ]);
      // The rerun ran exactly what was left, and nothing the killed run had done.
      const [first, second] = [runs[0]!.done, runs[1]!.done];
      expect(second.sort()).toEqual(left.flatMap((s) => s.sql.map((_, i) => `${s.id}#${i}`)).sort());
      expect(second.filter((s) => first.includes(s))).toEqual([]);
      // At most the statement in flight at the kill committed without its journal row.
      expect(STEPS - first.length - second.length).toBeLessThanOrEqual(1);
    } finally {
      await db.close();
      await scratch.drop();
    }
  });
});

/** The same on the way back: a rollback of v2's 36 steps, killed after its first statement, resumes. */
describe.each(targets.filter((t) => t.name !== 'pglite'))('a rollback killed between DDL statements on $name', (target) => {
  it('resumes: the rerun does only what is left, each statement once, and v1 plans nothing afterwards', async () => {
    const scratch = await target.create('ddl_kill_rollback');
    const v1 = files.write('v1.ts', V1);
    const v2 = files.write('v2.ts', V2);
    const url = scratch.url;
    const db = await openDatabase(url);
    try {
      await applyPhase('expand', { url }, v1);
      for (const t of TABLES) {
        await db.conn.query(`INSERT INTO ${t} (id, a, b) SELECT g, concat('a', g % 100), g % 37 FROM ${series(db.dialect, ROWS)}`);
      }
      await applyPhase('expand', { url }, v2);
      const args = ['rollback', '--to', v1, '--url', url, '--yes', '--discard-new-data'];
      expect((await rollback({ url }, { to: v1, dryRun: true })).steps).toHaveLength(STEPS);

      await killAfterFirstStatement(db, args);
      const [killed] = await journal(db, 'rollback', 'v2');
      expect(killed).toMatchObject({ status: 'running' });
      expect(killed!.done.length).toBeGreaterThanOrEqual(1);
      const left = (await rollback({ url }, { to: v1, dryRun: true })).steps;
      expect(left.length).toBeGreaterThan(0);
      expect(left.length).toBeLessThanOrEqual(STEPS - killed!.done.length);

      const rerun = await runCli(args);
      expect(rerun.stderr).toContain('resuming: 1 earlier run(s) stopped before finishing');
      expect(rerun.code, rerun.stderr).toBe(0);
      const after = await planChanges({ url }, v1);
      expect(after.plan.steps).toEqual([]);
      expect(after.plan.drift).toEqual([]);

      const runs = await journal(db, 'rollback', 'v2');
      expect(runs.map((r) => [r.status, r.message])).toEqual([
        ['failed', 'interrupted: the process stopped before the run finished'],
        ['done', `to v1: ${left.length} step(s)`],
      ]);
      const [first, second] = [runs[0]!.done, runs[1]!.done];
      expect(second.sort()).toEqual(left.flatMap((s) => s.sql.map((_, i) => `${s.id}#${i}`)).sort());
      expect(second.filter((s) => first.includes(s))).toEqual([]);
      expect(STEPS - first.length - second.length).toBeLessThanOrEqual(1);
    } finally {
      await db.close();
      await scratch.drop();
    }
  });
});
