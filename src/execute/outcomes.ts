/**
 * Why a phase cannot go on, as data: a caller running many databases collects them per database
 * and says what to do in its own words. The hints here name no command: the CLI's (which the
 * library's phase calls share) are in src/cli/hints.ts.
 */
import { DbtideError } from '../errors.js';
import { describeHolder, type LockHolder } from '../model/locks.js';
import type { Phase, RunKind, Step } from '../plan/step.js';
import { describeKey, type ScanFinding } from '../scan/find-offenders.js';

export interface PrecheckFailure extends ScanFinding {
  /** NULLs that the column's declared default can fill: a NOT NULL rule on a column that declares one. */
  fillable: boolean;
}

/** Why rows break a transition's verification once its backfill is done. */
const WRITTEN_PAST_TRIGGER = 'the backfill is done, so these rows were written past the dual-write trigger (by a session with its triggers quieted, or while it was missing)';

/** Rows break what the phase would tighten or verify; nothing was changed. */
export class PrecheckFailed extends DbtideError {
  constructor(
    readonly phase: Phase,
    /** The failures that stop the phase: those a `force` reason lets through are not among them. */
    readonly failures: PrecheckFailure[],
  ) {
    super(`prechecks failed; nothing was changed:\n${describeFailures(failures)}`, 1, precheckAdvice(failures));
    this.name = 'PrecheckFailed';
  }
}

/** Per table: each broken rule with its count and the first offending keys. */
function describeFailures(failures: PrecheckFailure[]): string {
  const tables = [...new Set(failures.map((f) => f.table))];
  return tables
    .map((table) => {
      const lines = failures
        .filter((f) => f.table === table)
        .map((f) => `    ${f.count} row(s) break "${f.description}"${f.keys.length > 0 ? `, e.g. ${f.keys.map((k) => describeKey(f.key, k)).join(', ')}` : ''}`);
      return [`  ${table}:`, ...lines].join('\n');
    })
    .join('\n');
}

/** How a caller names the repairs: the library by its calls, the CLI by commands and flags (src/cli/hints.ts). */
export interface RepairWords {
  /** `table`: the one table the failures are in, else null. */
  list(table: string | null): string;
  fix(mode: 'set-default' | 'archive', table: string | null): string;
  force: string;
  /** Said after the repair, e.g. which options to repeat. */
  after: string;
}

const LIBRARY_WORDS: RepairWords = {
  list: () => 'list them with scan()',
  fix: (mode) => `scan's fix '${mode}'`,
  force: 'a `force` reason',
  after: '',
};

/**
 * What to do about failed prechecks: repair the rows that break a tightening (filling NULLs with
 * declared defaults where every failure can take them: nothing leaves the table), and for rows
 * written past a finished backfill's trigger, fix them or record a reason.
 */
export function precheckAdvice(failures: PrecheckFailure[], words: RepairWords = LIBRARY_WORDS): string {
  const tightenings = failures.filter((f) => f.kind !== 'verification' && f.kind !== 'exclusion');
  const verifications = failures.filter((f) => f.kind === 'verification');
  // Both rows of a colliding pair offend: which one should change is not dbtide's to say.
  const conflicts = [...new Set(failures.filter((f) => f.kind === 'exclusion').map((f) => f.table))];
  const tables = [...new Set(tightenings.map((f) => f.table))];
  const only = tables.length === 1 ? tables[0]! : null;
  const repair = tightenings.every((f) => f.fillable)
    ? `${words.fix('set-default', only)} fills the NULLs with the declared defaults; ${words.fix('archive', only)} moves the rows instead`
    : `${words.fix('archive', only)} moves them (and the rows that depend on them) to shadow_<table> tables`;
  return [
    ...(tightenings.length > 0 ? [`${words.list(only)}; repair: ${repair}${words.after}; or correct the data by hand, then run the phase again`] : []),
    ...(conflicts.length > 0
      ? [`${words.list(conflicts.length === 1 ? conflicts[0]! : null)} (both rows of each colliding pair); change or remove one row of each pair by hand, then run the phase again`]
      : []),
    ...(verifications.length > 0 ? [`${WRITTEN_PAST_TRIGGER}: fix them and contract again; if the difference is intended, ${words.force} records the reason and goes on`] : []),
  ].join('\n');
}

/** A phase asked for while an earlier one has steps left: the earlier one runs first. */
export class EarlierPhasePending extends DbtideError {
  constructor(
    readonly phase: Phase,
    readonly pending: Phase,
    /** The pending phase's steps. */
    readonly steps: Step[],
  ) {
    super(
      `${phase} refused: ${pending} is pending (${steps.length} step(s)): ${steps
        .slice(0, 3)
        .map((s) => s.description)
        .join('; ')}`,
      1,
      `run ${pending} first (the plan shows every pending step)`,
    );
    this.name = 'EarlierPhasePending';
  }
}

/** A step's statement failed after its retries; the steps before it are done and journaled. */
export class StepFailed extends DbtideError {
  constructor(
    readonly phase: RunKind,
    readonly step: Step,
    /** What ran together and failed: one statement, or a group run as one. */
    readonly statements: string[],
    readonly attempts: number,
    /** Each attempt timed out waiting for a lock: a long transaction holds one on the table. */
    readonly lockTimeout: boolean,
    /** The server's message, passwords hidden. */
    readonly reason: string,
    /** The query that lists the server's sessions, for finding the one that holds the lock. */
    sessionList: string,
    /** The sessions holding a lock on the table when the last wait timed out, where the server tells. */
    readonly holders: LockHolder[] = [],
  ) {
    super(
      `${phase} stopped at step "${step.description}" (${step.id}) after ${attempts} attempt(s):\n  ${statements.join(';\n  ')}\n  ${reason}` +
        holders.map((h) => `\n  held by ${describeHolder(h)}`).join(''),
      1,
      lockTimeout
        ? `a long transaction holds a lock on the table${holders.length > 0 ? ' (held by: above)' : ''}; find it (${sessionList}), let it finish, then run the phase again: it resumes where it stopped`
        : `the steps before this one are done and journaled; fix the cause and run ${phase} again: it resumes where it stopped`,
    );
    this.name = 'StepFailed';
  }
}
