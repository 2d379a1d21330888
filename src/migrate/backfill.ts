import { setTimeout as delay } from 'node:timers/promises';
import { nextRange } from '../execute/key-ranges.js';
import type { Database } from '../engine.js';
import { Ledger } from '../execute/ledger.js';
import { retryPolicy, withRetry, type RetryPolicy } from '../execute/retry.js';
import { inSessions, startOrResume, type Lane, type Lanes } from './backfill-lanes.js';
import type { KeyedJob } from '../model/keyed-table.js';

export interface BackfillOptions {
  /** Batch size follows the measured rate so that one batch takes about this long. */
  targetBatchMs?: number;
  initialBatch?: number;
  minBatch?: number;
  maxBatch?: number;
  /** Pause between batches, to leave room for the application. */
  sleepMs?: number;
  /** Stop after this many rows in this run; the checkpoint lets the next run go on. */
  maxRows?: number;
  retry?: Partial<RetryPolicy>;
  onProgress?: (progress: BackfillProgress) => void;
  /** Once aborted, the backfill stops after the batch in flight has committed (and skips its pause). */
  signal?: AbortSignal;
  /**
   * Sessions that walk a large job side by side, each taking the next of its key ranges once it is
   * done with one. One where the database takes a single session (the embedded one); by default
   * two, or one when `sleepMs` asks for pauses.
   */
  workers?: number;
  /** The rows the planner estimated: what the key ranges are split by. */
  expectedRows?: number;
  /** Awaited before each batch: holds the work back while the servers need room (replica lag). */
  beforeBatch?: (signal?: AbortSignal) => Promise<void>;
}

export interface BackfillProgress {
  job: string;
  rowsDone: number;
  batchRows: number;
  batchMs: number;
  nextBatch: number;
  /** Over wall time, pauses (`sleepMs`) included: the pace an ETA can rely on. */
  rowsPerSecond: number;
}

export interface BackfillResult {
  job: string;
  /** Rows done over every run of this job. */
  rowsDone: number;
  /** Rows done by this run. */
  rows: number;
  batches: number;
  done: boolean;
  ms: number;
}

export const BACKFILL_DEFAULTS = { targetBatchMs: 500, initialBatch: 1000, minBatch: 100, maxBatch: 100_000, sleepMs: 0, workers: 2 };

/** Rows per second over wall time, when each batch of `batchRows` takes `batchMs` and is followed by a pause of `sleepMs`. */
export const paceOf = (batchRows: number, batchMs: number, sleepMs: number): number => (batchRows / Math.max(1, batchMs + sleepMs)) * 1000;

/** An exponential moving average smooths single slow batches (a checkpoint, a lock wait). */
const smooth = (average: number, measured: number) => (average === 0 ? measured : 0.7 * average + 0.3 * measured);

type Settings = typeof BACKFILL_DEFAULTS & BackfillOptions;

/** What the sessions of one run share: the row budget, the counts, and a stop once one session fails. */
interface RunState {
  o: Settings;
  job: KeyedJob;
  rowsDone: number;
  rows: number;
  batches: number;
  /** Rows this run may still take; a session takes its batch's share before the batch. */
  budget: number;
  /** Each session's pace: the run's is their sum. */
  paces: number[];
  failed: AbortController;
}

/**
 * Runs a keyset-batched backfill, or a table copy (`CopyJob`). The key range is fixed when the job
 * first starts (its last key then), so rows inserted later, which the dual-write triggers (the
 * copy's triggers) already carry, never keep it going. A large job is split into key ranges walked
 * by a few sessions side by side (src/migrate/backfill-lanes.ts).
 * Each batch commits together with its checkpoint, so a killed run resumes after the last
 * committed batch and never redoes or skips a row.
 */
