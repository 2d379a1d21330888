import { refuseOnCluster } from '../plan/cluster-rules.js';
import { writeSetBatchCap } from '../model/cluster.js';
import type { HeldRunLock } from '../dialect.js';
import type { LockHolder } from '../model/locks.js';
import type { Database } from '../engine.js';
import { planAgainst, schemaHash } from '../engine.js';
import { DbtideError, NotConverged, RunLockHeld } from '../errors.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import { describeKey, findOffenders } from '../scan/find-offenders.js';
import { defaultToFill } from '../scan/repair.js';
import { phaseIndex, PHASES, stepsOf, type Phase, type Plan, type RunKind, type Step } from '../plan/step.js';
import { policyOf } from '../model/phase.js';
import { redactText } from '../redact.js';
import { emitter, type Emit, type EventSink } from './events.js';
import { Interrupted } from './interrupted.js';
import { Ledger } from './ledger.js';
import { EarlierPhasePending, PrecheckFailed, StepFailed, type PrecheckFailure } from './outcomes.js';
import { ledgerNeeds, needsContext, phaseNeeds, refuseWithoutPrivileges } from './privileges.js';
import { BlockedTooLong, blockerWatch, lockHolders } from './blockers.js';
import { appliedCapMs, backoffMs, retryPolicy, sleep, type RetryPolicy } from './retry.js';
import { planScripts, stepScript, type PlanScripts } from './step-script.js';
import { guardStep } from './statement-guard.js';
import { BACKFILL_DEFAULTS, runBackfill, type BackfillOptions } from '../migrate/backfill.js';
import { DATA_MOVE_BATCH, runDataMove } from '../migrate/data-move.js';
import { batchMsUnderLag, type BeforeBatch } from '../migrate/lag-throttle.js';
import { inTurn, openReplicaWatch, refuseReplicaLag, type ReplicaLagOptions, type ReplicaWatch } from '../migrate/replica-lag.js';

export interface RunPhaseOptions {
  phase: Phase;
  declared: DeclaredSchema;
  /** Print the SQL, change nothing: no lock, no ledger, no DDL. */
  dryRun?: boolean;
  retry?: Partial<RetryPolicy>;
  /** How long to wait for another run's lock before giving up. */
  runLockWaitMs?: number;
  onEvent?: EventSink;
  /**
   * Called with the phase's steps after planning, before anything changes (not on a dry run);
   * throwing cancels the run. The steps are the ones that will run, planned under the run lock.
   */
  confirm?: (steps: Step[]) => Promise<void>;
  /** Batch sizing and throttle of backfills; `maxRows` bounds the rows of all data work in this run. */
  backfill?: Omit<BackfillOptions, 'onProgress' | 'retry' | 'signal'>;
  /** Batches of data work (backfills, table copies, data moves) wait while a replica lags more than this. */
  replicaLag?: ReplicaLagOptions;
  /**
   * Stops the run when aborted: after the batch or statement in flight has committed, never inside
   * one. The run is recorded as `interrupted` and runPhase throws `Interrupted`; a rerun resumes.
   */
  signal?: AbortSignal;
  /**
   * Lets contract run although a transition's verification found mismatching rows. The reason is
   * recorded in the ledger. Other prechecks (NULLs, duplicates, orphans) are never overridden.
   */
  force?: string;
}

export interface RunPhaseResult {
  phase: Phase;
  dryRun: boolean;
  steps: Step[];
  /** The whole plan as it stood before the run. */
  plan: Plan;
  ms: number;
  /** True when the run stopped at `maxRows` with data work left: run the phase again. */
  moreToDo: boolean;
  /** A dry run's statements as a run would issue them, session statements included. */
  scripts?: PlanScripts;
}

/** A dry run only plans, so it is `runPhase`'s alone. */
export type PreparePhaseOptions = Omit<RunPhaseOptions, 'dryRun'>;

/**
 * A phase planned and checked under the run lock, with nothing changed yet: `applyPhase` runs its
 * steps, `release` gives the lock up instead. Either way the lock goes; forgetting both keeps it
 * until the connection closes.
 */
