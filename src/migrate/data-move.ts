import type { Database } from '../engine.js';
import type { DataMove } from '../model/transition.js';
import { DbtideError } from '../errors.js';
import { Ledger } from '../execute/ledger.js';
import { retryPolicy, withRetry } from '../execute/retry.js';
import { redactText } from '../redact.js';

/** Rows handed to a data move's call, unless the run says otherwise. */
export const DATA_MOVE_BATCH = 1000;

export interface DataMoveOptions {
  batchSize?: number;
  /** Stop after this many rows in this run; the next run goes on. */
  maxRows?: number;
  onProgress?: (progress: { job: string; rowsDone: number; batchRows: number; batchMs: number }) => void;
  /** Once aborted, the move stops after the call in flight has committed. */
  signal?: AbortSignal;
  /** Awaited before each batch, as the backfill's is (src/migrate/backfill.ts). */
  beforeBatch?: (signal?: AbortSignal) => Promise<void>;
}

export interface DataMoveResult {
  job: string;
  rowsDone: number;
  rows: number;
  done: boolean;
}

/**
 * Calls a TypeScript data move batch by batch. Each call runs in a transaction together with the
 * move's checkpoint, so a killed run loses at most the batch in flight, which the next call
 * finds again (a move selects the rows it has not handled yet).
 */
export async function runDataMove(db: Database, move: DataMove, options: DataMoveOptions = {}): Promise<DataMoveResult> {
  const { conn, dialect } = db;
  const p = dialect.runtime.param;
  const batchSize = options.batchSize ?? DATA_MOVE_BATCH;
  const retry = retryPolicy(dialect.runtime);
  const ledger = new Ledger(conn, dialect);
  const checkpoint = (await ledger.jobCheckpoint(move.id)) ?? (await ledger.startJob(move.id, null, false));
  let rowsDone = Number(checkpoint.rows_done);
  if (checkpoint.status === 'done') return { job: move.id, rowsDone, rows: 0, done: true };
  let rows = 0;
  while ((options.maxRows === undefined || rows < options.maxRows) && !options.signal?.aborted) {
    await options.beforeBatch?.(options.signal);
    if (options.signal?.aborted) break;
    const started = Date.now();
    let batch: { found: number; done: boolean };
    try {
      // A batch rolled back by a lock wait or a conflict (a Galera certification failure) is run again.
      batch = await withRetry(retry, dialect.runtime.isLockTimeout, () => conn.transaction(async () => {
        const size = options.maxRows === undefined ? batchSize : Math.min(batchSize, options.maxRows - rows);
        const result = await move.run({ query: (sql, params) => conn.query(sql, params), param: p, batchSize: size });
        if (!Number.isFinite(result?.found) || typeof result?.done !== 'boolean') {
          throw new DbtideError(`data move "${move.name}" returned ${JSON.stringify(result)}; it must return { found: number, done: boolean }`, 1);
        }
        await ledger.advanceJob(move.id, { rows: result.found, lastKey: null, done: result.done });
        return result;
      }));
    } catch (error) {
      if (error instanceof DbtideError) throw error;
      throw new DbtideError(
        `data move "${move.name}" failed after ${rowsDone} row(s); its last batch was rolled back: ${redactText((error as Error).message ?? String(error))}`,
        1,
        'fix the move (or the data), then run `dbtide migrate` again: it goes on from the last committed batch',
      );
    }
    rows += batch.found;
    rowsDone += batch.found;
    options.onProgress?.({ job: move.id, rowsDone, batchRows: batch.found, batchMs: Date.now() - started });
    if (batch.done) return { job: move.id, rowsDone, rows, done: true };
  }
  return { job: move.id, rowsDone, rows, done: false };
}
