/**
 * Errors an operator can act on. Each says what is wrong, where, and what to do; the CLI prints
 * the message and exits with `exitCode`.
 */
export class DbtideError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'DbtideError';
  }
}

/** Another run holds the run lock: exit code 75 (temporary failure; try again later). */
export class RunLockHeld extends DbtideError {
  constructor(message: string) {
    super(message, 75, 'wait for the other run to finish (dbtide status shows it), or raise --wait');
    this.name = 'RunLockHeld';
  }
}