export interface PreparedPhase {
  readonly db: Database;
  readonly options: PreparePhaseOptions;
  readonly ledger: Ledger;
  /** The whole plan, planned under the lock. */
  readonly plan: Plan;
  /** The phase's steps: what `applyPhase` runs. */
  readonly steps: Step[];
  readonly live: SchemaModel;
  /** Verification failures the `force` reason lets through; the ledger records them when the phase applies. */
  readonly forced: PrecheckFailure[];
  /** When preparing began (`Date.now()`), for the run's duration. */
  readonly started: number;
  /** The sessions that read the replicas' lag, when the run waits for them; closed with `release`. */
  readonly replicaWatch?: ReplicaWatch;
  /** Gives up the run lock without applying; calling it again does nothing. */
  release(): Promise<void>;
}

const RUN_LOCK = 'dbtide:run';

/**
 * Runs one phase: `preparePhase`, then `applyPhase`, the lock given up on every path. A rerun
 * plans from the live schema again, so it resumes where a stopped run left off and is a no-op
 * when the phase is done.
 */
export async function runPhase(db: Database, options: RunPhaseOptions): Promise<RunPhaseResult> {
  if (!options.dryRun) return applyPhase(await preparePhase(db, options));
  const started = Date.now();
  const emit = emitter(db.name, options.onEvent);
  const retry = retryPolicy(db.dialect.runtime, options.retry);
  noteAppliedCap(db, retry, emit);
  if (options.replicaLag) await refuseReplicaLag(db, options.replicaLag);
  const { plan, steps } = await planPhase(db, options, emit, true);
  const scripts = planScripts(db.caps, db.dialect.runtime, steps, retry.lockTimeoutMs);
  return { phase: options.phase, dryRun: true, steps, plan, ms: Date.now() - started, moreToDo: false, scripts };
}

/**
 * Takes the run lock, plans against the live schema, refuses when an earlier phase is pending
 * (`EarlierPhasePending`), confirms, checks privileges and runs every precheck
 * (`PrecheckFailed`), changing nothing but dbtide's ledger (created here once nothing refused the run). On a refusal the lock is given up
 * before the error is thrown; a run that waited too long for it gets `RunLockHeld`.
 */
export async function preparePhase(db: Database, options: PreparePhaseOptions): Promise<PreparedPhase> {
  const started = Date.now();
  const emit = emitter(db.name, options.onEvent);
  const { phase, declared } = options;
  if (options.replicaLag) await refuseReplicaLag(db, options.replicaLag);
  refuseOnCluster(db.cluster, declared);
  const lock = await takeRunLock(db, options.runLockWaitMs ?? 30_000);
  let replicaWatch: ReplicaWatch | undefined;
  try {
    const ledger = new Ledger(db.conn, db.dialect);
    // Checked rather than caught: a server's "permission denied for schema public" names neither
    // the ledger nor the GRANT.
    const missing = await ledger.missingTables();
    await refuseWithoutPrivileges(db, ledgerNeeds(missing), phase);
    const interrupted = await ledger.interruptedRuns();
    if (interrupted.length > 0) {
      await ledger.markInterrupted(interrupted.map((r) => r.id));
      emit({ type: 'resumed', interruptedRuns: interrupted.length });
    }
    const { plan, steps, live } = await planPhase(db, options, emit, false);
    await options.confirm?.(steps);
    await refuseWithoutPrivileges(db, phaseNeeds(steps, needsContext(declared, live)), phase);
    const forced = await runPrechecks(db, live, steps, emit, options);
    if (steps.some((s) => s.operation === 'install-sync')) await refuseWithoutTriggerRights(db);
    // Only data work waits for replicas: a phase without any connects to none.
    if (options.replicaLag && steps.some((s) => s.work)) replicaWatch = await openReplicaWatch(db, options.replicaLag, emit);
    // Planning reads no ledger table that is missing: a run refused up to here leaves none behind.
    await ledger.ensure(missing);
    return holdingLock(lock, { db, options, ledger, plan, steps, live, forced, started, ...(replicaWatch ? { replicaWatch } : {}) });
  } catch (error) {
    await replicaWatch?.close();
    await giveUp(lock);
    throw error;
  }
}

/** Prepared runs applied or released: their lock is gone, or goes when the run in progress ends. */
const spent = new WeakSet<PreparedPhase>();

