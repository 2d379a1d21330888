import { formatColumnType } from '../../model/column-type.js';
import { fact, type Operation } from '../operation.js';
import type { Precheck } from '../step.js';

/** Accepting NULL again cannot break old code: expand. */
export const dropNotNull: Operation<'drop-not-null'> = ({ table, column }, ctx) => [{
  operation: 'drop-not-null',
  name: `${table}.${column.name}`,
  relaxing: true,
  earliest: 'expand',
  table,
  description: `allow NULL in ${table}.${column.name}`,
  render: () => [ctx.sql.dropNotNull(table, column)],
  transactional: true,
  prechecks: () => [],
  provides: [],
  needs: [fact.column(table, column.name)],
}];

/**
 * A default only affects future inserts and is stored as metadata: expand. A column a dual-write
 * trigger fills gets it once the trigger is gone: before, old code's inserts would carry it and
 * look like new code's writes.
 */
export const setDefault: Operation<'set-default'> = ({ table, column, afterSync }, ctx) => [{
  operation: 'set-default',
  name: `${table}.${column.name}`,
  earliest: 'expand',
  table,
  description: `set the default of ${table}.${column.name}`,
  render: () => [ctx.sql.setDefault(table, column)],
  transactional: true,
  prechecks: () => [],
  provides: [],
  needs: [fact.column(table, column.name), ...(afterSync ? [fact.unsynced(afterSync)] : [])],
}];

/** Old code may rely on the default when it leaves the column out: contract. */
export const dropDefault: Operation<'drop-default'> = ({ table, column }, ctx) => [{
  operation: 'drop-default',
  name: `${table}.${column}`,
  earliest: 'contract',
  table,
  description: `drop the default of ${table}.${column}`,
  render: () => [ctx.sql.dropDefault(table, column)],
  transactional: true,
  prechecks: () => [],
  provides: [],
  needs: [],
}];

/**
 * A type change the server does in metadata runs in expand. Any other rewrites the table under an
 * exclusive lock, so it waits for contract and the plan says so: a declared transition does it online.
 */
export const alterColumnType: Operation<'alter-column-type'> = ({ table, column, from }, ctx) => {
  const instant = ctx.caps.isMetadataOnlyTypeChange(from.type, column.type);
  const change = `${formatColumnType(from.type)} -> ${formatColumnType(column.type)}`;
  if (!instant) {
    ctx.warn(`${table}.${column.name}: ${change} rewrites ${table} under an exclusive lock in contract; declare a transition to change it online`);
  }
  // A value the new type lacks would fail the rewrite midway (or be lost): contract scans for it first.
  const keeps = instant ? null : ctx.caps.typeChangeKeeps(ctx.sql.quote(column.name), from.type, column.type);
  if (keeps !== null) {
    ctx.warn(`${table}.${column.name}: ${change} drops values old code may still write; contract first checks that no row holds one`);
  }
  const prechecks: Precheck[] = keeps === null ? [] : [{
    kind: 'check',
    table,
    columns: [column.name],
    description: `no row of ${table} holds a value of ${column.name} that ${formatColumnType(column.type)} lacks`,
    rule: { kind: 'check', check: { name: `${table}.${column.name} type`, expression: keeps, validated: true } },
  }];
  return [{
    operation: 'alter-column-type',
    name: `${table}.${column.name}`,
    earliest: instant ? 'expand' : 'contract',
    table,
    description: `change ${table}.${column.name} ${change}${instant ? ' (metadata only)' : ' (rewrites the table)'}`,
    render: () => [ctx.sql.alterColumnType(table, column, { inPlace: instant })],
    transactional: true,
    prechecks: () => prechecks,
    provides: [],
    // PostgreSQL refuses to change the type of a column a view reads: the version schema goes first.
    needs: [fact.column(table, column.name), ...(instant ? [] : [fact.unviewed(table)])],
  }];
};
