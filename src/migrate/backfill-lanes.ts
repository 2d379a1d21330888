import type { Database } from '../engine.js';
import { nextRange, walkEnd } from '../execute/key-ranges.js';
import { laneId, MAX_LANES, type JobCheckpoint, type Ledger } from '../execute/ledger.js';
import { retryPolicy, type RetryPolicy } from '../execute/retry.js';
import type { KeyedJob } from '../model/keyed-table.js';

/**
 * A job's key range split into lanes, each walked by a session of its own. One session's batches
 * leave the server's other cores idle between statements (the round trips, the commit's flush),
 * so on PostgreSQL two sessions finish 1.5 times sooner than one UPDATE of the whole table. The
 * split is fixed when the job first starts and each lane keeps its own checkpoint, so a killed run
 * resumes every lane where it stopped.
 */

/** A key range walked by one session: the whole job, or one lane of it. */
export interface Lane {
  /** Its checkpoint's id: the job's, or the lane's. */
  id: string;
  /** The key it goes on after; null from the first row. */
  after: unknown[] | null;
  upper: unknown[];
  /** Rows done in the range, over every run. */
  rows: number;
}

/** Below this many rows per lane one session walks the job: a second one's setup would cost more than it saves. */
export const MIN_LANE_ROWS = 50_000;

export interface Start {
  done: boolean;
  /** Rows done over every run of the job. */
  rowsDone: number;
  /** The ranges left to walk. */
  lanes: Lane[];
  /** Rows done by every lane, finished ones included: what the job records once all are done. */
  laneRows: () => number;
}

const parse = (key: string | null) => (key === null ? null : (JSON.parse(key) as unknown[]));

/** The job's checkpoint, or its lanes' when it was split; a job starting now is split here. */
export async function startOrResume(db: Database, ledger: Ledger, job: KeyedJob, workers: number, expectedRows: number | undefined): Promise<Start> {
  const checkpoint = await ledger.jobCheckpoint(job.id);
  if (checkpoint) return resume(ledger, job, checkpoint);
  const upper = await walkEnd(db.conn, db.dialect, job);
  if (upper === null) {
    await ledger.startJob(job.id, null, true);
    return { done: true, rowsDone: 0, lanes: [], laneRows: () => 0 };
  }
  const wanted = db.dialect.concurrentSessions(db.url) ? Math.min(workers, MAX_LANES, Math.floor((expectedRows ?? 0) / MIN_LANE_ROWS)) : 1;
  if (wanted < 2) {
    await ledger.startJob(job.id, JSON.stringify(upper), false);
    return single(job.id, null, upper, 0);
  }
  const lanes = await split(db, job, upper, wanted, expectedRows!);
  await db.conn.transaction(async () => {
    await ledger.startJob(job.id, JSON.stringify(upper), false);
    for (const lane of lanes) await ledger.startJob(lane.id, JSON.stringify(lane.upper), false, lane.after && JSON.stringify(lane.after));
  });
  return { done: false, rowsDone: 0, lanes, laneRows: () => sumRows(lanes) };
}

const sumRows = (lanes: Lane[]) => lanes.reduce((sum, lane) => sum + lane.rows, 0);

function single(id: string, after: unknown[] | null, upper: unknown[], rows: number): Start {
  return { done: false, rowsDone: rows, lanes: [{ id, after, upper, rows }], laneRows: () => rows };
}

async function resume(ledger: Ledger, job: KeyedJob, checkpoint: JobCheckpoint): Promise<Start> {
  const rowsDone = Number(checkpoint.rows_done);
  if (checkpoint.status === 'done') return { done: true, rowsDone, lanes: [], laneRows: () => 0 };
  const saved = await ledger.laneCheckpoints(job.id);
  if (saved.size === 0) return single(job.id, parse(checkpoint.last_key), parse(checkpoint.upper_key)!, rowsDone);
  const lanes = [...saved].map(([id, c]) => ({ lane: { id, after: parse(c.last_key), upper: parse(c.upper_key)!, rows: Number(c.rows_done) }, done: c.status === 'done' }));
  const laneRows = () => sumRows(lanes.map((l) => l.lane));
  return { done: false, rowsDone: rowsDone + laneRows(), lanes: lanes.filter((l) => !l.done).map((l) => l.lane), laneRows };
}

/**
 * `n` ranges of about equal rows, up to `upper`. Statistics may count more rows than the table
 * holds: the estimate is halved while the first boundary would reach the end.
 */
async function split(db: Database, job: KeyedJob, upper: unknown[], n: number, expectedRows: number): Promise<Lane[]> {
  const reachesEnd = (key: unknown[]) => JSON.stringify(key) === JSON.stringify(upper);
  const boundary = async (rows: number) => {
    const range = await nextRange(db.conn, db.dialect, job, null, upper, Math.max(1, Math.round(rows)));
    return range.last || reachesEnd(range.end) ? null : range.end;
  };
  let rows = expectedRows;
  while ((await boundary(rows / n)) === null && rows >= 2 * MIN_LANE_ROWS) rows /= 2;
  const lanes: Lane[] = [];
  let after: unknown[] | null = null;
  for (let i = 1; i <= n; i++) {
    const end = i === n ? null : await boundary((rows * i) / n);
    lanes.push({ id: laneId(job.id, i), after, upper: end ?? upper, rows: 0 });
    if (end === null) break;
    after = end;
  }
  return lanes;
}

/**
 * Runs `work` on every lane at once: the first on the run's session, the others on sessions opened
 * for them, set up like it (schema, lock cap) and closed afterwards. Once one lane fails, `failed`
 * stops the others after their batch in flight, and its error is the one thrown.
 */
export async function inLanes<T>(
  db: Database,
  lanes: Lane[],
  retry: Partial<RetryPolicy> | undefined,
  failed: AbortController,
  work: (session: Database, lane: Lane, index: number) => Promise<T>,
): Promise<T[]> {
  const { lockTimeoutMs } = retryPolicy(db.dialect.runtime, retry);
  const sessions: Database[] = [db];
  try {
    for (let i = 1; i < lanes.length; i++) {
      const conn = await db.dialect.connect(db.url);
      sessions.push({ ...db, conn, close: () => conn.close() });
      for (const sql of [...(db.schema ? db.dialect.runtime.useSchema(db.schema) : []), ...db.dialect.runtime.lockTimeout(lockTimeoutMs, false)]) await conn.query(sql);
    }
    const settled = await Promise.allSettled(
      lanes.map((lane, i) =>
        work(sessions[i]!, lane, i).catch((error: unknown) => {
          failed.abort(error);
          throw error;
        }),
      ),
    );
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  } finally {
    for (const session of sessions.slice(1)) await session.close().catch(() => {});
  }
}
