import { describe, expect, it } from 'vitest';
import { formatDuration, progressBar, progressPrinter } from '../../src/cli/progress.js';
import type { RunEvent } from '../../src/execute/events.js';
import { paceOf } from '../../src/migrate/backfill.js';
import type { Step } from '../../src/plan/step.js';

const step = { id: 'backfill:items', description: 'backfill items.twice' } as Step;

/** The event a backfill emits after batches of `batchRows` rows in `batchMs`, each followed by `sleepMs`. */
const progress = (rowsDone: number, totalRows: number | null, batchMs: number, sleepMs: number) =>
  ({ type: 'work-progress', target: 'db', step, rowsDone, batchRows: 1000, batchMs, nextBatch: 1200, rowsPerSecond: Math.round(paceOf(1000, batchMs, sleepMs)), totalRows }) as const;

describe('progress bar', () => {
  it('without pauses: the rate of the batches, and the ETA from it', () => {
    expect(progressBar(progress(20_000, 80_000, 100, 0), 10)).toBe('      [###-------] 25% 20,000/~80,000 rows  10,000 rows/s  ETA 6s');
  });

  it('with --sleep-ms the rate is over wall time, pauses included, and so is the ETA', () => {
    // 100 ms of work and 900 ms of pause per 1,000 rows: 1,000 rows/s, 60 s for the 60,000 left.
    expect(progressBar(progress(20_000, 80_000, 100, 900), 10)).toBe('      [###-------] 25% 20,000/~80,000 rows  1,000 rows/s  ETA 1m00s');
  });

  it('without an estimate: rows and rate only; an unknown rate gives no ETA', () => {
    expect(progressBar(progress(1_200, null, 100, 900))).toBe('      1,200 rows  1,000 rows/s');
    expect(progressBar({ ...progress(0, 5_000, 100, 0), rowsPerSecond: 0 }, 4)).toBe('      [----] 0% 0/~5,000 rows  0 rows/s  ETA ?');
  });

  it('done rows beyond the estimate fill the bar and leave nothing to wait for', () => {
    expect(progressBar(progress(90_000, 80_000, 100, 0), 4)).toBe('      [####] 100% 90,000/~80,000 rows  10,000 rows/s  ETA 0s');
  });
});

describe('pace of a backfill', () => {
  it('counts the pause after each batch as time spent', () => {
    expect(paceOf(1000, 100, 0)).toBe(10_000);
    expect(paceOf(1000, 100, 900)).toBe(1000);
    expect(paceOf(500, 0, 0)).toBe(500_000);
  });
});

describe('durations', () => {
  it('in seconds, minutes or hours, rounded up', () => {
    expect([formatDuration(0.2), formatDuration(59), formatDuration(60), formatDuration(3599), formatDuration(3600 * 2 + 61)]).toEqual(['1s', '59s', '1m00s', '59m59s', '2h01m']);
  });
});

describe('progress printer', () => {
  const printed = (format: 'text' | 'json', events: RunEvent[], tty = false) => {
    let out = '';
    const sink = progressPrinter(format, { tty, write: (s) => (out += s) });
    for (const e of events) sink(e);
    return out;
  };

  it('prints a line per batch off a terminal, one redrawn bar on it, and JSON with the wall-time rate', () => {
    const batch = progress(20_000, 80_000, 100, 900);
    const done = { type: 'step-done', target: 'db', step, ms: 12 } as const;
    expect(printed('text', [batch, done])).toBe(`${progressBar(batch)}\n      done in 12 ms\n`);
    expect(printed('text', [batch, batch, done], true)).toBe(`\r${progressBar(batch)}\x1b[K\r${progressBar(batch)}\x1b[K\n      done in 12 ms\n`);
    expect(JSON.parse(printed('json', [batch]))).toEqual({ type: 'progress', step: 'backfill:items', rowsDone: 20_000, batchRows: 1000, batchMs: 100, nextBatch: 1200, rowsPerSecond: 1000, totalRows: 80_000 });
  });
});
