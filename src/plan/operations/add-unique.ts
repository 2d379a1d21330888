import type { KeyConstraint } from '../../model/schema-model.js';
import { allNew, fact, LOCK, type Operation, type PlanContext, type StepDraft } from '../operation.js';
import type { Precheck } from '../step.js';

const duplicates = (table: string, columns: string[], ctx: PlanContext): Precheck => ({
  kind: 'unique',
  table,
  columns,
  description: `(${columns.join(', ')}) in ${table} has no duplicates`,
  countSql: ctx.sql.countDuplicates(table, columns, null),
});

/**
 * The index behind a key is built online first, then the constraint adopts it in a brief
 * metadata change. An index left by an interrupted run is reused (or rebuilt when invalid).
 */
function indexFirst(table: string, key: KeyConstraint, existing: { valid: boolean } | null, ctx: PlanContext): string[] {
  if (existing?.valid) return [];
  if (existing) return [ctx.sql.rebuildIndex(key.name)];
  const index = { name: key.name, columns: key.columns, unique: true, where: null, using: 'btree', valid: true };
  return [ctx.sql.createIndex(table, index, { online: true })];
}

/** UNIQUE on columns old code writes is enforced in contract; on new columns, in expand. */
export const addUnique: Operation<'add-unique'> = ({ table, key, existingIndex }, ctx) => {
  const online = ctx.caps.uniqueFromIndex && ctx.caps.onlineIndexBuild;
  const onNewColumns = allNew(ctx, table, key.columns);
  return [{
    key: `add-unique:${table}.${key.name}`,
    earliest: onNewColumns ? 'expand' : 'contract',
    table,
    description: `add unique ${key.name} on ${table} (${key.columns.join(', ')})${online ? ' (index built online first)' : ''}`,
    render: () =>
      online
        ? [...indexFirst(table, key, existingIndex, ctx), ctx.sql.addUnique(table, key, { usingIndex: key.name })]
        : [ctx.sql.addUnique(table, key, { usingIndex: null })],
    transactional: !online,
    lock: () => (online ? LOCK.metadata : LOCK.scan),
    prechecks: () => (onNewColumns ? [] : [duplicates(table, key.columns, ctx)]),
    provides: [fact.uniqueKey(table, key.columns), fact.constraint(table, key.name)],
    needs: [fact.nameFree(table, key.name), ...key.columns.map((c) => fact.column(table, c))],
  }];
};

/** A primary key added to a live table: like a unique key, and its columns must be NOT NULL first. */
export const addPrimaryKey: Operation<'add-primary-key'> = ({ table, key, existingIndex }, ctx): StepDraft[] => {
  const online = ctx.caps.uniqueFromIndex && ctx.caps.onlineIndexBuild;
  return [{
    key: `add-primary-key:${table}.${key.name}`,
    earliest: 'contract',
    table,
    description: `add primary key ${key.name} on ${table} (${key.columns.join(', ')})`,
    render: () =>
      online
        ? [...indexFirst(table, key, existingIndex, ctx), ctx.sql.addPrimaryKey(table, key, { usingIndex: key.name })]
        : [ctx.sql.addPrimaryKey(table, key, { usingIndex: null })],
    transactional: !online,
    lock: () => (online ? LOCK.metadata : LOCK.scan),
    prechecks: () => [duplicates(table, key.columns, ctx)],
    provides: [fact.uniqueKey(table, key.columns), fact.constraint(table, key.name)],
    needs: [fact.nameFree(table, key.name), ...key.columns.flatMap((c) => [fact.column(table, c), fact.notNull(table, c)])],
  }];
};
