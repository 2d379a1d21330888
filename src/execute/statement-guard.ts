import type { StatementClass, StatementClassifier } from '../model/statement-class.js';
import type { Phase } from '../plan/step.js';

const ALLOWED: Record<Phase, StatementClass[]> = {
  expand: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'tightening'],
  migrate: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data'],
  contract: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data', 'tightening', 'rewrite', 'destructive', 'unknown'],
};

export class PolicyViolation extends Error {
  constructor(
    readonly phase: Phase,
    readonly statement: string,
    readonly statementClass: StatementClass,
  ) {
    super(
      `refused: a ${statementClass} statement may not run in ${phase} while old application code is live:\n  ${statement}\n` +
        `Destructive, rewriting and unrecognized statements run only in contract.`,
    );
    this.name = 'PolicyViolation';
  }
}

/** Throws when the statement's class, as the dialect's classifier reads it, is not allowed in the phase. */
export function guardStatement(phase: Phase, sql: string, classifier: StatementClassifier): void {
  const c = classifier.classify(sql);
  if (!ALLOWED[phase].includes(c)) throw new PolicyViolation(phase, sql, c);
}

/**
 * Guards the statements of one step (which run together). A table rename is destructive for old
 * code, except when the same step keeps the old name usable through a view over the new one:
 * old code then reads and writes through it, so the rename is additive and may run in expand.
 */
export function guardStep(phase: Phase, sqls: string[], classifier: StatementClassifier): void {
  sqls.forEach((sql, i) => {
    if (!classifier.compensatedRename(sqls, i)) guardStatement(phase, sql, classifier);
  });
}