function holdingLock(lock: HeldRunLock, prepared: Omit<PreparedPhase, 'release'>): PreparedPhase {
  const run: PreparedPhase = {
    ...prepared,
    release: async () => {
      spent.add(run);
      await prepared.replicaWatch?.close();
      await giveUp(lock);
    },
  };
  return run;
}

/**
 * Runs a prepared phase's steps with bounded lock waits, journaling each statement, then gives up
 * the run lock. A prepared run applies once: prepare again for another go.
 */
export async function applyPhase(prepared: PreparedPhase): Promise<RunPhaseResult> {
  if (spent.has(prepared)) {
    throw new DbtideError(`this prepared ${prepared.options.phase} was applied or released already`, 1, 'prepare it again: the live schema may have moved on');
  }
  spent.add(prepared);
  const { db, options, ledger, plan, steps, forced, started } = prepared;
  const beforeBatch = inTurn(options.backfill?.beforeBatch, prepared.replicaWatch?.beforeBatch);
  const { phase, declared } = options;
  const emit = emitter(db.name, options.onEvent);
  const retry = retryPolicy(db.dialect.runtime, options.retry);
  noteAppliedCap(db, retry, emit);
  try {
    const runId = await ledger.startRun(phase, declared.release, schemaHash(declared));
    let moreToDo = false;
    try {
      for (const [i, f] of forced.entries()) await ledger.recordForce(runId, i, options.force!, `${f.description}: ${f.count} row(s) differ`);
      for (const sql of db.dialect.runtime.lockTimeout(retry.lockTimeoutMs, false)) await db.conn.query(sql);
      const budget: RowBudget = { rows: options.backfill?.maxRows ?? Infinity, done: 0 };
      const stopIfAsked = stopper(phase, steps.length, options.signal, budget);
      for (const [index, step] of steps.entries()) {
        stopIfAsked(index, `stopped before "${step.description}"`);
        emit({ type: 'step-start', step, index, total: steps.length });
        const stepStarted = Date.now();
        if (step.work) {
          const work = await runWork(db, step, budget, options, retry, emit, beforeBatch);
          if (!work.done) stopIfAsked(index, `"${step.description}" stopped after its last committed batch (${count(work.rowsDone)} row(s) done in all)`);
          moreToDo = !work.done;
          if (moreToDo) break;
        } else {
          const stopInside = (statements: number) => stopIfAsked(index, `stopped inside "${step.description}" after ${statements} of ${step.sql.length} statement(s)`);
          await runStep(db, ledger, { id: runId, phase, release: declared.release }, step, retry, emit, stopInside);
        }
        emit({ type: 'step-done', step, ms: Date.now() - stepStarted });
      }
      if (!moreToDo) await confirmConverged(db, declared, phase);
      await ledger.finishRun(runId, 'done', moreToDo ? 'stopped at the row limit; more to do' : `${steps.length} step(s)`);
    } catch (error) {
      const status = error instanceof Interrupted ? 'interrupted' : 'failed';
      await ledger.finishRun(runId, status, redactText(String((error as Error).message ?? error))).catch(() => {});
      throw error;
    }
    emit({ type: 'phase-done', phase, steps: steps.length, ms: Date.now() - started, moreToDo });
    return { phase, dryRun: false, steps, plan, ms: Date.now() - started, moreToDo };
  } finally {
    await prepared.release();
  }
}

/** Says so when the server waits longer than the cap asked for: MySQL and Db2 count lock waits in whole seconds. */
function noteAppliedCap(db: Database, retry: RetryPolicy, emit: Emit): void {
  const applied = appliedCapMs(db.dialect.runtime, retry.lockTimeoutMs);
  if (applied === retry.lockTimeoutMs) return;
  emit({ type: 'notice', message: `${db.caps.server} counts lock waits in whole seconds: a lock timeout of ${retry.lockTimeoutMs} ms waits ${applied} ms per attempt` });
}

/** Plans the phase against the live schema, refusing when an earlier phase is pending. */
async function planPhase(db: Database, { phase, declared }: PreparePhaseOptions, emit: Emit, dryRun: boolean) {
  const { plan, live } = await planAgainst(db, declared);
  refuseWhenEarlierPhasePending(plan, phase);
  const steps = stepsOf(plan, phase);
  emit({ type: 'phase-start', phase, steps, dryRun });
  return { plan, steps, live };
}

