import { SIGNAL_EXIT, type StopSignal } from '../execute/interrupted.js';

export interface StopRequest {
  /** Aborted, with the signal's name as reason, at the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** Puts the default handling back, once the phase has ended. */
  dispose(): void;
}

/**
 * Ctrl-C or SIGTERM during a phase. The first asks the run to stop after the batch or statement in
 * flight, so the ledger records it as interrupted and says how to resume. The second exits at once
 * with the signal's conventional code (130 for SIGINT, 143 for SIGTERM): the server rolls back the
 * batch in flight, and the next run marks this one interrupted and resumes from the last commit.
 */
export function stopOnSignals(write: (s: string) => void = (s) => process.stderr.write(s)): StopRequest {
  const controller = new AbortController();
  const names = Object.keys(SIGNAL_EXIT) as StopSignal[];
  const onSignal = (name: StopSignal) => {
    if (!controller.signal.aborted) {
      // On a terminal the line would otherwise land on the progress bar.
      write(`${process.stderr.isTTY ? '\n' : ''}stopping after the current batch; press Ctrl-C again to stop at once\n`);
      controller.abort(name);
      return;
    }
    write(`stopped at once (${name}); the batch in flight is rolled back; run the phase again to resume\n`);
    process.exit(SIGNAL_EXIT[name]);
  };
  for (const name of names) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of names) process.off(name, onSignal);
    },
  };
}
