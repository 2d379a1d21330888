import { afterEach, describe, expect, it } from 'vitest';
import { stopOnSignals, type StopRequest } from '../../src/cli/interrupt.js';
import { DbtideError } from '../../src/errors.js';
import { Interrupted, SIGNAL_EXIT } from '../../src/execute/interrupted.js';

describe('Interrupted', () => {
  it('exits with the code a shell gives the signal, says what was done and how to resume', () => {
    const byCtrlC = new Interrupted('migrate', 'SIGINT', '0 of 1 step(s) done');
    expect(byCtrlC).toBeInstanceOf(DbtideError);
    expect(byCtrlC.message).toBe('migrate interrupted by SIGINT: 0 of 1 step(s) done');
    expect(byCtrlC.exitCode).toBe(130);
    expect(byCtrlC.hint).toContain('run `dbtide migrate` again: it resumes where this run stopped');
    expect(new Interrupted('expand', 'SIGTERM', 'x').exitCode).toBe(143);
  });

  it('an abort without a signal name (a library caller) exits like Ctrl-C and names none', () => {
    const aborted = new AbortController();
    aborted.abort();
    const error = new Interrupted('contract', aborted.signal.reason, '2 of 3 step(s) done');
    expect([error.message, error.exitCode]).toEqual(['contract interrupted: 2 of 3 step(s) done', 130]);
    expect(new Interrupted('contract', 'constructor', 'x').exitCode).toBe(130);
  });
});

describe('stop on signals', () => {
  let stop: StopRequest | undefined;
  afterEach(() => stop?.dispose());

  it.each(Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[])('the first %s aborts with its name and says what happens next', (name) => {
    const before = process.listenerCount(name);
    const lines: string[] = [];
    stop = stopOnSignals((s) => lines.push(s));
    expect(process.listenerCount(name)).toBe(before + 1);
    process.emit(name, name);
    expect(stop.signal.aborted).toBe(true);
    expect(stop.signal.reason).toBe(name);
    expect(lines.join('')).toContain('stopping after the current batch; press Ctrl-C again to stop at once\n');
    stop.dispose();
    expect(process.listenerCount(name)).toBe(before);
  });
});
