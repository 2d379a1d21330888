import { setTimeout as delay } from 'node:timers/promises';
import { nextRange, walkEnd } from '../execute/key-ranges.js';
import type { Database } from '../engine.js';
import { Ledger } from '../execute/ledger.js';
import { retryPolicy, withRetry, type RetryPolicy } from '../execute/retry.js';
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

export const BACKFILL_DEFAULTS = { targetBatchMs: 500, initialBatch: 1000, minBatch: 100, maxBatch: 100_000, sleepMs: 0 };

/** Rows per second over wall time, when each batch of `batchRows` takes `batchMs` and is followed by a pause of `sleepMs`. */
export const paceOf = (batchRows: number, batchMs: number, sleepMs: number): number => (batchRows / Math.max(1, batchMs + sleepMs)) * 1000;

/** An exponential moving average smooths single slow batches (a checkpoint, a lock wait). */
const smooth = (average: number, measured: number) => (average === 0 ? measured : 0.7 * average + 0.3 * measured);

/**
 * Runs a keyset-batched backfill, or a table copy (`CopyJob`). The key range is fixed when the job
 * first starts (its last key then), so rows inserted later, which the dual-write triggers (the
 * copy's triggers) already carry, never keep it going.
 * Each batch commits together with its checkpoint, so a killed run resumes after the last
 * committed batch and never redoes or skips a row.
 */
export async function runBackfill(db: Database, job: KeyedJob, options: BackfillOptions = {}): Promise<BackfillResult> {
  const o = { ...BACKFILL_DEFAULTS, ...(job.targetBatchMs === undefined ? {} : { targetBatchMs: job.targetBatchMs }), ...options };
  const retry = retryPolicy(db.dialect.runtime, options.retry);
  const started = Date.now();
  const { conn, dialect } = db;
  const sql = dialect.backfill;
  const ledger = new Ledger(conn, dialect);

  let checkpoint = await ledger.jobCheckpoint(job.id);
  if (!checkpoint) {
    const upper = await walkEnd(conn, dialect, job);
    checkpoint = await ledger.startJob(job.id, upper && JSON.stringify(upper), upper === null);
  }
  let rowsDone = Number(checkpoint.rows_done);
  const result = (rows: number, batches: number, done: boolean): BackfillResult => ({
    job: job.id, rowsDone, rows, batches, done, ms: Date.now() - started,
  });
  if (checkpoint.status === 'done') return result(0, 0, true);

  const upper = JSON.parse(checkpoint.upper_key!) as unknown[];
  let after = checkpoint.last_key === null ? null : (JSON.parse(checkpoint.last_key) as unknown[]);
  let size = o.initialBatch;
  let rate = 0;
  let pace = 0;
  let rows = 0;
  let batches = 0;
  for (const s of sql.quietTriggers(true)) await conn.query(s);
  try {
    while ((options.maxRows === undefined || rows < options.maxRows) && !options.signal?.aborted) {
      await options.beforeBatch?.(options.signal);
      if (options.signal?.aborted) break;
      const limit = options.maxRows === undefined ? size : Math.min(size, options.maxRows - rows);
      const batchStarted = Date.now();
      const batch = await withRetry(retry, dialect.runtime.isLockTimeout, () => runBatch(db, ledger, job, after, upper, limit));
      const batchMs = Math.max(1, Date.now() - batchStarted);
      const n = batch.rows;
      after = batch.end;
      rows += n;
      rowsDone += n;
      batches++;
      // The batch size follows the rate of rows walked, written or not (the new version's rows are
      // skipped); the pause would only shrink batches.
      const walked = batch.last ? n : limit;
      rate = smooth(rate, paceOf(walked, batchMs, 0));
      pace = smooth(pace, paceOf(n, batchMs, o.sleepMs));
      size = Math.min(o.maxBatch, Math.max(o.minBatch, Math.round((rate * o.targetBatchMs) / 1000)));
      options.onProgress?.({ job: job.id, rowsDone, batchRows: n, batchMs, nextBatch: size, rowsPerSecond: Math.round(pace) });
      if (batch.last) return result(rows, batches, true);
      if (o.sleepMs > 0) {
        // A stop request ends the pause early; the loop then sees it.
        await delay(o.sleepMs, undefined, { signal: options.signal }).catch((error: unknown) => {
          if (!options.signal?.aborted) throw error;
        });
      }
    }
    return result(rows, batches, false);
  } finally {
    for (const s of sql.quietTriggers(false)) await conn.query(s).catch(() => {});
  }
}

interface Batch {
  rows: number;
  /** The batch's last key: where the next one starts. */
  end: unknown[];
  /** True when the batch reached the job's upper key. */
  last: boolean;
}

/** One batch and its checkpoint, in one transaction. */
async function runBatch(
  db: Database,
  ledger: Ledger,
  job: KeyedJob,
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
    await ledger.advanceJob(job.id, { rows, lastKey: JSON.stringify(range.end), done: range.last });
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
  return 'copy' in job ? copySql(db, job).copyRows(job.table, job.copy, hasAfter) : [db.dialect.backfill.update(job, hasAfter)];
}

