import type { RuntimeSql } from '../dialect.js';

export interface RetryPolicy {
  /** Cap on each lock wait, in milliseconds: what writers queued behind one attempt wait at most. */
  lockTimeoutMs: number;
  /** Retries after a lock wait timed out, before giving up. */
  retries: number;
  /** First backoff; doubles each retry, up to `maxBackoffMs`, with jitter. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /**
   * How long a step may wait in all for other sessions' locks on its table (watching them without
   * queuing, and in attempts that timed out) before it gives up naming them.
   */
  maxBlockedMs: number;
  /**
   * Before each attempt, wait while sessions hold a lock on the step's table, without asking for
   * it, so no writer queues behind a lock request meanwhile. False: attempt at once, and let
   * writers queue behind each attempt for up to `lockTimeoutMs` (what a plain script does).
   */
  waitForHolders: boolean;
}

/**
 * Short attempts, many of them: a blocker that appears between the look and the attempt costs
 * writers one cap, never a stack of them.
 */
const DEFAULTS: Omit<RetryPolicy, 'lockTimeoutMs'> = { retries: 30, baseBackoffMs: 50, maxBackoffMs: 2000, maxBlockedMs: 300_000, waitForHolders: true };

/** The policy a run uses: the dialect's cap unless one is given, and the defaults above. */
export function retryPolicy(runtime: Pick<RuntimeSql, 'lockWait'>, given: Partial<RetryPolicy> = {}): RetryPolicy {
  return { lockTimeoutMs: runtime.lockWait.capMs, ...DEFAULTS, ...given };
}

/** The cap the server really applies: MySQL and Db2 count lock waits in whole seconds. */
export const appliedCapMs = (runtime: Pick<RuntimeSql, 'lockWait'>, ms: number) => Math.ceil(ms / runtime.lockWait.unitMs) * runtime.lockWait.unitMs;

/** Full jitter keeps several blocked runs (or replicas of one) from retrying in lock step. */
export function backoffMs(policy: Pick<RetryPolicy, 'baseBackoffMs' | 'maxBackoffMs'>, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, retrying only errors `retryable` accepts, with backoff between tries. */
export async function withRetry<T>(
  policy: Pick<RetryPolicy, 'retries' | 'baseBackoffMs' | 'maxBackoffMs'>,
  retryable: (error: unknown) => boolean,
  attempt: (tryNumber: number) => Promise<T>,
  // Awaited: a caller may read what blocked the attempt before the backoff begins.
  onRetry: (error: unknown, tryNumber: number, waitMs: number) => unknown = () => {},
): Promise<T> {
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      return await attempt(tryNumber);
    } catch (error) {
      if (!retryable(error) || tryNumber > policy.retries) throw error;
      const wait = backoffMs(policy, tryNumber - 1);
      await onRetry(error, tryNumber, wait);
      await sleep(wait);
    }
  }
}
