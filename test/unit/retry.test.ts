import { describe, expect, it } from 'vitest';
import { appliedCapMs, backoffMs, retryPolicy, withRetry, type RetryPolicy } from '../../src/execute/retry.js';

const policy = (extra: Partial<RetryPolicy> = {}): RetryPolicy => ({
  lockTimeoutMs: 100,
  retries: 3,
  baseBackoffMs: 100,
  maxBackoffMs: 1000,
  maxBlockedMs: 1000,
  waitForHolders: true,
  ...extra,
});

class LockTimeout extends Error {}
const retryable = (e: unknown) => e instanceof LockTimeout;

describe('backoffMs', () => {
  it("the defaults: the dialect's cap, many short jittered retries, five minutes of waiting for blockers", () => {
    expect(retryPolicy({ lockWait: { capMs: 50, unitMs: 1 } })).toEqual({ lockTimeoutMs: 50, retries: 30, baseBackoffMs: 50, maxBackoffMs: 2000, maxBlockedMs: 300_000, waitForHolders: true });
    expect(retryPolicy({ lockWait: { capMs: 1000, unitMs: 1000 } }, { lockTimeoutMs: 200, waitForHolders: false })).toMatchObject({ lockTimeoutMs: 200, retries: 30, waitForHolders: false });
  });

  it.each([
    [1, 50, 50],
    [1000, 500, 1000],
    [1000, 1000, 1000],
    [1000, 1001, 2000],
    [1000, 0, 0],
  ])('a server counting in steps of %i ms applies a cap of %i ms as %i ms', (unitMs, ms, applied) => {
    expect(appliedCapMs({ lockWait: { capMs: 1, unitMs } }, ms)).toBe(applied);
  });

  it.each([
    // attempt, random 0 (lower bound: half the ceiling), random 1 (upper bound: the ceiling)
    [0, 50, 100],
    [1, 100, 200],
    [2, 200, 400],
    [3, 400, 800],
    [4, 500, 1000], // capped: 1600 -> 1000
    [10, 500, 1000],
    [2000, 500, 1000], // 2 ** 2000 is Infinity; still capped
  ])('attempt %i lies in [%i, %i]', (attempt, low, high) => {
    const p = policy();
    expect(backoffMs(p, attempt, () => 0)).toBe(low);
    expect(backoffMs(p, attempt, () => 1)).toBe(high);
    expect(backoffMs(p, attempt, () => 0.5)).toBe(Math.round((low + high) / 2));
  });

  it('rounds to whole milliseconds', () => {
    expect(backoffMs(policy({ baseBackoffMs: 3 }), 0, () => 0)).toBe(2); // 1.5 -> 2
    expect(backoffMs(policy({ baseBackoffMs: 3 }), 0, () => 0.3)).toBe(2); // 1.95 -> 2
    expect(backoffMs(policy({ baseBackoffMs: 7 }), 1, () => 0.25)).toBe(9); // 7 + 1.75 = 8.75 -> 9
  });

  it('uses Math.random by default and stays within bounds', () => {
    const p = policy();
    for (let i = 0; i < 50; i++) {
      const ms = backoffMs(p, 2);
      expect(ms).toBeGreaterThanOrEqual(200);
      expect(ms).toBeLessThanOrEqual(400);
    }
  });

  it('a cap below the base caps the first backoff too', () => {
    expect(backoffMs(policy({ baseBackoffMs: 500, maxBackoffMs: 100 }), 0, () => 1)).toBe(100);
  });
});

describe('withRetry', () => {
  const fast = policy({ baseBackoffMs: 1, maxBackoffMs: 2 });

  it('returns the first success without retrying', async () => {
    const tries: number[] = [];
    const retries: unknown[] = [];
    const result = await withRetry(fast, retryable, async (n) => {
      tries.push(n);
      return 'ok';
    }, (...args) => retries.push(args));
    expect([result, tries, retries]).toEqual(['ok', [1], []]);
  });

  it('retries retryable errors with try numbers, calling onRetry before each retry', async () => {
    const tries: number[] = [];
    const calls: [unknown, number, number][] = [];
    const errors = [new LockTimeout('1'), new LockTimeout('2')];
    const result = await withRetry(
      fast,
      retryable,
      async (n) => {
        tries.push(n);
        if (n <= errors.length) throw errors[n - 1];
        return n * 10;
      },
      (error, n, wait) => calls.push([error, n, wait]),
    );
    expect(result).toBe(30);
    expect(tries).toEqual([1, 2, 3]);
    expect(calls.map(([e, n]) => [e, n])).toEqual([
      [errors[0], 1],
      [errors[1], 2],
    ]);
    // waits: attempt 0 -> [0.5, 1] rounds to 1; attempt 1 -> ceiling min(2, 2) -> [1, 2]
    expect(calls[0]![2]).toBe(1);
    expect(calls[1]![2]).toBeGreaterThanOrEqual(1);
    expect(calls[1]![2]).toBeLessThanOrEqual(2);
  });

  it('gives up after `retries` retries (retries + 1 tries) and rethrows the last error', async () => {
    const tries: number[] = [];
    const seen: number[] = [];
    const failing = withRetry(
      policy({ retries: 2, baseBackoffMs: 1, maxBackoffMs: 1 }),
      retryable,
      async (n) => {
        tries.push(n);
        throw new LockTimeout(`try ${n}`);
      },
      (_e, n) => seen.push(n),
    );
    await expect(failing).rejects.toThrow(new LockTimeout('try 3'));
    expect(tries).toEqual([1, 2, 3]);
    expect(seen).toEqual([1, 2]);
  });

  it('retries: 0 means a single try', async () => {
    const tries: number[] = [];
    await expect(
      withRetry(policy({ retries: 0 }), retryable, async (n) => {
        tries.push(n);
        throw new LockTimeout('once');
      }),
    ).rejects.toBeInstanceOf(LockTimeout);
    expect(tries).toEqual([1]);
  });

  it('does not retry an error that is not retryable', async () => {
    const tries: number[] = [];
    const seen: number[] = [];
    const boom = new Error('syntax error');
    await expect(
      withRetry(
        fast,
        retryable,
        async (n) => {
          tries.push(n);
          throw boom;
        },
        (_e, n) => seen.push(n),
      ),
    ).rejects.toBe(boom);
    expect([tries, seen]).toEqual([[1], []]);
  });

  it('stops retrying when a later error is not retryable', async () => {
    const tries: number[] = [];
    const fatal = new Error('deadlock? no: permission denied');
    await expect(
      withRetry(fast, retryable, async (n) => {
        tries.push(n);
        throw n === 1 ? new LockTimeout('first') : fatal;
      }),
    ).rejects.toBe(fatal);
    expect(tries).toEqual([1, 2]);
  });

  it('passes the error itself to retryable', async () => {
    const judged: unknown[] = [];
    const e = new LockTimeout('x');
    await withRetry(
      fast,
      (err) => {
        judged.push(err);
        return true;
      },
      async (n) => {
        if (n === 1) throw e;
        return null;
      },
    );
    expect(judged).toEqual([e]);
    expect(judged[0]).toBe(e);
  });
});
