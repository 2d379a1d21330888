import type { Database } from '../engine.js';
import { nextRange, sameKey, walkEnd } from '../execute/key-ranges.js';
import { laneId, MAX_LANES, type JobCheckpoint, type Ledger } from '../execute/ledger.js';
import { retryPolicy, type RetryPolicy } from '../execute/retry.js';
import type { KeyedJob } from '../model/keyed-table.js';

/**
 * A job's key range cut into lanes, walked by a few sessions side by side. One session's batches
 * leave the server's other cores idle between statements (the round trips, the commit's flush), so
 * on PostgreSQL two sessions finish sooner than one UPDATE of the whole table. Lanes outnumber the
 * sessions and a session takes the next lane once its own is done: ranges of equal rows do not
 * take equal time (where the new row versions land, what is cached), and with two long lanes one
 * session would walk the slower one's remainder alone. A lane is cut when a session takes it, from
 * where the one before ends: cutting them all up front would read the table once before the first
 * batch (on InnoDB, whose key walk reads whole rows, a fifth of a table copy's time). Each lane is
 * recorded with its own checkpoint as it is cut, so a killed run resumes every lane where it
 * stopped and goes on cutting from the last one's end.
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

/** Lanes of about a full batch a job is cut into at most: more sessions than that gain nothing. */
export const FULL_LANES = 16;

/** Rows per lane at least. Below two lanes' worth one session walks the job: a second one's setup would cost more than it saves. */
export const MIN_LANE_ROWS = 50_000;

/**
 * Rows per lane: about one full batch, and at most FULL_LANES lanes. A lane ends in a short batch
 * (the rest of its range) and is cut by a read of its range: lanes much shorter than a batch pay
 * both more often than the balance at the end needs (on MariaDB, a copy in lanes of 100,000 rows
 * ran a tenth faster than in lanes of 50,000), much longer ones leave a session alone at the end.
 */
export const laneRows = (expectedRows: number, fullBatch: number): number =>
  Math.max(MIN_LANE_ROWS, Math.ceil(expectedRows / FULL_LANES), Math.min(fullBatch, Math.floor(expectedRows / 2)));

export interface LaneSize {
  /** Rows of a full lane (laneRows). */
  rowsPerLane: number;
  /** Rows the job is expected to walk: the table's estimate. */
  expected: number;
  sessions: number;
}

/**
 * The size of the next lane, once the rows not cut yet are expected to be fewer than one lane per
 * session: what is left shared among the sessions, down to an eighth of a lane, and no less than
 * the lane ids left can hold. The sessions then run out of work within a short lane of each other,
 * instead of one walking a last full lane alone (on MariaDB, a fifth of a 500,000-row copy, at half
 * the pace of two sessions).
 */
export function nextLaneRows({ rowsPerLane, expected, sessions }: LaneSize, { cut, count }: { cut: number; count: number }): number {
  const left = expected - cut;
  // Beyond the estimate the rest is unknown: full lanes.
  if (left <= 0) return rowsPerLane;
  const shortest = Math.max(Math.ceil(rowsPerLane / 8), Math.ceil(left / Math.max(1, MAX_LANES - count)));
  return Math.min(rowsPerLane, Math.max(shortest, Math.ceil(left / sessions)));
}

export type Start = { done: true; rowsDone: number } | { done: false; rowsDone: number; whole: Lane } | { done: false; rowsDone: number; lanes: Lanes };


const parse = (key: string | null) => (key === null ? null : (JSON.parse(key) as unknown[]));
const laneNumber = (id: string) => Number(id.slice(id.lastIndexOf('#') + 1));

/** The job's checkpoint, or its lanes' when it is walked in lanes; a job starting now is recorded here. */
export async function startOrResume(
  db: Database,
  ledger: Ledger,
  job: KeyedJob,
  { sessions, expectedRows, fullBatch }: { sessions: number; expectedRows: number | undefined; fullBatch: number },
): Promise<Start> {
  // Overcounting statistics only make lanes longer, and fewer.
  const size = { rowsPerLane: laneRows(expectedRows ?? 0, fullBatch), expected: expectedRows ?? 0, sessions };
  const checkpoint = await ledger.jobCheckpoint(job.id);
  if (checkpoint) return resume(ledger, job, checkpoint, size);
  const upper = await walkEnd(db.conn, db.dialect, job);
  if (upper === null) {
    await ledger.startJob(job.id, null, true);
    return { done: true, rowsDone: 0 };
  }
  if (sessions < 2 || (expectedRows ?? 0) < 2 * MIN_LANE_ROWS) {
    await ledger.startJob(job.id, JSON.stringify(upper), false);
    return { done: false, rowsDone: 0, whole: { id: job.id, after: null, upper, rows: 0 } };
  }
  const lanes = new Lanes(job, upper, size, [], { from: null, count: 0, cut: 0 });
  // The job and its first lane together: a job recorded without lanes is walked whole.
  await db.conn.transaction(async () => {
    await ledger.startJob(job.id, JSON.stringify(upper), false);
    await lanes.cut(db, ledger);
  });
  return { done: false, rowsDone: 0, lanes };
}