/** Keeps two runs (phases, repairs) apart; waits up to `waitMs` for the other one. */
export async function takeRunLock(db: Database, waitMs: number): Promise<HeldRunLock> {
  const started = Date.now();
  const session = { conn: db.conn, connect: () => db.dialect.connect(db.url), cluster: db.cluster };
  for (;;) {
    const lock = await db.dialect.runtime.tryRunLock(session, RUN_LOCK);
    if (lock) return lock;
    if (Date.now() - started >= waitMs) {
      throw new RunLockHeld(`another dbtide run holds the lock on ${describeTarget(db)}; waited ${Math.round(waitMs / 1000)} s`, db.name, waitMs);
    }
    await sleep(250);
  }
}

/** A lock whose session is gone is gone with it: a failed release has nothing left to give up. */
export const giveUp = (lock: HeldRunLock) => lock.release().catch(() => {});

const describeTarget = (db: Database) => `${db.caps.server} (${redactText(db.url)})`;

export function pendingPhases(plan: Plan): Phase[] {
  return PHASES.filter((p) => stepsOf(plan, p).length > 0);
}

function refuseWhenEarlierPhasePending(plan: Plan, phase: Phase): void {
  const first = pendingPhases(plan)[0];
  if (first === undefined || phaseIndex(first) >= phaseIndex(phase)) return;
  throw new EarlierPhasePending(phase, first, stepsOf(plan, first));
}

/**
 * Every precheck of the phase runs before the first change, so a refusal leaves the database as
 * it was. Returns the verification failures a `force` reason lets through.
 */
async function runPrechecks(db: Database, live: SchemaModel, steps: Step[], emit: Emit, { phase, force, declared }: PreparePhaseOptions): Promise<PrecheckFailure[]> {
  const failures: PrecheckFailure[] = [];
  for (const precheck of steps.flatMap((s) => s.prechecks)) {
    const found = await findOffenders(db, live, precheck);
    emit({ type: 'precheck', precheck, offending: found.count, sample: found.keys.map((k) => describeKey(found.key, k)) });
    if (found.count === 0) continue;
    const { table, kind, description } = precheck;
    failures.push({ table, kind, description, count: found.count, key: found.key, keys: found.keys, fillable: typeof defaultToFill(declared, precheck) !== 'string' });
  }
  const forced = force ? failures.filter((f) => f.kind === 'verification') : [];
  const blocking = failures.filter((f) => !forced.includes(f));
  if (blocking.length > 0) throw new PrecheckFailed(phase, blocking);
  return forced;
}

/** Dual writes need triggers: find out before the first change, not halfway through expand. */
async function refuseWithoutTriggerRights(db: Database): Promise<void> {
  const blocked = await db.dialect.runtime.triggerPreflight(db.conn);
  if (blocked) throw new DbtideError(`the dual-write triggers cannot be created; nothing was changed: ${blocked.problem}`, 1, blocked.fix);
}

/** The rows of data work a run may still do (`rows`), and the rows it did (`done`). */
interface RowBudget {
  rows: number;
  done: number;
}

/**
 * Throws `Interrupted` once the run is asked to stop, saying how far it got: called only where
 * everything before has committed.
 */
function stopper(phase: Phase, total: number, signal: AbortSignal | undefined, budget: RowBudget) {
  return (stepsDone: number, where: string) => {
    if (!signal?.aborted) return;
    const rows = budget.done > 0 ? `, ${count(budget.done)} row(s) of data work in this run` : '';
    throw new Interrupted(phase, signal.reason, `${stepsDone} of ${total} step(s) done${rows}; ${where}`);
  };
}

const count = (n: number) => n.toLocaleString('en-US');