export async function runBackfill(db: Database, job: KeyedJob, options: BackfillOptions = {}): Promise<BackfillResult> {
  const o: Settings = { ...BACKFILL_DEFAULTS, ...(job.targetBatchMs === undefined ? {} : { targetBatchMs: job.targetBatchMs }), ...options };
  const started = Date.now();
  const ledger = new Ledger(db.conn, db.dialect);
  // A pause between batches asks for room for the application, which a second session would take.
  const workers = options.workers ?? ('copy' in job ? job.workers : undefined) ?? (o.sleepMs > 0 ? 1 : BACKFILL_DEFAULTS.workers);
  const sessions = db.dialect.concurrentSessions(db.url) ? workers : 1;
  const start = await startOrResume(db, ledger, job, { sessions, expectedRows: options.expectedRows, fullBatch: o.maxBatch });
  const state: RunState = {
    o, job, rowsDone: start.rowsDone, rows: 0, batches: 0, budget: options.maxRows ?? Infinity, paces: [], failed: new AbortController(),
  };
  const result = (done: boolean): BackfillResult => ({ job: job.id, rowsDone: state.rowsDone, rows: state.rows, batches: state.batches, done, ms: Date.now() - started });
  if (start.done) return result(true);
  if ('whole' in start) return result(await quietly(db, () => walk(db, ledger, start.whole, pacingOf(0, state), state)));
  const { lanes } = start;
  const walked = await inSessions(db, sessions, o.retry, state.failed, (session, i) => walkLanes(session, new Ledger(session.conn, db.dialect), lanes, i, state));
  if (!walked.every(Boolean)) return result(false);
  await db.conn.transaction(() => ledger.finishLanes(job.id, lanes.rows()));
  return result(true);
}

/** The backfill's own writes, which dbtide's triggers tell from the application's and leave alone. */
async function quietly<T>(db: Database, work: () => Promise<T>): Promise<T> {
  const sql = db.dialect.backfill;
  for (const s of sql.quietTriggers(true)) await db.conn.query(s);
  try {
    return await work();
  } finally {
    for (const s of sql.quietTriggers(false)) await db.conn.query(s).catch(() => {});
  }
}

/**
 * One session's batch size: it follows the rate the session measured, from one lane to the next,
 * under `cap`, which a conflict halves and each batch without one raises by an eighth (as TCP
 * sizes its window): batches stay as large as the writers they meet let them be.
 */
interface Pacing {
  index: number;
  size: number;
  rate: number;
  cap: number;
}

const pacingOf = (index: number, state: RunState): Pacing => {
  state.paces[index] = 0;
  return { index, size: Math.min(state.o.initialBatch, state.o.maxBatch), rate: 0, cap: state.o.maxBatch };
};

/** Walks the lanes the session `db` is handed until none is left; true when every one it took reached its end. */
async function walkLanes(db: Database, ledger: Ledger, lanes: Lanes, index: number, state: RunState): Promise<boolean> {
  const pacing = pacingOf(index, state);
  const stopped = () => state.budget <= 0 || state.o.signal?.aborted === true || state.failed.signal.aborted;
  const walked = await quietly(db, async () => {
    while (!stopped()) {
      const lane = await lanes.next(db, ledger);
      if (lane === null) return true;
      if (!(await walk(db, ledger, lane, pacing, state))) return false;
    }
    return false;
  });
  // A session with nothing left to walk adds nothing to the run's pace.
  state.paces[index] = 0;
  return walked;
}

