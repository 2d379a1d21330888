import type { PlanTarget } from '../engine.js';
import type { DeclaredSchema } from '../model/schema-model.js';
import type { PlanContext, StepDraft } from '../plan/operation.js';
import { dropColumn, dropConstraint, dropIndex, dropTable } from '../plan/operations/removals.js';
import { dropDomain } from '../plan/operations/domain.js';
import { dropEnum } from '../plan/operations/enum-type.js';
import { dropSequence } from '../plan/operations/sequence.js';
import { planContext, stepOf, type PlanInput } from '../plan/planner.js';
import type { Step } from '../plan/step.js';
import type { Removal } from './created-objects.js';

/**
 * The steps of a rollback, one per removal and in its order, rendered by the same operations and
 * dialect SQL a contract uses. A version schema's or a stopped table copy's drop is the step the
 * earlier release's own plan holds (`leftoverDrops`). The steps run under contract's statement
 * policy: they remove.
 */
export function rollbackSteps(target: PlanTarget, to: DeclaredSchema, removals: Removal[], rows: Record<string, number>, leftoverDrops: Step[], withdrawn: string): Step[] {
  const input: PlanInput = {
    caps: target.caps,
    sql: target.dialect.compiler,
    transitions: target.dialect.transitions,
    batchLock: target.dialect.backfill.batchLock,
    statements: target.dialect.statements,
    tables: to.model.tables,
    rows,
  };
  const ctx = planContext([], input, () => {});
  return removals.flatMap((removal) => {
    if (removal.kind === 'version-schema') return leftoverDrops.filter((s) => s.operation === 'drop-version-schema' && s.subject === removal.name);
    if (removal.kind === 'table-copy') return leftoverDrops.filter((s) => s.operation === 'drop-table-copy' && s.table === removal.table);
    return draftsOf(removal, ctx, withdrawn).map((d) => stepOf(d, 'contract', input, ctx));
  });
}

function draftsOf(removal: Exclude<Removal, { kind: 'version-schema' | 'table-copy' }>, ctx: PlanContext, withdrawn: string): StepDraft[] {
  switch (removal.kind) {
    case 'sync':
      return [withdrawSync(removal, ctx, withdrawn)];
    case 'table-name':
      return [restoreTableName(removal, ctx)];
    case 'constraint':
      return dropConstraint({ kind: 'drop-constraint', table: removal.table, name: removal.name, constraint: removal.constraint }, ctx);
    case 'index':
      return dropIndex({ kind: 'drop-index', table: removal.table, name: removal.name }, ctx);
    case 'column':
      return dropColumn({ kind: 'drop-column', table: removal.table, column: removal.column }, ctx);
    case 'table':
      return dropTable({ kind: 'drop-table', table: removal.table }, ctx);
    case 'sequence':
      return dropSequence({ kind: 'drop-sequence', table: '', name: removal.name }, ctx);
    case 'domain':
      return dropDomain({ kind: 'drop-domain', table: '', name: removal.name }, ctx);
    case 'enum':
      return dropEnum({ kind: 'drop-enum', table: '', name: removal.name }, ctx);
  }
}

/** The dual write stops: the old version's writes no longer reach the columns about to go, nor the reverse. */
const withdrawSync = ({ table, trigger }: { table: string; trigger: string }, ctx: PlanContext, withdrawn: string): StepDraft => ({
  operation: 'remove-sync',
  name: `${table}.${trigger}`,
  earliest: 'contract',
  table,
  description: `drop dual-write trigger ${trigger} (release ${withdrawn}'s)`,
  render: () => ctx.transitions.dropSyncTrigger(table, trigger),
  transactional: true,
  prechecks: () => [],
  provides: [],
  needs: [],
});

/** The old version reads and writes the table under its old name throughout: the view it used gives way to the table. */
const restoreTableName = ({ table, alias }: { table: string; alias: string }, ctx: PlanContext): StepDraft => ({
  operation: 'restore-table-name',
  name: alias,
  subject: alias,
  earliest: 'contract',
  table,
  description: `rename table ${table} back to ${alias}, in place of the view that kept the old name`,
  render: () => ctx.transitions.restoreTableName(alias, table),
  transactional: true,
  prechecks: () => [],
  provides: [],
  needs: [],
});
