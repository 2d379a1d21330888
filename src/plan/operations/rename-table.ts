import { fact, type Operation } from '../operation.js';

/** Old code keeps using the old name through a view (simple views take writes), so the rename is safe live. */
export const renameTable: Operation<'rename-table'> = ({ table, from }, ctx) => [{
  operation: 'rename-table',
  name: table,
  earliest: 'expand',
  table,
  description: `rename table ${from} to ${table}; ${from} stays usable as a view until contract`,
  render: () => ctx.transitions.renameTableWithAlias(from, table),
  transactional: true,
  prechecks: () => [],
  provides: [fact.table(table)],
  needs: [],
}];

/** Once old code is gone: the old name goes, and kept constraint and index names take the declared ones. */
export const dropAlias: Operation<'drop-alias'> = ({ table, alias, renames }, ctx) => [{
  operation: 'drop-alias',
  name: `${table}.${alias}`,
  subject: alias,
  destructive: true,
  earliest: 'contract',
  table,
  description:
    `drop the view ${alias} (old name of ${table})` +
    (renames.length > 0 ? `; rename ${renames.map((r) => `${r.from} to ${r.to}`).join(', ')}` : ''),
  render: () => [
    ...ctx.transitions.dropAlias(alias),
    ...renames.map((r) => (r.object === 'index' ? ctx.sql.renameIndex(table, r.from, r.to) : ctx.sql.renameConstraint(table, r.from, r.to))),
  ],
  transactional: true,
  prechecks: () => [],
  provides: renames.map((r) => fact.nameFree(table, r.from)),
  needs: [fact.table(table)],
}];

/**
 * A declared rename of a constraint or index, in place: in contract, since old code may tell the
 * constraint's errors apart by its old name. Nothing is rebuilt; the statement changes metadata.
 */
export const renameObject: Operation<'rename-object'> = ({ table, object, from, to }, ctx) => [{
  operation: 'rename-object',
  name: `${table}.${to}`,
  earliest: 'contract',
  table,
  description: `rename ${object === 'index' ? 'index' : object.replace('-', ' ')} ${from} on ${table} to ${to} (in place, nothing is rebuilt)`,
  render: () => [object === 'index' ? ctx.sql.renameIndex(table, from, to) : ctx.sql.renameConstraint(table, from, to)],
  transactional: true,
  prechecks: () => [],
  provides: [fact.nameFree(table, from)],
  needs: [fact.table(table)],
}];
