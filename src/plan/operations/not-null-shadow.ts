import type { NotNullShadowSql } from '../../dialect.js';
import { fact, type Operation, type PlanContext, type StepDraft } from '../operation.js';
import type { Precheck } from '../step.js';

/** The dialect's shadow SQL: a dialect whose capabilities choose the strategy without it is wrong. */
function shadowSql(ctx: PlanContext): NotNullShadowSql {
  const sql = ctx.transitions.notNullShadow;
  if (!sql) throw new Error('internal: the shadow-column strategy needs TransitionSql.notNullShadow, which this dialect lacks');
  return sql;
}

/** The new version writes these rows while the fill runs: a batch holds their row locks no longer than this. */
const FILL_BATCH_MS = 50;

const shadowFact = (table: string, column: string, what: string) => `shadow:${table}.${column}:${what}`;

/**
 * NOT NULL through a shadow column (src/diff/not-null-shadows.ts), in contract, in the steps a
 * stopped run has not done yet: the shadow and its copy triggers, the fill, one online build per
 * index of the column, the swap. Writers only wait for the swap, which changes metadata under a
 * table lock; a table rebuilt in place instead makes them wait at the rebuild's end.
 */
export const setNotNullThroughShadow: Operation<'set-not-null-through-shadow'> = ({ table, column, shadow }, ctx) => {
  const sql = shadowSql(ctx);
  const name = column.name;
  const q = ctx.sql.quote;
  const steps: StepDraft[] = [];
  const noNull: Precheck = {
    kind: 'not-null',
    table,
    columns: [name],
    description: `${table}.${name} has no NULL`,
    rule: { kind: 'not-null', columns: [name] },
  };
  const base = { earliest: 'contract' as const, table, transactional: false, prechecks: () => [] };
  if (!shadow.added || !shadow.copying) {
    steps.push({
      ...base,
      operation: 'add-shadow-column',
      name: `${table}.${name}`,
      description: shadow.added
        ? `copy ${table}.${name} into its shadow ${shadow.column} again by trigger (a stopped run left it unsynced; the fill starts over)`
        : `add ${shadow.column}, a NOT NULL copy of ${table}.${name} kept in step by trigger (metadata only)`,
      render: () => [...(shadow.added ? [] : [sql.addShadow(table, column, shadow.column)]), ...sql.copyTriggers(table, name, shadow.column, shadow.trigger)],
      provides: [fact.column(table, shadow.column), shadowFact(table, name, 'copying')],
      needs: [fact.column(table, name)],
      restartsJob: shadow.job,
    });
  }
  if (!shadow.filled) {
    steps.push({
      ...base,
      operation: 'fill-shadow-column',
      name: `${table}.${name}`,
      description: `fill ${shadow.column} from ${table}.${name} in batches, in ${shadow.key.join(', ')} order, where they differ`,
      render: () => [],
      lock: ctx.batchLock,
      provides: [shadowFact(table, name, 'filled')],
      needs: [shadowFact(table, name, 'copying')],
      work: { kind: 'backfill', job: { id: shadow.job, table, key: shadow.key, set: { [shadow.column]: q(name) }, where: sql.differs(name, shadow.column), targetBatchMs: FILL_BATCH_MS } },
    });
  }
  for (const index of shadow.indexes.filter((i) => !i.built)) {
    steps.push({
      ...base,
      operation: 'index-shadow-column',
      name: `${table}.${index.copy.name}`,
      description: `create ${index.copy.unique ? 'unique ' : ''}index ${index.copy.name} on ${table} (${index.copy.columns.join(', ')}), the copy of ${index.name} on the shadow`,
      render: () => [ctx.sql.createIndex(table, index.copy, ctx.indexKeys(table, index.copy.columns), { online: true })],
      provides: [fact.index(table, index.copy.name)],
      needs: [shadowFact(table, name, 'filled'), fact.column(table, shadow.column)],
    });
  }
  const drops = shadow.drops.length === 0 ? '' : `; drops index ${shadow.drops.join(', ')}, which the release removes`;
  steps.push({
    ...base,
    operation: 'swap-shadow-column',
    name: `${table}.${name}`,
    ...(shadow.drops.length > 0 ? { destructive: true as const } : {}),
    description: `set ${table}.${name} NOT NULL: swap in its filled shadow ${shadow.column}${shadow.indexes.length > 0 ? ` and the copies of ${shadow.indexes.map((i) => i.name).join(', ')}` : ''} (metadata only, under a table lock${drops})`,
    render: () => sql.swap(table, { column, shadow: shadow.column, trigger: shadow.trigger, indexes: shadow.indexes.map((i) => ({ name: i.name, shadow: i.copy.name })), drops: shadow.drops }),
    together: true,
    provides: [fact.notNull(table, name)],
    needs: [shadowFact(table, name, 'filled'), ...shadow.indexes.map((i) => fact.index(table, i.copy.name))],
  });
  // Once for the phase: the first step left to run carries it.
  return steps.map((s, i) => (i === 0 ? { ...s, prechecks: () => [noNull] } : s));
};

/** A shadow no pending NOT NULL explains (the release changed, or its column is gone): its triggers would refuse NULLs the release accepts. */
export const dropNotNullShadow: Operation<'drop-not-null-shadow'> = ({ table, shadow }, ctx) => [{
  operation: 'drop-not-null-shadow',
  name: `${table}.${shadow.column ?? shadow.trigger}`,
  earliest: 'contract',
  table,
  description: `drop what a stopped NOT NULL left on ${table}: ${[shadow.trigger && `trigger ${shadow.trigger}`, shadow.column && `column ${shadow.column}`].filter(Boolean).join(', ')}`,
  render: () => shadowSql(ctx).dropShadow(table, shadow),
  transactional: false,
  prechecks: () => [],
  provides: [],
  needs: [],
}];
