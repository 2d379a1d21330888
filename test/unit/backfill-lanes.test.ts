import { describe, expect, it } from 'vitest';
import { MAX_LANES } from '../../src/execute/ledger.js';
import { laneRows, MIN_LANE_ROWS } from '../../src/migrate/backfill-lanes.js';

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
    [10_000_000, 100_000, 10_000_000 / MAX_LANES],
  ])('%i rows expected, batches of up to %i rows: lanes of %i rows', (expected, fullBatch, rows) => {
    expect(laneRows(expected, fullBatch)).toBe(rows);
  });

  it('never cuts more than MAX_LANES lanes of an expected size', () => {
    for (const expected of [200_000, 1_234_567, 3_000_000, 99_999_999]) expect(Math.ceil(expected / laneRows(expected, 100_000))).toBeLessThanOrEqual(MAX_LANES);
  });
});
