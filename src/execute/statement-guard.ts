import { DbtideError } from '../errors.js';
import type { StatementClass, StatementClassifier } from '../model/statement-class.js';
import type { Phase } from '../plan/step.js';

const ALLOWED: Record<Phase, StatementClass[]> = {
  expand: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'tightening'],
  migrate: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data'],
  contract: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data', 'tightening', 'rewrite', 'destructive', 'unknown'],
};

/**
 * `rawStep`: the id of the raw SQL step the statement belongs to, which the release author can move
 * to contract; dbtide's own steps never hold a statement their phase refuses.
 */
export class PolicyViolation extends DbtideError {
  constructor(
    readonly phase: Phase,
    readonly statement: string,
    readonly statementClass: StatementClass,
    readonly rawStep?: string,
  ) {
    super(
      `refused: ${rawStep ? `raw step ${rawStep}: ` : ''}a ${statementClass} statement may not run in ${phase} while old application code is live:\n  ${statement}\n` +
        `Destructive, rewriting and unrecognized statements run only in contract.`,
      1,
      rawStep
        ? `declare ${rawStep} with phase: 'contract', or move that statement to a raw step of its own in contract`
        : 'if dbtide planned this statement itself, that is a bug: rerun with DBTIDE_DEBUG=1 for the stack, and report it',
    );
    this.name = 'PolicyViolation';
  }
}

/** Throws when the statement's class, as the dialect's classifier reads it, is not allowed in the phase. */
export function guardStatement(phase: Phase, sql: string, classifier: StatementClassifier, rawStep?: string): void {
  const c = classifier.classify(sql);
  if (!ALLOWED[phase].includes(c)) throw new PolicyViolation(phase, sql, c, rawStep);
}

/**
 * Guards the statements of one step (which run together). A table rename is destructive for old
 * code, except when the same step keeps the old name usable through a view over the new one:
 * old code then reads and writes through it, so the rename is additive and may run in expand.
 */
export function guardStep(phase: Phase, sqls: string[], classifier: StatementClassifier, rawStep?: string): void {
  sqls.forEach((sql, i) => {
    if (!classifier.compensatedRename(sqls, i) && !classifier.ownObjectsOnly(sql)) guardStatement(phase, sql, classifier, rawStep);
  });
}
