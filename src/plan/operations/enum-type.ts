/** Enum types: created and given values in expand; a removed value rebuilds the type in contract. */
import { fact, type Operation } from '../operation.js';
import type { Precheck } from '../step.js';
import { draft, sqlOf, typeFact } from './schema-object-draft.js';

export const createEnum: Operation<'create-enum'> = ({ enum: type }, ctx) => [draft({
  operation: 'create-enum',
  name: type.name,
  earliest: 'expand',
  description: `create enum type ${type.name} (${type.values.join(', ')})`,
  render: () => [sqlOf(ctx).createEnum(type)],
  provides: [typeFact(type.name)],
})];

/**
 * Both versions keep working: old code never writes the new value. The statement commits on its
 * own, since a value added in a transaction cannot be used before it commits (and before
 * PostgreSQL 12 could not be added inside one at all).
 */
export const addEnumValue: Operation<'add-enum-value'> = ({ enum: type, value, before, after }, ctx) => [draft({
  operation: 'add-enum-value',
  name: `${type}.${value}`,
  earliest: 'expand',
  description: `add value ${value} to enum type ${type}${after !== undefined ? ` after ${after}` : before !== undefined ? ` before ${before}` : ''}`,
  render: () => [sqlOf(ctx).addEnumValue(type, value, { ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) })],
  transactional: false,
  provides: [typeFact(type)],
})];

/**
 * PostgreSQL cannot drop an enum value: the type is built anew and every column of it converted,
 * which rewrites those tables under ACCESS EXCLUSIVE. Contract only, once the precheck found no
 * row holding a removed value (the conversion would fail on it).
 */
export const rebuildEnum: Operation<'rebuild-enum'> = ({ enum: type, removed, users }, ctx) => {
  const sql = sqlOf(ctx);
  const prechecks: Precheck[] = users.map(({ table, column }) => ({
    kind: 'check',
    table,
    columns: [column.name],
    description: `no ${table}.${column.name} holds ${removed.join(', ')} (removed from enum type ${type.name})`,
    rule: { kind: 'check', check: { name: `${type.name}_removed_values`, expression: sql.enumValuesAbsent(column.name, removed), validated: true } },
  }));
  const tables = [...new Set(users.map((u) => u.table))];
  return [draft({
    operation: 'rebuild-enum',
    name: type.name,
    destructive: true,
    earliest: 'contract',
    description: `remove ${removed.join(', ')} from enum type ${type.name}: the type is rebuilt` +
      (tables.length > 0 ? `, rewriting ${tables.join(', ')} under ACCESS EXCLUSIVE` : ''),
    render: () => sql.rebuildEnum(type, users),
    prechecks: () => prechecks,
    needs: tables.map((t) => fact.table(t)),
  })];
};

export const dropEnum: Operation<'drop-enum'> = ({ name }, ctx) => [draft({
  operation: 'drop-enum',
  name,
  destructive: true,
  earliest: 'contract',
  description: `drop enum type ${name}`,
  render: () => [sqlOf(ctx).dropEnum(name)],
})];
