import { planAgainst, type Database } from '../engine.js';
import { DbtideError } from '../errors.js';
import { Ledger, type JournaledStatement } from '../execute/ledger.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import type { Step } from '../plan/step.js';
import { createdObjects } from './created-objects.js';
import { newDataOf, type NewData } from './new-data.js';
import { rollbackSteps } from './rollback-steps.js';

/** What a rollback to `to` would do on one database, planned from its ledger and live schema. */
export interface RollbackPlan {
  /** The release withdrawn: the last one expanded; null when the ledger names none other than `to`. */
  from: string | null;
  to: string;
  steps: Step[];
  /** Rows only the withdrawn release holds, per table or column a step drops. */
  newData: NewData[];
  /** Objects whose rows an earlier run of this rollback archived already. */
  archived: string[];
  /** Journaled steps of the withdrawn release that a rollback leaves as they are. */
  notUndone: string[];
  /**
   * The withdrawn release's backfills and data moves in the ledger: forgotten, so that expanding
   * the release again fills its new columns again (a finished job would count as done).
   */
  jobs: string[];
  live: SchemaModel;
}

/** The journal's step id under which a rollback records an archive: `archive:<object>`. */
export const archiveStepId = (object: string) => `archive:${object}`;

/**
 * Plans the way back from the release last expanded to `to`: what that release's expand and
 * migrate journaled as created, still live and not declared by `to`. `withdrawn`: that release's
 * declaration where the caller has it, which tells columns a dual write mirrors (nothing lost)
 * from columns holding data of their own. Refuses once the release's contract ran.
 */
export async function planRollback(db: Database, to: DeclaredSchema, withdrawn: DeclaredSchema | null): Promise<RollbackPlan> {
  const ledger = new Ledger(db.conn, db.dialect);
  const from = await ledger.lastExpanded();
  const { plan, live } = await planAgainst(db, to);
  const none: RollbackPlan = { from: null, to: to.release, steps: [], newData: [], archived: [], notUndone: [], jobs: [], live };
  if (from === null || from === to.release) return none;
  const journal = await ledger.statementsOf(from);
  refuseAfterContract(db, from, to.release, journal);
  const created = journal.filter((s) => s.phase === 'expand' || s.phase === 'migrate').map((s) => s.step_id);
  const leftoverDrops = plan.steps.filter((s) => s.operation === 'drop-version-schema' || s.operation === 'drop-table-copy');
  const { removals, notUndone } = createdObjects(created, live, to, {
    versionSchemas: leftoverDrops.filter((s) => s.operation === 'drop-version-schema').map((s) => s.subject!),
    tableCopies: leftoverDrops.filter((s) => s.operation === 'drop-table-copy').map((s) => s.table),
  });
  const tables = [...new Set(removals.flatMap((r) => (r.kind === 'column' ? [r.live] : 'table' in r ? [r.table] : [])))].filter((t) => t in live.tables);
  const rows = await db.dialect.estimateRows(db.conn, tables, db.schema ? { schema: db.schema } : {});
  const steps = rollbackSteps(db, to, removals, rows, leftoverDrops, from);
  const known = withdrawn?.release === from ? withdrawn : null;
  const jobs = jobsOf(await ledger.jobIds(), from, created);
  return { from, to: to.release, steps, newData: await newDataOf(db, removals, known, rows), archived: archivedSince(journal), notUndone, jobs, live };
}

/**
 * A transition's jobs are named after the release that declares it (`<release>:...`, lanes
 * `...#n`); a backfill through a copy of a table, after the table (`backfill-copy:<table>`), whose
 * copy steps the journal names.
 */
function jobsOf(ids: string[], release: string, created: string[]): string[] {
  const copied = new Set(created.filter((id) => id.startsWith('create-table-copy:')).map((id) => id.slice('create-table-copy:'.length).split('.')[0]!));
  const ours = (id: string) => id.startsWith(`${release}:`) || [...copied].some((t) => id === `backfill-copy:${t}`);
  return [...new Set(ids.map((id) => id.replace(/#\d+$/, '')).filter(ours))];
}

/** What contract dropped or tightened is gone: a rollback past it would leave the earlier release without it. */
function refuseAfterContract(db: Database, from: string, to: string, journal: JournaledStatement[]): void {
  const contracted = [...new Set(journal.filter((s) => s.phase === 'contract').map((s) => s.step_id))];
  if (contracted.length === 0) return;
  throw new DbtideError(
    `rollback refused: release ${from} was contracted on ${db.name}, and what its contract dropped or tightened cannot be restored by a rollback to ${to}:\n` +
      contracted.map((id) => `  ${id}`).join('\n'),
    1,
    `declare a new release after ${from} that restores what ${to}'s version needs (columns, tables, relaxed constraints) and expand it`,
  );
}

/** Archives journaled by rollback runs since the release's last expand run. */
function archivedSince(journal: JournaledStatement[]): string[] {
  const archived = new Set<string>();
  for (const s of journal) {
    if (s.phase === 'expand') archived.clear();
    if (s.phase === 'rollback' && s.step_id.startsWith(archiveStepId(''))) archived.add(s.step_id.slice(archiveStepId('').length));
  }
  return [...archived];
}
