import { fact, LOCK, type Operation } from '../operation.js';

/** Removals run only in contract and only for tombstoned objects (the diff never proposes others). */

export const dropConstraint: Operation<'drop-constraint'> = ({ table, name, constraint }, ctx) => [{
  key: `drop-constraint:${table}.${name}`,
  earliest: 'contract',
  table,
  description: `drop ${constraint} ${name} from ${table}`,
  render: () => [ctx.sql.dropConstraint(table, name, constraint)],
  transactional: true,
  lock: () => LOCK.metadata,
  prechecks: () => [],
  provides: [fact.nameFree(table, name)],
  needs: [],
}];

export const dropIndex: Operation<'drop-index'> = ({ table, name }, ctx) => [{
  key: `drop-index:${table}.${name}`,
  earliest: 'contract',
  table,
  description: `drop index ${name} from ${table}`,
  render: () => [ctx.sql.dropIndex(table, name, { online: ctx.caps.onlineIndexBuild })],
  transactional: !ctx.caps.onlineIndexBuild,
  lock: () => (ctx.caps.onlineIndexBuild ? LOCK.online : LOCK.metadata),
  prechecks: () => [],
  provides: [fact.nameFree(table, name)],
  needs: [],
}];

export const dropColumn: Operation<'drop-column'> = ({ table, column }, ctx) => [{
  key: `drop-column:${table}.${column}`,
  earliest: 'contract',
  table,
  description: `drop column ${table}.${column}`,
  render: () => [ctx.sql.dropColumn(table, column)],
  transactional: true,
  lock: () => LOCK.metadata,
  prechecks: () => [],
  provides: [],
  needs: [fact.released(table, column)],
}];

export const dropTable: Operation<'drop-table'> = ({ table }, ctx) => [{
  key: `drop-table:${table}`,
  earliest: 'contract',
  table,
  description: `drop table ${table}`,
  render: () => [ctx.sql.dropTable(table)],
  transactional: true,
  lock: () => LOCK.metadata,
  prechecks: () => [],
  provides: [],
  needs: [],
}];
