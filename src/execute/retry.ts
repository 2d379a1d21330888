export interface RetryPolicy {
  /** Cap on each lock wait, in milliseconds. */
  lockTimeoutMs: number;
  /** Retries after a lock wait timed out, before giving up. */
  retries: number;
  /** First backoff; doubles each retry, up to `maxBackoffMs`, with jitter. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /**
   * Where set: before a statement that takes a lock on a table, wait (without queuing, so writers
   * never line up behind it) while other sessions hold one, up to this long in all, then give up
   * naming them. Unset: the statement queues for its lock at once, for at most `lockTimeoutMs`.
   */
  maxBlockedMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { lockTimeoutMs: 2000, retries: 10, baseBackoffMs: 250, maxBackoffMs: 10_000 };

/** Full jitter keeps several blocked runs (or replicas of one) from retrying in lock step. */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, retrying only errors `retryable` accepts, with backoff between tries. */
export async function withRetry<T>(
  policy: RetryPolicy,
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
