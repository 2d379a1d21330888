import type { DeclarationIssue } from './declaration/declaration-error.js';

/** Where an error points, for `--format json` callers as much as for people. */
export interface ErrorDetails {
  /** The file (with `:line` when known) the error is about: a release file, the config. */
  path?: string;
  /** Every problem found in a declaration or configuration, with its path inside the file. */
  issues?: DeclarationIssue[];
}

/**
 * Errors an operator can act on. Each says what is wrong, where, and what to do; the CLI prints
 * the message and exits with `exitCode`.
 */
export class DbtideError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** What to do, in the library's words; the CLI says it in `dbtide` commands (src/cli/hints.ts). */
    readonly hint?: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'DbtideError';
  }
}

/**
 * Another run holds the run lock (or another process the embedded database): exit code 75
 * (temporary failure; try again later).
 */
export class RunLockHeld extends DbtideError {
  constructor(
    message: string,
    /** The database's name (`Database.name`). */
    readonly target: string,
    /** How long this run waited for the lock; undefined when the embedded database was taken. */
    readonly waitedMs?: number,
  ) {
    super(message, 75, 'wait for the other run to finish (status() lists the runs), or wait longer for its lock');
    this.name = 'RunLockHeld';
  }
}

/** A phase ran every step, yet planning again finds steps of that phase left: it is not idempotent. */
export class NotConverged extends DbtideError {
  constructor(
    readonly phase: string,
    readonly left: string[],
  ) {
    super(
      `${phase} ran every step, yet the live schema still differs: ${left.join(', ')}`,
      1,
      'the declaration says something the server stores differently (a type alias, an expression it rewrites), so every run would change it again: declare it the way `dbtide pull` shows it, or report a dbtide bug with `dbtide plan --format json`',
    );
    this.name = 'NotConverged';
  }
}
