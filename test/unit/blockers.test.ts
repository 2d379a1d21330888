import { describe, expect, it } from 'vitest';
import { blocking, onlyUnplaced } from '../../src/execute/blockers.js';
import type { LockHolder } from '../../src/model/locks.js';

const holder = (seconds: number | null, extra: Partial<LockHolder> = {}): LockHolder => ({ session: 'pid 1', state: 'active', seconds, query: '', ...extra });

describe('which holders an attempt waits for', () => {
  it.each([
    ['a busy holder younger than one cap: a short write in flight, which an attempt outwaits', holder(0.01), 50, false],
    ['a busy holder as old as one cap', holder(0.05), 50, true],
    ['a busy holder older than one cap', holder(3), 50, true],
    ['an idle holder, however young: it waits for its client', holder(0, { idle: true }), 50, true],
    ['a holder whose age the server does not say', holder(null), 50, true],
    ['MySQL in whole seconds: a transaction under a second old, busy', holder(0), 1000, false],
    ['MySQL in whole seconds: one a second old', holder(1), 1000, true],
  ])('%s', (_, h, minAgeMs, waits) => {
    expect(blocking([h], minAgeMs)).toEqual(waits ? [h] : []);
  });

  it('asks without waiting only while every holder is one the server cannot place on the table', () => {
    expect(onlyUnplaced([holder(5, { maybe: true }), holder(2, { maybe: true, idle: true })])).toBe(true);
    expect(onlyUnplaced([holder(5, { maybe: true }), holder(2)])).toBe(false);
    expect(onlyUnplaced([])).toBe(false);
  });
});
