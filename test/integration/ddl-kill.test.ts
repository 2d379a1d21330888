import { afterAll, describe, expect, it } from 'vitest';
import { applyPhase, planChanges, rollback } from '../../src/api.js';
import { openDatabase, type Database } from '../../src/engine.js';
import { sleep } from '../../src/execute/retry.js';
import { giveUp, takeRunLock } from '../../src/execute/run-phase.js';
import { stepsOf, type Step } from '../../src/plan/step.js';
import { runCli, startCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { targets, type ScratchTarget } from '../support/scratch-databases.js';
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

/** A run of the CLI the test kills and runs again. */
interface Killable {
  args: string[];
  kind: Killed;
  release: string;
  /** The steps left to run (all of them before the kill). */
  pending(): Promise<Step[]>;
  /** What the finished rerun records as its message. */
  doneMessage(steps: number): string;
  /** The release whose plan is empty once the rerun is done. */
  converged: string;
}

/** v1 applied and seeded, in a scratch database of the target. */
async function seeded(target: ScratchTarget, label: string, work: (db: Database, url: string, v1: string) => Promise<void>): Promise<void> {
  const scratch = await target.create(label);
  const v1 = files.write('v1.ts', V1);
  const db = await openDatabase(scratch.url);
  try {
    await applyPhase('expand', { url: scratch.url }, v1);
    for (const t of TABLES) {
      await db.conn.query(`INSERT INTO ${t} (id, a, b) SELECT g, concat('a', g % 100), g % 37 FROM ${series(db.dialect, ROWS)}`);
    }
    await work(db, scratch.url, v1);
  } finally {
    await db.close();
    await scratch.drop();
  }
}

/**
 * Kills the run after its first statement, then shows the rerun resumes: it does only what is
 * left, each statement once, and the release plans nothing afterwards.
 */
async function killedAndResumed(db: Database, url: string, run: Killable): Promise<void> {
  expect(await run.pending()).toHaveLength(STEPS);
  await killAfterFirstStatement(db, run.args);
  const [killed] = await journal(db, run.kind, run.release);
  expect(killed).toMatchObject({ status: 'running' });
  expect(killed!.done.length).toBeGreaterThanOrEqual(1);
  // Half applied: what the killed run did is in the live schema, and the rest is still to do.
  const left = await run.pending();
  expect(left.length).toBeGreaterThan(0);
  expect(left.length).toBeLessThanOrEqual(STEPS - killed!.done.length);

  const rerun = await runCli(run.args);
  expect(rerun.stderr).toContain('resuming: 1 earlier run(s) stopped before finishing');
  expect(rerun.code, rerun.stderr).toBe(0);
  const after = await planChanges({ url }, run.converged);
  expect(after.plan.steps).toEqual([]);
  expect(after.plan.drift).toEqual([]);

  const runs = await journal(db, run.kind, run.release);
  expect(runs.map((r) => [r.status, r.message])).toEqual([
    ['failed', 'interrupted: the process stopped before the run finished'],
    ['done', run.doneMessage(left.length)],
  ]);
  // The rerun ran exactly what was left, and nothing the killed run had done.
  const [first, second] = [runs[0]!.done, runs[1]!.done];
  expect(second.sort()).toEqual(left.flatMap((s) => s.sql.map((_, i) => `${s.id}#${i}`)).sort());
  expect(second.filter((s) => first.includes(s))).toEqual([]);
  // At most the statement in flight at the kill committed without its journal row.
  expect(STEPS - first.length - second.length).toBeLessThanOrEqual(1);
}

describe.each(targets.filter((t) => t.name !== 'pglite'))('a run killed between DDL statements on $name', (target) => {
  it.each(['expand', 'contract'] as const)('%s resumes: the rerun does only what is left, each statement once', (phase) =>
    seeded(target, `ddl_kill_${phase}`, async (db, url) => {
      const v2 = files.write('v2.ts', V2);
      const v3 = files.write('v3.ts', V3);
      if (phase === 'contract') {
        await applyPhase('expand', { url }, v2);
        await applyPhase('expand', { url }, v3);
      }
      const schema = phase === 'expand' ? v2 : v3;
      await killedAndResumed(db, url, {
        args: [phase, '--schema', schema, '--url', url, '--yes'],
        kind: phase,
        release: phase === 'expand' ? 'v2' : 'v3',
        pending: async () => stepsOf((await planChanges({ url }, schema)).plan, phase),
        doneMessage: (n) => `${n} step(s)`,
        converged: schema,
      });
    }),
  );

  // The way back: a rollback of v2's steps.
  it('rollback resumes: the rerun does only what is left, each statement once, and v1 plans nothing afterwards', () =>
    seeded(target, 'ddl_kill_rollback', async (db, url, v1) => {
      await applyPhase('expand', { url }, files.write('v2.ts', V2));
      await killedAndResumed(db, url, {
        args: ['rollback', '--to', v1, '--url', url, '--yes', '--discard-new-data'],
        kind: 'rollback',
        release: 'v2',
        pending: async () => (await rollback({ url }, { to: v1, dryRun: true })).steps,
        doneMessage: (n) => `to v1: ${n} step(s)`,
        converged: v1,
      });
    }),
  );
});
