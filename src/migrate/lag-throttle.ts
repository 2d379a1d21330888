import type { ReplicaReading } from '../dialect.js';
import type { Emit } from '../execute/events.js';

export interface LagThrottleOptions {
  /** Batches wait while any replica is further behind than this. */
  limitMs: number;
  /** Reads every replica's lag; an empty list: no replica to wait for. */
  read: () => Promise<ReplicaReading[]>;
  emit: Emit;
  /**
   * Readings younger than this are reused, and a wait looks again this often: batches of a few ms
   * must not cost a round trip to every replica each. Default: a quarter of the limit, between
   * 20 and 200 ms, so the lag cannot grow far past a tight limit between two readings.
   */
  checkEveryMs?: number;
  /** Said once (as a notice) the first time `read` finds no replica. */
  noReplicas?: string;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const SLOWEST_CHECK_EVERY_MS = 200;
const FASTEST_CHECK_EVERY_MS = 20;

/** How often the lag is read when the caller does not say. */
export function checkEveryFor(limitMs: number): number {
  return Math.max(FASTEST_CHECK_EVERY_MS, Math.min(SLOWEST_CHECK_EVERY_MS, Math.floor(limitMs / 4)));
}

/**
 * The longest batch time under a lag limit, where the run sets none: a replica replays a batch as
 * one transaction, which adds about the batch's own time to its lag, and the throttle only acts
 * between batches.
 */
export function batchMsUnderLag(limitMs: number): number {
  return Math.max(1, Math.floor(limitMs / 2));
}

/** The hook a backfill or data move awaits before each batch (`BackfillOptions.beforeBatch`). */
export type BeforeBatch = (signal?: AbortSignal) => Promise<void>;

/**
 * Holds batches back while any replica lags more than the limit: returns at once while all are
 * within it, else waits (saying so once it starts and once it ends) until they are, or until
 * the signal aborts (the runner then stops, as it would between batches). Concurrent callers
 * (parallel workers) share one reading.
 */
export function lagThrottle(options: LagThrottleOptions): BeforeBatch {
  const { limitMs, emit } = options;
  const every = options.checkEveryMs ?? checkEveryFor(limitMs);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  let last: { at: number; readings: ReplicaReading[] } | null = null;
  let inFlight: Promise<ReplicaReading[]> | null = null;
  let warned = false;

  const fresh = async () => {
    const readings = await options.read();
    last = { at: now(), readings };
    if (readings.length === 0 && !warned && options.noReplicas) {
      warned = true;
      emit({ type: 'notice', message: options.noReplicas });
    }
    return readings;
  };
  const reading = (): Promise<ReplicaReading[]> => {
    if (last && now() - last.at < every) return Promise.resolve(last.readings);
    inFlight ??= fresh().finally(() => (inFlight = null));
    return inFlight;
  };

  return async (signal) => {
    let behind = furthestBehind(await reading(), limitMs);
    if (!behind || signal?.aborted) return;
    const started = now();
    emit({ type: 'replica-wait', replica: behind.replica, lagMs: behind.lagMs, limitMs, reason: behind.why ?? null });
    while (behind) {
      await sleep(every, signal);
      if (signal?.aborted) return;
      behind = furthestBehind(await reading(), limitMs);
    }
    emit({ type: 'replica-resumed', waitedMs: now() - started });
  };
}

/** The replica to name while waiting: one that cannot say how far behind it is first, else the furthest. */
export function furthestBehind(readings: ReplicaReading[], limitMs: number): ReplicaReading | null {
  let worst: ReplicaReading | null = null;
  for (const r of readings) {
    if (r.lagMs !== null && r.lagMs <= limitMs) continue;
    if (worst === null || (worst.lagMs !== null && (r.lagMs === null || r.lagMs > worst.lagMs))) worst = r;
  }
  return worst;
}

/** Resolves after `ms`, or as soon as the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
