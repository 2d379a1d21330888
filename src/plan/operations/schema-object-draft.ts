/**
 * What the operations on sequences, domains and enum types share. Created in expand before the
 * tables and columns that use them (their rank puts them first); removed in contract after the
 * last table or column that used them is gone. Nothing in between is rewritten except by an enum's
 * rebuild, which contract runs as its planned short outage.
 */
import type { SchemaObjectSql } from '../../dialect.js';
import type { PlanContext, StepDraft } from '../operation.js';

/** The compiler's schema object SQL; the engine refused the release already where the server has none. */
export function sqlOf(ctx: PlanContext): SchemaObjectSql {
  const found = ctx.sql.schemaObjects;
  if (!found) throw new Error(`internal: ${ctx.caps.server} declares schema objects without SqlCompiler.schemaObjects`);
  return found;
}

export const sequenceFact = (name: string) => `sequence:${name}`;
export const typeFact = (name: string) => `type:${name}`;

type Draft = Omit<StepDraft, 'table' | 'transactional' | 'prechecks' | 'provides' | 'needs'> & Partial<StepDraft>;

export const draft = (d: Draft): StepDraft => ({ table: '', transactional: true, prechecks: () => [], provides: [], needs: [], ...d });
