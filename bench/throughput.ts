/**
 * The throughput comparison of `changetype`: one UPDATE of a whole table against dbtide's backfill
 * of the same change (and on MySQL, pt-online-schema-change's), nothing else running. On a shared
 * 2-core machine one measurement swings by a fifth from run to run and the machine's pace drifts
 * by half within minutes, more than the differences measured; so the comparison is made in rounds,
 * each measuring all of them back to back on fresh tables, and the bench reports medians.
 */
import { performance } from 'node:perf_hooks';
import { expand, migrate } from '../src/api.js';
import { defineSchema } from '../src/declaration/define-schema.js';
import { changeType } from '../src/declaration/transitions.js';
import type { RunEvent } from '../src/execute/events.js';
import type { Connection, Dialect } from '../src/dialect.js';
import { createAccounts, type Hooks } from './hooks.js';
import type { ToolRun } from './pt-osc.js';
import { percentile, round, secondsSince, timed as timedStep } from './report.js';

export const v1 = defineSchema({
  release: 'v1',
  tables: { accounts: { columns: { id: 'bigint', balance: 'int', points: 'int', note: 'text' }, primaryKey: ['id'] } },
});
export const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: { accounts: { columns: { balance: 'bigint' } } },
  transitions: [changeType('accounts', 'balance')],
});

/**
 * The steps that move a migrate's rows: the backfill, or on MySQL a large table's copy (created,
 * filled, swapped in, the replaced table dropped), timed whole.
 */
const DATA_MOVE = new Set(['backfill', 'create-table-copy', 'copy-table', 'swap-table-copy', 'drop-replaced-table']);

/** Times the data move of a migrate from its events: from its first step's start to its last step's end. */
export function backfillTimer() {
  const t = { started: 0, s: 0, rows: 0, batches: 0 };
  const onEvent = (e: RunEvent) => {
    if (e.type === 'step-start' && DATA_MOVE.has(e.step.operation) && t.started === 0) t.started = performance.now();
    if (e.type === 'step-done' && DATA_MOVE.has(e.step.operation)) t.s = secondsSince(t.started);
    if (e.type === 'work-progress' && DATA_MOVE.has(e.step.operation)) {
      t.rows += e.batchRows;
      t.batches++;
    }
  };
  return { t, onEvent };
}

export interface Round {
  singleS: number;
  expandS: number;
  migrateS: number;
  backfillS: number;
  backfillRows: number;
  batches: number;
  /** pt-online-schema-change's run of the same change, where it is compared. */
  tool: ToolRun | null;
}

/**
 * One round in the database at `url`, each measurement on a fresh table of `rows` rows, the only
 * one there, with clean buffers: one UPDATE of `accounts_copy`, which is then dropped; `compare`
 * (the tool's run); expand and migrate of v2 on `accounts`, which is left at v2 before its contract.
 */
export async function throughputRound(
  url: string,
  db: Connection,
  dialect: Dialect,
  on: Hooks,
  rows: number,
  compare: (() => Promise<ToolRun>) | null,
  log: (m: string) => void,
): Promise<Round> {
  const timed = async (label: string, work: () => Promise<unknown>) => (await timedStep(log, label, work)).s;
  const fresh = async (table: string) => {
    await createAccounts(db, on, table, rows);
    await on.tidy(db, table, true);
    await on.flush(db);
  };
  await fresh('accounts_copy');
  await db.query('ALTER TABLE accounts_copy ADD COLUMN balance_new bigint');
  await on.flush(db);
  // The cast dbtide's backfill writes.
  const asBigint = dialect.compiler.cast('balance', { kind: 'bigint' });
  const singleS = await timed('single UPDATE on accounts_copy', () => db.query(`UPDATE accounts_copy SET balance_new = ${asBigint}`));
  await db.query('DROP TABLE accounts_copy');
  // The UPDATE's old row versions are purged in the background (MySQL's history list): waited for,
  // so that the next measurement does not pay for them.
  await on.tidy(db, null, false);
  const tool = compare ? await compare() : null;
  await fresh('accounts');
  const throughput = backfillTimer();
  const expandS = await timed('expand v2 (balance)', () => expand({ url }, v2));
  const migrateS = await timed('migrate v2 (balance, default settings, no workload)', () => migrate({ url }, v2, { onEvent: throughput.onEvent }));
  if (throughput.t.s === 0) throw new Error('migrate ran no backfill step');
  return { singleS, expandS, migrateS, backfillS: throughput.t.s, backfillRows: throughput.t.rows, batches: throughput.t.batches, tool };
}

/** Medians over the rounds; a ratio is the median of each round's own, whose runs shared the machine's state. */
export function throughputSummary(rounds: Round[], rows: number) {
  const median = (values: number[]) => percentile(values, 50);
  const single = rounds.map((r) => rows / r.singleS);
  const backfill = rounds.map((r) => r.backfillRows / r.backfillS);
  const ratios = rounds.map((_, i) => backfill[i]! / single[i]!);
  return {
    singleRate: median(single),
    backfillRate: median(backfill),
    ratio: median(ratios),
    /** The backfill against the tool's copy, each round's own, where the tool ran. */
    vsTool: rounds.every((r) => r.tool) ? median(rounds.map((r, i) => backfill[i]! / (rows / r.tool!.copyS))) : null,
    expandMigrateS: median(rounds.map((r) => r.expandS + r.migrateS)),
    perRound: { single_update_s: rounds.map((r) => round(r.singleS, 3)), backfill_s: rounds.map((r) => round(r.backfillS, 3)), backfill_ratio: ratios.map((r) => round(r, 3)) },
  };
}
