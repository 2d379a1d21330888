import { columnKey } from '../../model/index-entry.js';
import { strategyMethod } from '../strategy-methods.js';
import type { Statement } from '../../model/locks.js';
import type { KeyConstraint } from '../../model/schema-model.js';
import { allNew, convertedNote, fact, type Operation, type PlanContext, type StepDraft } from '../operation.js';
import type { Phase, Precheck } from '../step.js';

/** Read in the declared types: a column the plan swaps in converted is read from its converted copy. */
export function duplicates(table: string, key: KeyConstraint, ctx: PlanContext): Precheck {
  const read = key.columns.map((c) => ctx.converted(table, c));
  return {
    kind: 'unique',
    table,
    columns: read,
    description: `(${key.columns.join(', ')}) in ${table} has no duplicates${key.nullsNotDistinct ? ' (NULLs included)' : ''}${convertedNote(key.columns, read)}`,
    rule: { kind: 'unique', keys: read.map(columnKey), where: null, ...(key.nullsNotDistinct ? { nullsNotDistinct: true } : {}) },
  };
}

/**
 * The index behind a key is built online first, then the constraint adopts it in a brief
 * metadata change. An index left by an interrupted run is reused (or rebuilt when invalid).
 */
function indexFirst(table: string, key: KeyConstraint, existing: { valid: boolean } | null, ctx: PlanContext): Statement[] {
  if (existing?.valid) return [];
  const index = { name: key.name, columns: key.columns, unique: true, where: null, using: 'btree', include: key.include ?? [], nullsNotDistinct: key.nullsNotDistinct ?? false, valid: true };
  const create = ctx.sql.createIndex(table, index, key.columns.map(columnKey), { online: true });
  if (!existing) return [create];
  return ctx.caps.invalidIndex === 'rebuild-online'
    ? [strategyMethod(ctx.sql, 'rebuildIndex', 'rebuild-online')(key.name)]
    : [ctx.sql.dropIndex(table, key.name, { online: true }), create];
}

/** What a unique or primary key makes true, however it is built. */
export const uniqueFacts = (table: string, key: KeyConstraint) => [fact.uniqueKey(table, key.columns), fact.constraint(table, key.name), fact.index(table, key.name)];

interface KeyStep {
  operation: 'add-unique' | 'add-primary-key';
  label: string;
  table: string;
  key: KeyConstraint;
  existingIndex: { valid: boolean } | null;
  earliest: Phase;
  add(usingIndex: string | null): Statement;
  prechecks: Precheck[];
  /** Facts besides the name being free and the columns existing. */
  needs: string[];
}

/**
 * Unique and primary keys share one lifecycle; they differ in phase, SQL and what they need.
 * PostgreSQL builds the index online, then adopts it; MySQL builds the key itself online.
 */
function keyStep(k: KeyStep, ctx: PlanContext): StepDraft {
  const indexFirstOnline = ctx.caps.uniqueKey === 'index-then-adopt' && ctx.caps.onlineIndexBuild;
  const online = indexFirstOnline || ctx.caps.uniqueKey === 'online-key';
  return {
    operation: k.operation,
    name: `${k.table}.${k.key.name}`,
    earliest: k.earliest,
    table: k.table,
    description: `add ${k.label} ${k.key.name} on ${k.table} (${k.key.columns.join(', ')})${indexFirstOnline ? ' (index built online first)' : online ? ' (built online)' : ''}`,
    render: () => (indexFirstOnline ? [...indexFirst(k.table, k.key, k.existingIndex, ctx), k.add(k.key.name)] : [k.add(null)]),
    transactional: !online,
    prechecks: () => k.prechecks,
    provides: uniqueFacts(k.table, k.key),
    needs: [fact.nameFree(k.table, k.key.name), ...[...k.key.columns, ...(k.key.include ?? [])].map((c) => fact.column(k.table, c)), ...k.needs],
  };
}

/** UNIQUE on columns old code writes is enforced in contract; on new columns, in expand. */
export const addUnique: Operation<'add-unique'> = ({ table, key, existingIndex }, ctx) => {
  const onNewColumns = allNew(ctx, table, key.columns);
  return [keyStep({
    operation: 'add-unique',
    label: 'unique',
    table,
    key,
    existingIndex,
    earliest: onNewColumns ? 'expand' : 'contract',
    add: (usingIndex) => ctx.sql.addUnique(table, key, { usingIndex }),
    prechecks: onNewColumns ? [] : [duplicates(table, key, ctx)],
    // Db2 refuses a unique constraint over a column that may be NULL: its NOT NULL comes first.
    needs: ctx.caps.keyColumnsNotNull ? key.columns.map((c) => fact.notNull(table, c)) : [],
  }, ctx)];
};

/** A primary key added to a live table: like a unique key, and its columns must be NOT NULL first. */
export const addPrimaryKey: Operation<'add-primary-key'> = ({ table, key, existingIndex }, ctx) => [keyStep({
  operation: 'add-primary-key',
  label: 'primary key',
  table,
  key,
  existingIndex,
  earliest: 'contract',
  add: (usingIndex) => ctx.sql.addPrimaryKey(table, key, { usingIndex }),
  prechecks: [duplicates(table, key, ctx)],
  needs: key.columns.map((c) => fact.notNull(table, c)),
}, ctx)];
