import { fact, type Operation } from '../operation.js';

/**
 * Removals are only of tombstoned objects or of objects the declaration replaces (the diff never
 * proposes others). They run in contract, since old code may still use what goes, except a
 * relaxing one: once a unique, foreign-key or check constraint is gone, every write either
 * version makes still succeeds, and the new version's writes that the constraint would refuse
 * succeed from expand on, as for DROP NOT NULL. Replacing a constraint or an index is not
 * relaxing (the new one may refuse more) and waits for contract.
 */
const relaxingPhase = (relaxes: true | undefined) => (relaxes ? 'expand' : 'contract');
const removes = (relaxes: true | undefined) => (relaxes ? { relaxing: true as const } : { destructive: true as const });

export const dropConstraint: Operation<'drop-constraint'> = ({ table, name, constraint, relaxes }, ctx) => [{
  operation: 'drop-constraint',
  name: `${table}.${name}`,
  ...removes(relaxes),
  earliest: relaxingPhase(relaxes),
  table,
  description: `drop ${constraint} ${name} from ${table}${relaxes ? ' (relaxing: both versions keep working)' : ''}`,
  render: () => [ctx.sql.dropConstraint(table, name, constraint)],
  transactional: true,
  prechecks: () => [],
  provides: [fact.nameFree(table, name)],
  needs: [],
}];

export const dropIndex: Operation<'drop-index'> = ({ table, name, relaxes }, ctx) => [{
  operation: 'drop-index',
  name: `${table}.${name}`,
  ...removes(relaxes),
  earliest: relaxingPhase(relaxes),
  table,
  description: `drop ${relaxes ? 'unique ' : ''}index ${name} from ${table}${relaxes ? ' (relaxing: both versions keep working)' : ''}`,
  render: () => [ctx.sql.dropIndex(table, name, { online: ctx.caps.onlineIndexBuild })],
  transactional: !ctx.caps.onlineIndexBuild,
  prechecks: () => [],
  provides: [fact.nameFree(table, name)],
  needs: [],
}];

export const dropColumn: Operation<'drop-column'> = ({ table, column }, ctx) => [{
  operation: 'drop-column',
  name: `${table}.${column}`,
  destructive: true,
  earliest: 'contract',
  table,
  description: `drop column ${table}.${column}`,
  render: () => [ctx.sql.dropColumn(table, column)],
  transactional: true,
  prechecks: () => [],
  provides: [],
  needs: [fact.released(table, column)],
}];

export const dropTable: Operation<'drop-table'> = ({ table }, ctx) => [{
  operation: 'drop-table',
  name: table,
  destructive: true,
  earliest: 'contract',
  table,
  description: `drop table ${table}`,
  render: () => [ctx.sql.dropTable(table)],
  transactional: true,
  prechecks: () => [],
  provides: [],
  needs: [],
}];