/** Runs a step's data work within the run's row budget; `done` is false when it stopped with work left. */
async function runWork(
  db: Database,
  step: Step,
  budget: RowBudget,
  options: PreparePhaseOptions,
  retry: RetryPolicy,
  emit: Emit,
  beforeBatch: BeforeBatch | undefined,
): Promise<{ done: boolean; rowsDone: number }> {
  const work = step.work!;
  const maxRows = Number.isFinite(budget.rows) ? budget.rows : undefined;
  const signal = options.signal;
  const hook = beforeBatch ? { beforeBatch } : {};
  const progress = (p: { rowsDone: number; batchRows: number; batchMs: number; nextBatch?: number; rowsPerSecond?: number }) =>
    emit({
      type: 'work-progress', step, rowsDone: p.rowsDone, batchRows: p.batchRows, batchMs: p.batchMs, nextBatch: p.nextBatch ?? null,
      rowsPerSecond: p.rowsPerSecond ?? Math.round((p.batchRows / Math.max(1, p.batchMs)) * 1000), totalRows: step.estimatedRows,
    });
  // Where a batch is felt beyond this server, shorter batches, unless the run sets their time: on a
  // cluster every node applies each batch, its own writers' commits waiting behind it (the
  // cluster's batch time); under a replica lag limit, half the limit (batchMsUnderLag).
  const ceilings = [...(db.cluster ? [db.cluster.batchMs] : []), ...(options.replicaLag ? [batchMsUnderLag(options.replicaLag.maxLagMs)] : [])];
  const paced = work.kind === 'backfill' && ceilings.length > 0 && options.backfill?.targetBatchMs === undefined
    ? { ...work.job, targetBatchMs: Math.min(work.job.targetBatchMs ?? BACKFILL_DEFAULTS.targetBatchMs, ...ceilings) }
    : undefined;
  const cap = await writeSetCap(db, step.table);
  const result =
    work.kind === 'backfill'
      ? await runBackfill(db, paced ?? work.job, {
          ...options.backfill,
          ...(cap === null ? {} : { maxBatch: Math.min(options.backfill?.maxBatch ?? BACKFILL_DEFAULTS.maxBatch, cap), minBatch: Math.min(options.backfill?.minBatch ?? BACKFILL_DEFAULTS.minBatch, cap) }),
          ...hook, maxRows, retry, onProgress: progress, signal, ...(step.estimatedRows === null ? {} : { expectedRows: step.estimatedRows }),
        })
      : await runDataMove(db, work.move, { ...(maxRows === undefined ? {} : { maxRows }), ...(cap === null ? {} : { batchSize: Math.min(DATA_MOVE_BATCH, cap) }), ...hook, onProgress: progress, signal });
  budget.rows -= result.rows;
  budget.done += result.rows;
  return result;
}

/** On a cluster that limits a transaction's write set, the most rows a batch of `table` may write (`writeSetBatchCap`). */
async function writeSetCap(db: Database, table: string): Promise<number | null> {
  if (!db.cluster || (db.cluster.writeSetLimit.rows === null && db.cluster.writeSetLimit.bytes === null)) return null;
  const rowBytes = db.cluster.writeSetLimit.bytes === null ? null : ((await db.dialect.averageRowBytes?.(db.conn, table, db.schema === undefined ? undefined : { schema: db.schema })) ?? null);
  return writeSetBatchCap(db.cluster, rowBytes);
}

