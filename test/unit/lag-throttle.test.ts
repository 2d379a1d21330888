import { describe, expect, it } from 'vitest';
import { progressPrinter } from '../../src/cli/progress.js';
import type { ReplicaReading } from '../../src/dialect.js';
import type { RunEventBody } from '../../src/execute/events.js';
import { abortableSleep, batchMsUnderLag, checkEveryFor, furthestBehind, lagThrottle } from '../../src/migrate/lag-throttle.js';
import { inTurn } from '../../src/migrate/replica-lag.js';

/** A lag source that answers from a script, on a clock that only the throttle's sleeps move. */
function scripted(lags: (number | null)[][], checkEveryMs = 200) {
  let clock = 0;
  let reads = 0;
  const events: RunEventBody[] = [];
  const read = async (): Promise<ReplicaReading[]> => {
    const row = lags[Math.min(reads, lags.length - 1)]!;
    reads++;
    return row.map((lagMs, i) => ({ replica: `r${i}`, lagMs, ...(lagMs === null ? { why: 'threads stopped' } : {}) }));
  };
  const throttle = lagThrottle({
    limitMs: 500,
    read,
    emit: (e) => events.push(e),
    checkEveryMs,
    noReplicas: 'no replica is connected',
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
  });
  return { throttle, events, reads: () => reads, advance: (ms: number) => (clock += ms), clock: () => clock };
}

describe('replica lag throttle', () => {
  it('lets a batch go at once while every replica is within the limit, saying nothing', async () => {
    const s = scripted([[100, 500]]);
    await s.throttle();
    expect(s.events).toEqual([]);
    expect(s.clock()).toBe(0);
  });

  it('reads the lag at most once per interval: batches in between reuse the reading', async () => {
    const s = scripted([[100]]);
    await s.throttle();
    s.advance(150);
    await s.throttle();
    expect(s.reads()).toBe(1);
    s.advance(50);
    await s.throttle();
    expect(s.reads()).toBe(2);
  });

  it('waits while a replica is behind, naming the furthest, and says when it goes on', async () => {
    const s = scripted([[100, 900], [700, 800], [100, 200]]);
    await s.throttle();
    expect(s.events).toEqual([
      { type: 'replica-wait', replica: 'r1', lagMs: 900, limitMs: 500, reason: null },
      { type: 'replica-resumed', waitedMs: 400 },
    ]);
    expect(s.reads()).toBe(3);
  });

  it('counts a replica that cannot say its lag as behind, with the reason', async () => {
    const s = scripted([[100, null], [100, 0]]);
    await s.throttle();
    expect(s.events[0]).toEqual({ type: 'replica-wait', replica: 'r1', lagMs: null, limitMs: 500, reason: 'threads stopped' });
    expect(s.events[1]).toEqual({ type: 'replica-resumed', waitedMs: 200 });
  });

  it('stops waiting as soon as the run is asked to stop, without claiming the replicas caught up', async () => {
    const events: RunEventBody[] = [];
    const controller = new AbortController();
    const throttle = lagThrottle({ limitMs: 10, read: async () => [{ replica: 'r', lagMs: 5_000 }], emit: (e) => events.push(e), checkEveryMs: 50 });
    const started = Date.now();
    setTimeout(() => controller.abort(), 120);
    await throttle(controller.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(events.map((e) => e.type)).toEqual(['replica-wait']);
  });

  it('says once that no replica is connected, and never waits for none', async () => {
    const s = scripted([[]]);
    await s.throttle();
    s.advance(1_000);
    await s.throttle();
    expect(s.reads()).toBe(2);
    expect(s.events).toEqual([{ type: 'notice', message: 'no replica is connected' }]);
  });

  it('shares one reading between batches asking at the same time', async () => {
    let reads = 0;
    const throttle = lagThrottle({ limitMs: 500, read: async () => (reads++, [{ replica: 'r', lagMs: 0 }]), emit: () => {} });
    await Promise.all([throttle(), throttle(), throttle()]);
    expect(reads).toBe(1);
  });
});

describe('how often the lag is read', () => {
  it('reads every quarter of the limit, from 20 ms to 200 ms', () => {
    expect(checkEveryFor(100)).toBe(25);
    expect(checkEveryFor(500)).toBe(125);
    expect(checkEveryFor(10_000)).toBe(200);
    expect(checkEveryFor(1)).toBe(20);
  });

  it('waits one quarter of a tight limit between readings when not told', async () => {
    let clock = 0;
    const slept: number[] = [];
    let reads = 0;
    const throttle = lagThrottle({
      limitMs: 100,
      read: async () => [{ replica: 'r', lagMs: reads++ === 0 ? 400 : 50 }],
      emit: () => {},
      now: () => clock,
      sleep: async (ms) => void (slept.push(ms), (clock += ms)),
    });
    await throttle();
    expect(slept).toEqual([25]);
  });
});

describe('batch time under a lag limit', () => {
  it('is half the limit, at least 1 ms', () => {
    expect(batchMsUnderLag(500)).toBe(250);
    expect(batchMsUnderLag(101)).toBe(50);
    expect(batchMsUnderLag(1)).toBe(1);
  });
});

describe('furthest behind', () => {
  const r = (replica: string, lagMs: number | null): ReplicaReading => ({ replica, lagMs });
  it('puts a replica that cannot say first, then the largest lag; none within the limit', () => {
    expect(furthestBehind([r('a', 600), r('b', 900), r('c', 100)], 500)?.replica).toBe('b');
    expect(furthestBehind([r('a', 600), r('b', null), r('c', 900)], 500)?.replica).toBe('b');
    expect(furthestBehind([r('a', 500)], 500)).toBeNull();
  });
});

describe('hooks before a batch', () => {
  it('run in turn, the caller\'s first', async () => {
    const order: string[] = [];
    const hook = inTurn(async () => void order.push('caller'), undefined, async () => void order.push('replicas'));
    await hook!();
    expect(order).toEqual(['caller', 'replicas']);
    expect(inTurn(undefined, undefined)).toBeUndefined();
  });

  it('an abortable sleep ends early on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await abortableSleep(10_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('replica events in the output', () => {
  const lines = (format: 'text' | 'json') => {
    const out: string[] = [];
    const print = progressPrinter(format, { write: (s) => out.push(s) });
    print({ target: 'db', type: 'replica-wait', replica: '127.0.0.1:5433/app', lagMs: 1_250, limitMs: 500, reason: null });
    print({ target: 'db', type: 'replica-wait', replica: '127.0.0.1:3307/', lagMs: null, limitMs: 500, reason: 'replication is not running' });
    print({ target: 'db', type: 'replica-resumed', waitedMs: 2_400 });
    return out.join('');
  };

  it('text names the replica, its lag and the limit, and how long the work waited', () => {
    expect(lines('text')).toBe(
      '      waiting for replica 127.0.0.1:5433/app: 1,250 ms behind, limit 500 ms\n' +
        '      waiting for replica 127.0.0.1:3307/: lag unknown (replication is not running), limit 500 ms\n' +
        '      replicas within the lag limit again after 2,400 ms: going on\n',
    );
  });

  it('JSON carries every field', () => {
    expect(lines('json').trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: 'replica-wait', replica: '127.0.0.1:5433/app', lagMs: 1_250, limitMs: 500, reason: null },
      { type: 'replica-wait', replica: '127.0.0.1:3307/', lagMs: null, limitMs: 500, reason: 'replication is not running' },
      { type: 'replica-resumed', waitedMs: 2_400 },
    ]);
  });
});
