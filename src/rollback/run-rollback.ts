import { planAgainst, schemaHash, type Database } from '../engine.js';
import { DbtideError } from '../errors.js';
import { emitter, type Emit, type EventSink } from '../execute/events.js';
import { Interrupted } from '../execute/interrupted.js';
import { Ledger } from '../execute/ledger.js';
import { retryPolicy, type RetryPolicy } from '../execute/retry.js';
import { phaseNeeds, refuseWithoutPrivileges } from '../execute/privileges.js';
import { giveUp, runStep, takeRunLock } from '../execute/run-phase.js';
import { planScripts, type PlanScripts } from '../execute/step-script.js';
import type { DeclaredSchema } from '../model/schema-model.js';
import { stepsOf, type Step } from '../plan/step.js';
import { redactText } from '../redact.js';
import { archive, type NewData } from './new-data.js';
import { archiveStepId, planRollback, type RollbackPlan } from './rollback-plan.js';

export interface RollbackOptions {
  /** The release the database goes back to. */
  to: DeclaredSchema;
  /** The release withdrawn, where the caller has it: it tells mirrored columns (nothing lost) from others. */
  withdrawn?: DeclaredSchema | null;
  /** Plan and print, change nothing: no lock, no ledger, no DDL. */
  dryRun?: boolean;
  /** Drop tables and columns although they hold rows no column of `to` holds. */
  discardNewData?: boolean;
  /** Copy those rows into `shadow_<table>` first. */
  archive?: boolean;
  retry?: Partial<RetryPolicy>;
  runLockWaitMs?: number;
  onEvent?: EventSink;
  /** Called with the plan under the run lock, before anything changes; throwing cancels the run. */
  confirm?: (plan: RollbackPlan) => Promise<void>;
  /** Stops the run between two steps; a rerun resumes. */
  signal?: AbortSignal;
}

export interface RollbackResult extends Omit<RollbackPlan, 'live'> {
  dryRun: boolean;
  /** Rows copied to shadow tables by this run, per object. */
  archivedRows: Record<string, number>;
  /** What `to`'s own plan still holds afterwards (a relaxation the withdrawn release made): run its phases. */
  remaining: Step[];
  ms: number;
  scripts?: PlanScripts;
}

/**
 * Withdraws the release last expanded: removes what its expand created, newest kind of object
 * first, under the run lock and contract's statement policy, journaling each statement in a run
 * of kind `rollback`. Each step is planned again from the live schema on a rerun, so a stopped
 * rollback resumes and a finished one is a no-op.
 */
