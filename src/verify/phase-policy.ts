import type { JournaledStatement } from '../execute/ledger.js';
import { guardStep, PolicyViolation } from '../execute/statement-guard.js';
import type { StatementClassifier } from '../model/statement-class.js';
import type { StepOperation } from '../plan/step.js';

/** What contract may create: the unique indexes and constraints that tightening adds. */
const TIGHTENING_SUPPORT = /^\s*(create\s+unique\s+index\b|alter\s+table\s+\S+\s+add\s+constraint\b)/i;

/** Steps that create the table copy a NOT NULL goes through, which its swap puts in the table's place. */
const COPY_STEPS: StepOperation[] = ['create-table-copy'];
const createsCopy = (stepId: string) => COPY_STEPS.some((op) => stepId.startsWith(`${op}:`));

/**
 * Classifies what actually ran (the journal, not the plan), as the dialect that ran it reads it: expand and migrate must have run
 * nothing destructive, rewriting or unrecognized; contract must have created nothing but what
 * tightening needs (creation belongs in expand, where old code can live with it).
 */
export function policyBreaches(statements: JournaledStatement[], classifier: StatementClassifier): string[] {
  const breaches: string[] = [];
  const steps = new Map<string, JournaledStatement[]>();
  for (const s of statements) steps.set(`${s.phase}\u0000${s.step_id}`, [...(steps.get(`${s.phase}\u0000${s.step_id}`) ?? []), s]);
  for (const group of steps.values()) {
    const phase = group[0]!.phase;
    // A rollback removes what an expand made, under contract's rule when it runs.
    if (phase === 'rollback') continue;
    if (phase === 'contract') {
      for (const s of group) {
        if (classifier.classify(s.sql) === 'additive' && !TIGHTENING_SUPPORT.test(s.sql) && !createsCopy(s.step_id)) breaches.push(`contract created something (belongs in expand): ${s.sql}`);
      }
      continue;
    }
    try {
      guardStep(phase, group.map((s) => s.sql), classifier);
    } catch (error) {
      if (!(error instanceof PolicyViolation)) throw error;
      breaches.push(`${phase} ran a ${error.statementClass} statement: ${error.statement}`);
    }
  }
  return breaches;
}