/** Walks one lane (the whole job when it has none) from its checkpoint; true when it reached its end. */
async function walk(db: Database, ledger: Ledger, lane: Lane, pacing: Pacing, state: RunState): Promise<boolean> {
  const { o, job } = state;
  const retry = retryPolicy(db.dialect.runtime, o.retry);
  let after = lane.after;
  const stopped = () => o.signal?.aborted === true || state.failed.signal.aborted;
  while (state.budget > 0 && !stopped()) {
    await o.beforeBatch?.(o.signal);
    if (stopped()) break;
    const taken = Math.min(pacing.size, state.budget);
    state.budget -= taken;
    let limit = taken;
    let conflicted = false;
    let batchStarted = Date.now();
    // A batch rolled back by a lock wait or a conflict (a deadlock; on Galera, another node's write
    // to one of its rows committed first) is retried at half the size: the more rows a batch
    // holds, the likelier it meets a writer's.
    const batch = await withRetry(retry, db.dialect.runtime.isLockTimeout, (tryNumber) => {
      if (tryNumber > 1) {
        conflicted = true;
        limit = pacing.cap = Math.max(Math.min(o.minBatch, limit), Math.floor(limit / 2));
      }
      batchStarted = Date.now();
      return runBatch(db, ledger, job, lane.id, after, lane.upper, limit);
    });
    if (!conflicted) pacing.cap = Math.min(o.maxBatch, pacing.cap + Math.max(o.minBatch, Math.ceil(pacing.cap / 8)));
    const batchMs = Math.max(1, Date.now() - batchStarted);
    const n = batch.rows;
    state.budget += taken - n;
    after = batch.end;
    lane.rows += n;
    state.rows += n;
    state.rowsDone += n;
    state.batches++;
    // The batch size follows the rate of rows walked, written or not (the new version's rows are
    // skipped); the pause would only shrink batches. A lane's short last batch says nothing of the rate.
    if (!batch.last || n >= pacing.size / 2 || pacing.rate === 0) pacing.rate = smooth(pacing.rate, paceOf(batch.last ? n : limit, batchMs, 0));
    state.paces[pacing.index] = smooth(state.paces[pacing.index]!, paceOf(n, batchMs, o.sleepMs));
    pacing.size = Math.min(pacing.cap, Math.max(o.minBatch, Math.round((pacing.rate * o.targetBatchMs) / 1000)));
    const rowsPerSecond = Math.round(state.paces.reduce((a, b) => a + b, 0));
    o.onProgress?.({ job: job.id, rowsDone: state.rowsDone, batchRows: n, batchMs, nextBatch: pacing.size, rowsPerSecond });
    if (batch.last) return true;
    if (o.sleepMs > 0) {
      // A stop request ends the pause early; the loop then sees it.
      await delay(o.sleepMs, undefined, { signal: o.signal }).catch((error: unknown) => {
        if (!o.signal?.aborted) throw error;
      });
    }
  }
  return false;
}

interface Batch {
  rows: number;
  /** The batch's last key: where the next one starts. */
  end: unknown[];
  /** True when the batch reached the job's upper key. */
  last: boolean;
}

/** One batch and its checkpoint (the job's, or its lane's), in one transaction. */
async function runBatch(
  db: Database,
  ledger: Ledger,
  job: KeyedJob,
  checkpointId: string,
  after: unknown[] | null,
  upper: unknown[],
  limit: number,
): Promise<Batch> {
  const { conn, dialect } = db;
  if ('copy' in job) for (const s of copySql(db, job).beforeBatch) await conn.query(s);
  return conn.transaction(async () => {
    const range = await nextRange(conn, dialect, job, after, upper, limit);
    let updated: { n: unknown } | undefined;
    for (const sql of batchSql(db, job, after !== null)) [updated] = await conn.query<{ n: unknown }>(sql, [...range.after, ...range.end]);
    const rows = Number(updated?.n ?? 0);
    await ledger.advanceJob(checkpointId, { rows, lastKey: JSON.stringify(range.end), done: range.last });
    return { rows, end: range.end, last: range.last };
  });
}

function copySql({ dialect }: Database, job: KeyedJob) {
  const sql = dialect.transitions.tableCopy;
  if (!sql) throw new Error(`internal: job ${job.id} copies a table, which dialect ${dialect.name} has no SQL for`);
  return sql;
}

/** The batch's statements, run in order with the same parameters; the last answers `n`. */
function batchSql(db: Database, job: KeyedJob, hasAfter: boolean): string[] {
  return 'copy' in job ? copySql(db, job).copyRows(job.table, job.copy, hasAfter, job.fills) : [db.dialect.backfill.update(job, hasAfter)];
}