export async function runRollback(db: Database, options: RollbackOptions): Promise<RollbackResult> {
  const started = Date.now();
  const emit = emitter(db.name, options.onEvent);
  const retry = retryPolicy(db.dialect.runtime, options.retry);
  if (options.dryRun) {
    const { live: _, ...plan } = await planRollback(db, options.to, options.withdrawn ?? null);
    emit({ type: 'phase-start', phase: 'rollback', steps: plan.steps, dryRun: true });
    const scripts = planScripts(db.caps, db.dialect.runtime, plan.steps, retry.lockTimeoutMs);
    return { ...plan, dryRun: true, archivedRows: {}, remaining: [], ms: Date.now() - started, scripts };
  }
  const lock = await takeRunLock(db, options.runLockWaitMs ?? 30_000);
  try {
    const ledger = new Ledger(db.conn, db.dialect);
    const interrupted = await ledger.interruptedRuns();
    if (interrupted.length > 0) {
      await ledger.markInterrupted(interrupted.map((r) => r.id));
      emit({ type: 'resumed', interruptedRuns: interrupted.length });
    }
    const plan = await planRollback(db, options.to, options.withdrawn ?? null);
    const { live: _, ...reported } = plan;
    emit({ type: 'phase-start', phase: 'rollback', steps: plan.steps, dryRun: false });
    if (plan.steps.length === 0 && plan.jobs.length === 0) return { ...reported, dryRun: false, archivedRows: {}, remaining: await remainingOf(db, options.to), ms: Date.now() - started };
    const toArchive = plan.newData.filter((d) => d.rows > 0 && !plan.archived.includes(d.object));
    refuseDataLoss(db, plan, toArchive, options);
    if (plan.steps.length > 0) await options.confirm?.(plan);
    await refuseWithoutPrivileges(db, phaseNeeds(plan.steps, { renames: [], aliases: plan.live.owned?.aliases ?? [] }), 'rollback');
    const runId = await ledger.startRun('rollback', plan.from!, schemaHash(options.to));
    let archivedRows: Record<string, number> = {};
    try {
      for (const sql of db.dialect.runtime.lockTimeout(retry.lockTimeoutMs, false)) await db.conn.query(sql);
      if (options.archive) archivedRows = await archiveAll(db, ledger, runId, plan, toArchive, emit);
      const run = { id: runId, phase: 'rollback' as const, release: plan.from! };
      for (const [index, step] of plan.steps.entries()) {
        stopIfAsked(options.signal, index, plan.steps.length, `stopped before "${step.description}"`);
        emit({ type: 'step-start', step, index, total: plan.steps.length });
        const stepStarted = Date.now();
        const stopInside = (statements: number) =>
          stopIfAsked(options.signal, index, plan.steps.length, `stopped inside "${step.description}" after ${statements} of ${step.sql.length} statement(s)`);
        await runStep(db, ledger, run, step, retry, emit, stopInside);
        emit({ type: 'step-done', step, ms: Date.now() - stepStarted });
      }
      for (const job of plan.jobs) await ledger.forgetJob(job);
      await ledger.finishRun(runId, 'done', `to ${plan.to}: ${plan.steps.length} step(s)`);
    } catch (error) {
      const status = error instanceof Interrupted ? 'interrupted' : 'failed';
      await ledger.finishRun(runId, status, redactText(String((error as Error).message ?? error))).catch(() => {});
      throw error;
    }
    emit({ type: 'phase-done', phase: 'rollback', steps: plan.steps.length, ms: Date.now() - started, moreToDo: false });
    return { ...reported, dryRun: false, archivedRows, remaining: await remainingOf(db, options.to), ms: Date.now() - started };
  } finally {
    await giveUp(lock);
  }
}

/** Copies each object's rows at risk to its shadow table, each copy journaled in the run with it. */
async function archiveAll(db: Database, ledger: Ledger, runId: string, plan: RollbackPlan, toArchive: NewData[], emit: Emit): Promise<Record<string, number>> {
  const archived: Record<string, number> = {};
  for (const [i, data] of toArchive.entries()) {
    const reason = `rollback of release ${plan.from} to ${plan.to}: ${data.object}`;
    const record = () => ledger.statementDone(runId, { stepId: archiveStepId(data.object), index: 0, sql: `-- archived to shadow_${data.table}: ${data.object}`, attempts: 1, startedAt: new Date() });
    archived[data.object] = await archive(db, plan.live, data, reason, record);
    emit({ type: 'notice', message: `archived ${archived[data.object]} row(s) of ${data.object} to shadow_${data.table} (${i + 1} of ${toArchive.length})` });
  }
  return archived;
}

/** Rows would be lost: refused unless the operator archives them or says to discard them. */
function refuseDataLoss(db: Database, plan: RollbackPlan, toArchive: NewData[], options: RollbackOptions): void {
  if (toArchive.length === 0 || options.archive || options.discardNewData) return;
  const list = toArchive.map((d) => `  ${d.object}: ${d.exact ? '' : 'up to '}${d.rows.toLocaleString('en-US')} row(s)${d.exact ? '' : ' (estimated)'}`).join('\n');
  throw new DbtideError(
    `rollback of release ${plan.from} to ${plan.to} on ${db.name} would drop data that only ${plan.from} holds; nothing was changed:\n${list}`,
    1,
    `pass --archive to copy those rows into shadow_<table> first, or --discard-new-data to drop them`,
  );
}

function stopIfAsked(signal: AbortSignal | undefined, stepsDone: number, total: number, where: string): void {
  if (signal?.aborted) throw new Interrupted('rollback', signal.reason, `${stepsDone} of ${total} step(s) done; ${where}`);
}

/** `to`'s own plan after the rollback: empty when the database is back at that release. */
async function remainingOf(db: Database, to: DeclaredSchema): Promise<Step[]> {
  const { plan } = await planAgainst(db, to);
  return [...stepsOf(plan, 'expand'), ...stepsOf(plan, 'migrate'), ...stepsOf(plan, 'contract')];
}