async function resume(ledger: Ledger, job: KeyedJob, checkpoint: JobCheckpoint, size: LaneSize): Promise<Start> {
  const rowsDone = Number(checkpoint.rows_done);
  if (checkpoint.status === 'done') return { done: true, rowsDone };
  const upper = parse(checkpoint.upper_key)!;
  const saved = [...(await ledger.laneCheckpoints(job.id))].sort(([a], [b]) => laneNumber(a) - laneNumber(b));
  if (saved.length === 0) return { done: false, rowsDone, whole: { id: job.id, after: parse(checkpoint.last_key), upper, rows: rowsDone } };
  const known = saved.map(([id, c]) => ({ id, after: parse(c.last_key), upper: parse(c.upper_key)!, rows: Number(c.rows_done), done: c.status === 'done' }));
  const last = known.at(-1)!;
  // The rows cut before, as full lanes: an overcount only makes the remaining lanes shorter.
  const count = laneNumber(last.id);
  const rest = sameKey(last.upper, upper) ? null : { from: last.upper, count, cut: count * size.rowsPerLane };
  const lanes = new Lanes(job, upper, size, known, rest);
  return { done: false, rowsDone: rowsDone + lanes.rows(), lanes };
}


/**
 * The lanes of one run, handed out one at a time to the sessions that ask: first those an earlier
 * run left unfinished, then new ones cut from where the last one ends.
 */
export class Lanes {
  private readonly all: Lane[];
  private readonly waiting: Lane[];
  /** Serializes the cuts: each starts where the one before ends. */
  private cutting: Promise<unknown> = Promise.resolve();

  /**
   * `rest`: where the range not cut yet begins (null: the first row), how many lanes precede it and
   * the rows they were cut for; null once all is cut.
   */
  constructor(
    private readonly job: KeyedJob,
    private readonly upper: unknown[],
    private readonly size: LaneSize,
    known: (Lane & { done: boolean })[],
    private rest: { from: unknown[] | null; count: number; cut: number } | null,
  ) {
    this.all = known.map(({ done: _, ...lane }) => lane);
    this.waiting = this.all.filter((_, i) => !known[i]!.done);
  }

  /** The next lane for the session `db`, whose ledger records a lane it cuts; null once the job's range is handed out. */
  next(db: Database, ledger: Ledger): Promise<Lane | null> {
    const taken = this.cutting.then(() => this.waiting.shift() ?? (this.rest ? this.cut(db, ledger, false) : null));
    this.cutting = taken.catch(() => {});
    return taken;
  }

  /** Rows done by every lane, finished ones included: what the job records once all are done. */
  rows(): number {
    return this.all.reduce((sum, lane) => sum + lane.rows, 0);
  }

  /** Cuts the next lane and records it with its checkpoint; `queue` leaves it for the next session that asks. */
  async cut(db: Database, ledger: Ledger, queue = true): Promise<Lane | null> {
    if (!this.rest) return null;
    const { from, count, cut } = this.rest;
    const rows = nextLaneRows(this.size, { cut, count });
    const range = count + 1 === MAX_LANES ? null : await nextRange(db.conn, db.dialect, this.job, from, this.upper, rows);
    const end = range === null || range.last ? this.upper : range.end;
    const lane: Lane = { id: laneId(this.job.id, count + 1), after: from, upper: end, rows: 0 };
    await ledger.startJob(lane.id, JSON.stringify(end), false, from && JSON.stringify(from));
    this.rest = end === this.upper ? null : { from: end, count: count + 1, cut: cut + rows };
    this.all.push(lane);
    if (queue) this.waiting.push(lane);
    return lane;
  }
}

/**
 * Runs `work` on `count` sessions at once: the first is the run's session, the others are opened
 * for it, set up like it (schema, lock cap) and closed afterwards. Once one fails, `failed` stops
 * the others after their batch in flight, and its error is the one thrown.
 */
export async function inSessions<T>(
  db: Database,
  count: number,
  retry: Partial<RetryPolicy> | undefined,
  failed: AbortController,
  work: (session: Database, index: number) => Promise<T>,
): Promise<T[]> {
  const { lockTimeoutMs } = retryPolicy(db.dialect.runtime, retry);
  const sessions: Database[] = [db];
  try {
    for (let i = 1; i < count; i++) {
      const conn = await db.dialect.connect(db.url);
      sessions.push({ ...db, conn, close: () => conn.close() });
      for (const sql of [...(db.schema ? db.dialect.runtime.useSchema(db.schema) : []), ...db.dialect.runtime.lockTimeout(lockTimeoutMs, false)]) await conn.query(sql);
    }
    const settled = await Promise.allSettled(
      sessions.map((session, i) =>
        work(session, i).catch((error: unknown) => {
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
