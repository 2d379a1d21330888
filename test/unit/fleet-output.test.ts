import { afterEach, describe, expect, it, vi } from 'vitest';
import { fleetPrinter } from '../../src/cli/fleet-output.js';
import type { RunEventBody } from '../../src/execute/events.js';
import type { FleetEvent, TargetOutcome } from '../../src/fleet/run-fleet.js';
import type { Step } from '../../src/plan/step.js';

const step = { id: 'backfill:instances', description: 'backfill instances.memory_mb' } as Step;

/** What a terminal shows after the writes: cursor-up, erase-to-end and erase-line applied. */
const ESC = String.fromCharCode(27);
const CONTROL = new RegExp(`(${ESC}\\[\\d*[AJK]|\\n)`);
const UP = new RegExp(`^${ESC}\\[(\\d+)A$`);

function screen(writes: string[]): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  for (const text of writes) {
    for (const part of text.split(CONTROL)) {
      const up = UP.exec(part);
      if (up) {
        row -= Number(up[1]);
      } else if (part === `${ESC}[J` || part === `${ESC}[K`) {
        lines[row] = lines[row]!.slice(0, col);
        if (part === `${ESC}[J`) lines.splice(row + 1);
      } else if (part === '\n') {
        row += 1;
        col = 0;
        lines[row] ??= '';
      } else {
        lines[row] = lines[row]!.slice(0, col) + part + lines[row]!.slice(col + part.length);
        col += part.length;
      }
    }
  }
  return lines.filter((l, i) => i < row || l !== '');
}

const outcome = (name: string, state: TargetOutcome['state'], message: string): TargetOutcome => ({ name, wave: 'all', state, exitCode: state === 'failed' ? 1 : 0, ms: 1500, message });
const run = (target: string, event: RunEventBody): FleetEvent => ({ type: 'target-event', target, event: { ...event, target } });

describe('fleet board on a terminal', () => {
  afterEach(() => vi.useRealTimers());

  it('shows each running target with its phase, step, rows/s and state, under the lines of those done', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const stream = { write: (t: string) => writes.push(t), columns: 100 };
    const print = fleetPrinter('migrate', 'text', true, 6, { out: stream, err: stream });
    print({ type: 'wave-start', wave: 'all', targets: ['cell1', 'cell2'] });
    print({ type: 'target-start', target: 'cell1', wave: 'all' });
    print({ type: 'target-start', target: 'cell2', wave: 'all' });
    print(run('cell1', { type: 'phase-start', phase: 'migrate', steps: [step], dryRun: false }));
    vi.advanceTimersByTime(200);
    print(run('cell1', { type: 'step-start', step, index: 0, total: 2 }));
    vi.advanceTimersByTime(200);
    print(run('cell1', { type: 'work-progress', step, rowsDone: 5000, batchRows: 1000, batchMs: 50, nextBatch: 1000, rowsPerSecond: 12_345, totalRows: 9000 }));
    vi.advanceTimersByTime(200);
    print(run('cell2', { type: 'replica-wait', replica: 'r1', lagMs: 900, limitMs: 500, reason: null }));
    expect(screen(writes)).toEqual([
      'all: 2 target(s)',
      '  target  phase         rows/s  state       step',
      '  cell1   migrate       12,345  running     1/2 backfill instances.memory_mb',
      '  cell2   migrate               lag pause   ',
    ]);

    print({ type: 'target-done', outcome: outcome('cell1', 'ok', '2 step(s)') });
    expect(screen(writes)).toEqual([
      'all: 2 target(s)',
      'ok       cell1     1.5 s  2 step(s)',
      '  target  phase         rows/s  state       step',
      '  cell2   migrate               lag pause   ',
    ]);
    print({ type: 'target-done', outcome: outcome('cell2', 'failed', 'prechecks failed') });
    expect(screen(writes)).toEqual(['all: 2 target(s)', 'ok       cell1     1.5 s  2 step(s)', 'failed   cell2     1.5 s  prechecks failed']);
  });

  it('cuts a line at the terminal width, so that redrawing in place never misses a wrapped line', () => {
    const writes: string[] = [];
    const stream = { write: (t: string) => writes.push(t), columns: 40 };
    const print = fleetPrinter('expand', 'text', true, 6, { out: stream, err: stream });
    print({ type: 'target-start', target: 'cell1', wave: 'all' });
    print(run('cell1', { type: 'step-start', step: { ...step, description: 'x'.repeat(200) }, index: 0, total: 1 }));
    for (const line of screen(writes)) expect(line.length).toBeLessThan(40);
  });

  it('elsewhere prints a line per target as it finishes, and no control sequences', () => {
    const writes: string[] = [];
    const stream = { write: (t: string) => writes.push(t) };
    const print = fleetPrinter('expand', 'text', false, 6, { out: stream, err: stream });
    print({ type: 'target-start', target: 'cell1', wave: 'all' });
    print(run('cell1', { type: 'step-start', step, index: 0, total: 1 }));
    print({ type: 'target-done', outcome: outcome('cell1', 'skipped', 'nothing left of expand') });
    expect(writes.join('')).toBe('skipped  cell1     1.5 s  nothing left of expand\n');
  });
});
