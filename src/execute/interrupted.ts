import { DbtideError } from '../errors.js';
import type { RunKind } from '../plan/step.js';

/** Exit codes of a run stopped by a signal, as shells report a process the signal ended: 128 + its number. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export type StopSignal = keyof typeof SIGNAL_EXIT;

const isStopSignal = (reason: unknown): reason is StopSignal => typeof reason === 'string' && Object.hasOwn(SIGNAL_EXIT, reason);

/**
 * A phase stopped on request (an aborted `signal`: Ctrl-C, SIGTERM, a library caller) between two
 * committed units of work, so nothing is torn and the next run resumes. The exit code is the
 * signal's when the abort reason names one (`'SIGTERM'`: 143), else SIGINT's 130.
 */
export class Interrupted extends DbtideError {
  constructor(
    readonly phase: RunKind,
    reason: unknown,
    /** What was done and where the run stopped; recorded in the ledger too. */
    readonly done: string,
  ) {
    const signal = isStopSignal(reason) ? reason : undefined;
    super(
      `${phase} interrupted${signal ? ` by ${signal}` : ''}: ${done}`,
      SIGNAL_EXIT[signal ?? 'SIGINT'],
      `every batch and statement that ran is committed; run \`dbtide ${phase}\` again: it resumes where this run stopped (a backfill after its last committed batch)`,
    );
    this.name = 'Interrupted';
  }
}
