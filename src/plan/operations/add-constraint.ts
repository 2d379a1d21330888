import type { CheckModel, ForeignKeyModel } from '../../model/schema-model.js';
import { strategyMethod } from '../strategy-methods.js';
import type { Statement } from '../../model/locks.js';
import { allNew, fact, type PlanContext, type StepDraft } from '../operation.js';
import type { Change } from '../../diff/changes.js';
import type { Phase, Precheck } from '../step.js';

interface Constraint {
  operation: 'add-foreign-key' | 'add-check';
  kind: 'foreignKey' | 'check';
  table: string;
  name: string;
  columns: string[];
  label: string;
  existing: 'none' | 'unvalidated';
  add(validate: boolean): Statement[];
  precheck: Precheck;
  needs: string[];
}

/**
 * Foreign keys and checks share one lifecycle. A NOT VALID constraint is enforced on every new
 * write, so on columns old code writes it is added only in contract (then validated online).
 * On a new table it is added validated (the table is empty); on new columns of a live table it is
 * added unvalidated in expand and validated in migrate. Where the server cannot defer validation,
 * an `unchecked-after-precheck` add (existing rows unchecked: the precheck scanned them) follows the
 * same phases in one step, and a `checked-blocking` one waits for contract, flagged as blocking writes.
 */
function planConstraint(c: Constraint, ctx: PlanContext): StepDraft[] {
  const key = `${c.table}.${c.name}`;
  const provides = [fact.constraint(c.table, c.name)];
  const validateSql = () => strategyMethod(ctx.sql, 'validateConstraint', 'not-valid-then-validate')(c.table, c.name);
  const validate: StepDraft = {
    operation: 'validate-constraint',
    name: key,
    earliest: 'migrate',
    table: c.table,
    description: `validate ${c.label} ${c.name} on existing rows (writes continue)`,
    render: () => [validateSql()],
    transactional: true,
    prechecks: () => [c.precheck],
    provides: [],
    needs: provides,
  };
  if (c.existing === 'unvalidated') return [validate];

  const mode = ctx.caps.constraintAdd[c.kind];
  const deferred = mode === 'not-valid-then-validate';
  const newTable = ctx.newTables.has(c.table);
  const expandOnNewColumns = !newTable && mode !== 'checked-blocking' && allNew(ctx, c.table, c.columns);
  if (!newTable && mode === 'checked-blocking') {
    ctx.warn(`${key}: ${ctx.caps.server} checks every row of ${c.table} while writes wait; it runs in contract`);
  }
  const add: StepDraft = {
    operation: c.operation,
    name: key,
    earliest: newTable || expandOnNewColumns ? 'expand' : 'contract',
    table: c.table,
    description: `add ${c.label} ${c.name} on ${c.table} (${c.columns.join(', ')})`,
    render: (phase: Phase) => {
      if ((newTable && phase === 'expand') || !deferred) return c.add(true);
      if (expandOnNewColumns) return c.add(false);
      return [...c.add(false), validateSql()];
    },
    transactional: false,
    // The session setting that skips the check goes with the ALTER: a retried ALTER alone would
    // run with the checks the failed attempt's cleanup turned back on.
    ...(mode === 'unchecked-after-precheck' ? { together: true as const } : {}),
    // A table or column created in this expand holds no data the constraint could reject (and
    // does not exist yet when the phase's prechecks run); demoted to a later phase, it has data.
    prechecks: (phase: Phase) => ((newTable || expandOnNewColumns) && phase === 'expand' ? [] : [c.precheck]),
    provides,
    needs: [fact.nameFree(c.table, c.name), ...c.needs],
  };
  return expandOnNewColumns && deferred ? [add, validate] : [add];
}

export function addForeignKey(change: Extract<Change, { kind: 'add-foreign-key' }>, ctx: PlanContext): StepDraft[] {
  const { table, foreignKey: fk, existing } = change;
  return planConstraint({
    operation: 'add-foreign-key',
    kind: 'foreignKey',
    table,
    name: fk.name,
    columns: fk.columns,
    label: 'foreign key',
    existing,
    add: (validate) => ctx.sql.addForeignKey(table, fk, { validate }),
    precheck: orphans(table, fk),
    needs: [
      fact.table(table),
      fact.table(fk.referencedTable),
      fact.uniqueKey(fk.referencedTable, fk.referencedColumns),
      ...fk.columns.map((c) => fact.column(table, c)),
    ],
  }, ctx);
}

export function addCheck(change: Extract<Change, { kind: 'add-check' }>, ctx: PlanContext): StepDraft[] {
  const { table, check, existing } = change;
  return planConstraint({
    operation: 'add-check',
    kind: 'check',
    table,
    name: check.name,
    columns: [],
    label: 'check',
    existing,
    add: (validate) => [ctx.sql.addCheck(table, check, { validate })],
    precheck: violations(table, check),
    needs: [fact.table(table)],
  }, ctx);
}

const orphans = (table: string, fk: ForeignKeyModel): Precheck => ({
  kind: 'foreign-key',
  table,
  columns: fk.columns,
  description: `every ${table} (${fk.columns.join(', ')}) has its row in ${fk.referencedTable}`,
  rule: { kind: 'foreign-key', foreignKey: fk },
});

export const violations = (table: string, check: CheckModel): Precheck => ({
  kind: 'check',
  table,
  columns: [],
  description: `every ${table} row satisfies ${check.expression}`,
  rule: { kind: 'check', check },
});
