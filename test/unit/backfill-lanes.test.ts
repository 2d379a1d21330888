import { describe, expect, it } from 'vitest';
import { MAX_LANES } from '../../src/execute/ledger.js';
import { FULL_LANES, laneRows, MIN_LANE_ROWS, nextLaneRows } from '../../src/migrate/backfill-lanes.js';

describe('backfill lane size', () => {
  it.each([
    // A small job: two lanes of half the table, never below the floor.
    [100_000, 100_000, 50_000],
    [150_000, 100_000, 75_000],
    [80_000, 100_000, MIN_LANE_ROWS],
    // About one full batch per lane.
    [500_000, 100_000, 100_000],
    [1_000_000, 100_000, 100_000],
    // A short batch does not make lanes shorter than the floor.
    [150_000, 5_000, MIN_LANE_ROWS],
    // A large job: at most MAX_LANES lanes.
    [10_000_000, 100_000, 10_000_000 / FULL_LANES],
  ])('%i rows expected, batches of up to %i rows: lanes of %i rows', (expected, fullBatch, rows) => {
    expect(laneRows(expected, fullBatch)).toBe(rows);
  });

  it('never cuts more than FULL_LANES full lanes of an expected size', () => {
    for (const expected of [200_000, 1_234_567, 3_000_000, 99_999_999]) expect(Math.ceil(expected / laneRows(expected, 100_000))).toBeLessThanOrEqual(FULL_LANES);
  });
});

/** The lanes cut one after the other for a job of `expected` rows, as many as expected, the last of the MAX_LANES lanes taking the rest. */
function lanesOf(expected: number, sessions: number, fullBatch = 100_000): number[] {
  const rowsPerLane = laneRows(expected, fullBatch);
  const lanes: number[] = [];
  for (let cut = 0; cut < expected; cut += lanes.at(-1)!) {
    const rows = lanes.length + 1 === MAX_LANES ? Infinity : nextLaneRows({ rowsPerLane, expected, sessions }, { cut, count: lanes.length });
    lanes.push(Math.min(rows, expected - cut));
  }
  return lanes;
}

describe('lanes at the end of a job', () => {
  it('share what is left among the sessions once it is less than a lane each, down to an eighth of a lane', () => {
    expect(lanesOf(500_000, 2)).toEqual([100_000, 100_000, 100_000, 100_000, 50_000, 25_000, 12_500, 12_500]);
    const four = lanesOf(1_000_000, 4);
    expect(four.slice(0, 7)).toEqual(Array(7).fill(100_000));
    expect(four.slice(7, 9)).toEqual([75_000, 56_250]);
    expect(four.at(-1)).toBeLessThanOrEqual(12_500);
  });

  it('stay full lanes where a session walks the job alone, or past the estimate', () => {
    expect(lanesOf(500_000, 1)).toEqual([100_000, 100_000, 100_000, 100_000, 100_000]);
    expect(nextLaneRows({ rowsPerLane: 100_000, expected: 500_000, sessions: 2 }, { cut: 600_000, count: 6 })).toBe(100_000);
  });

  it('grow again as the lane ids run out, so that the last lane is no longer than the others', () => {
    for (const expected of [100_000, 200_000, 1_234_567, 3_000_000, 99_999_999]) {
      for (const sessions of [2, 3, 8, FULL_LANES]) {
        const lanes = lanesOf(expected, sessions);
        expect(lanes.reduce((a, b) => a + b, 0)).toBe(expected);
        expect(lanes.length).toBeLessThanOrEqual(MAX_LANES);
        expect(Math.max(...lanes)).toBeLessThanOrEqual(laneRows(expected, 100_000));
      }
    }
  });
});
