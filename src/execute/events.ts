import type { LockHolder } from '../model/locks.js';
import type { Precheck, RunKind, Step } from '../plan/step.js';

/**
 * Progress of a run, for the CLI's output and for library callers. `target` names the database
 * (`Database.name`), so one sink can follow runs on many databases.
 */
export type RunEvent = { target: string } & RunEventBody;

/** An event as the run emits it; `emitter` adds the target. */
export type RunEventBody =
  | { type: 'resumed'; interruptedRuns: number }
  /** Something the operator should know about how the run behaves (a cap the server rounds up). */
  | { type: 'notice'; message: string }
  | { type: 'phase-start'; phase: RunKind; steps: Step[]; dryRun: boolean }
  | { type: 'precheck'; precheck: Precheck; offending: number; sample: string[] }
  | { type: 'step-start'; step: Step; index: number; total: number }
  | { type: 'statement'; step: Step; sql: string }
  | { type: 'lock-retry'; step: Step; sql: string; attempt: number; waitMs: number; holders: LockHolder[] }
  /** Other sessions hold a lock on the step's table: the step waits for them without queuing (`maxBlockedMs`). */
  | { type: 'blocked'; step: Step; holders: LockHolder[]; waitedMs: number }
  | { type: 'step-done'; step: Step; ms: number }
  /**
   * A backfill or data move committed a batch; `totalRows` is the table's estimate, when known.
   * `rowsPerSecond` is over wall time, the pauses between batches included, so an ETA holds.
   * `batchMs`: how long the batch took; `nextBatch`: the rows the next batch takes, as the
   * batch-time target sized it (null where a data move's size is fixed).
   */
  | { type: 'work-progress'; step: Step; rowsDone: number; batchRows: number; batchMs: number; nextBatch: number | null; rowsPerSecond: number; totalRows: number | null }
  /**
   * Data work waits before its next batch: `replica` is further behind than `limitMs` (`lagMs` null:
   * it cannot say how far, `reason` says why, e.g. its replication threads are stopped).
   */
  | { type: 'replica-wait'; replica: string; lagMs: number | null; limitMs: number; reason: string | null }
  /** Every replica is within the limit again: data work goes on, after waiting `waitedMs`. */
  | { type: 'replica-resumed'; waitedMs: number }
  | { type: 'phase-done'; phase: RunKind; steps: number; ms: number; moreToDo: boolean };

export type EventSink = (event: RunEvent) => void;

export type Emit = (event: RunEventBody) => void;

/** Sends a run's events on `target` to `sink` (none: drops them). */
export const emitter = (target: string, sink: EventSink | undefined): Emit => (sink ? (event) => sink({ ...event, target }) : () => {});