/** Runs a step's statements with bounded lock waits, journaling each in the run `run`; a rollback's steps too. */
export async function runStep(
  db: Database,
  ledger: Ledger,
  run: { id: string; phase: RunKind; release: string },
  step: Step,
  retry: RetryPolicy,
  emit: Emit,
  /** Called before each statement after the first that commits on its own, with the count committed. */
  stopIfAsked: (statementsDone: number) => void,
): Promise<void> {
  const { id: runId, phase } = run;
  guardStep(policyOf(phase), step.sql, db.dialect.statements, step.raw ? step.id : undefined);
  const runtime = db.dialect.runtime;
  const { atomic, units } = stepScript(db.caps, runtime, step);
  // With its statements, in their transaction where they have one: a raw step ran once recorded.
  const recordRaw = async () => {
    if (step.raw) await ledger.sqlStepDone(runId, run.release, step.id, step.raw.hash);
  };
  const blockers = blockerWatch(db, phase, step, retry, emit);
  // Before the statements: a run stopped after them still finds the job to do again.
  if (step.restartsJob) await ledger.forgetJob(step.restartsJob);
  let index = 0;
  for (const { statements: group, uncapped } of units) {
    if (index > 0) stopIfAsked(index);
    let ran = [...group];
    const startedAt = new Date();
    let attempts = 0;
    const journal = async () => {
      for (const [i, sql] of ran.entries()) await ledger.statementDone(runId, { stepId: step.id, index: index + i, sql, attempts, startedAt });
    };
    const runGroup = async () => {
      ran = [];
      for (const sql of group) {
        emit({ type: 'statement', step, sql });
        ran.push(await runWithFallback(db, step, sql, emit));
      }
    };
    const attempt = async (capMs: number) => {
      if (atomic) {
        await db.conn.transaction(async () => {
          for (const s of runtime.lockTimeout(capMs, true)) await db.conn.query(s);
          await runGroup();
          await journal();
          await recordRaw();
        });
        return;
      }
      const ownCap = uncapped ? null : capMs;
      const session = ownCap !== retry.lockTimeoutMs;
      if (session) for (const s of runtime.lockTimeout(ownCap, false)) await db.conn.query(s);
      try {
        await runGroup();
      } catch (error) {
        // The statement's own error is the one to report, not a failed cleanup's.
        await runtime.cleanupFailedStatement(db.conn, group[0]!).catch(() => {});
        throw error;
      } finally {
        if (session) for (const s of runtime.lockTimeout(retry.lockTimeoutMs, false)) await db.conn.query(s);
      }
    };
    try {
      for (;;) {
        const capMs = uncapped ? retry.lockTimeoutMs : await blockers.clear();
        attempts++;
        try {
          await attempt(capMs);
          break;
        } catch (error) {
          if (!runtime.isLockTimeout(error)) throw error;
          // An attempt that asked without waiting queued no one: a look, not a retry.
          if (capMs === 0) {
            attempts--;
            await blockers.pause();
            continue;
          }
          if (attempts > retry.retries) throw error;
          const waitMs = backoffMs(retry, attempts - 1);
          emit({ type: 'lock-retry', step, sql: group.join('; '), attempt: attempts, waitMs, holders: await lockHolders(db, step) });
          await sleep(waitMs);
        }
      }
      if (!atomic) await journal();
    } catch (error) {
      if (error instanceof BlockedTooLong) throw error;
      const message = redactText((error as Error).message ?? String(error));
      await ledger.statementFailed(runId, { stepId: step.id, index, sql: group.join(';\n'), attempts, startedAt }, message).catch(() => {});
      throw stepFailure(db, phase, step, group, attempts, error, db.dialect.runtime.isLockTimeout(error) ? await lockHolders(db, step) : []);
    }
    index += group.length;
  }
  if (!atomic) await recordRaw();
  for (const job of step.finishesJobs ?? []) await ledger.finishJob(job);
}

/** Runs the statement, or the dialect's other online form of it when the server refuses its algorithm; returns what ran. */
async function runWithFallback(db: Database, step: Step, sql: string, emit: Emit): Promise<string> {
  try {
    await db.conn.query(sql);
    return sql;
  } catch (error) {
    const instead = db.dialect.runtime.onlineFallback(sql, error);
    if (instead === null) throw error;
    emit({ type: 'statement', step, sql: instead });
    try {
      await db.conn.query(instead);
    } catch (fallbackError) {
      throw Object.assign(new Error(`${(error as Error).message}; and online in place:\n  ${instead}\n  ${(fallbackError as Error).message}`), {
        errno: (fallbackError as { errno?: unknown }).errno,
        code: (fallbackError as { code?: unknown }).code,
      });
    }
    return instead;
  }
}

function stepFailure(db: Database, phase: RunKind, step: Step, group: string[], attempts: number, error: unknown, holders: LockHolder[]): StepFailed {
  const reason = redactText((error as Error).message ?? String(error));
  return new StepFailed(phase, step, group, attempts, db.dialect.runtime.isLockTimeout(error), reason, db.dialect.runtime.sessionList, holders);
}

/** After a phase, planning again must find nothing left for it; otherwise a step did not do what it claimed. */
async function confirmConverged(db: Database, declared: DeclaredSchema, phase: Phase): Promise<void> {
  const { plan } = await planAgainst(db, declared);
  const left = stepsOf(plan, phase);
  if (left.length > 0) throw new NotConverged(phase, left.map((s) => s.id));
}
