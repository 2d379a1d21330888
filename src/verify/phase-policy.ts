import type { JournaledStatement } from '../execute/ledger.js';
import { classifyStatement, guardStep, PolicyViolation } from '../execute/statement-guard.js';

/** What contract may create: the unique indexes and constraints that tightening adds. */
const TIGHTENING_SUPPORT = /^\s*(create\s+unique\s+index\b|alter\s+table\s+\S+\s+add\s+constraint\b)/i;

/**
 * Classifies what actually ran (the journal, not the plan): expand and migrate must have run
 * nothing destructive, rewriting or unrecognized; contract must have created nothing but what
 * tightening needs (creation belongs in expand, where old code can live with it).
 */
export function policyBreaches(statements: JournaledStatement[]): string[] {
  const breaches: string[] = [];
  const steps = new Map<string, JournaledStatement[]>();
  for (const s of statements) steps.set(`${s.phase}\u0000${s.step_id}`, [...(steps.get(`${s.phase}\u0000${s.step_id}`) ?? []), s]);
  for (const group of steps.values()) {
    const phase = group[0]!.phase;
    if (phase === 'contract') {
      for (const s of group) {
        if (classifyStatement(s.sql) === 'additive' && !TIGHTENING_SUPPORT.test(s.sql)) breaches.push(`contract created something (belongs in expand): ${s.sql}`);
      }
      continue;
    }
    try {
      guardStep(phase, group.map((s) => s.sql));
    } catch (error) {
      if (!(error instanceof PolicyViolation)) throw error;
      breaches.push(`${phase} ran a ${error.statementClass} statement: ${error.statement}`);
    }
  }
  return breaches;
}
