import { fact, type Operation, type StepDraft } from '../operation.js';
import { addForeignKey } from './add-constraint.js';
import { addIndex } from './add-index.js';
import { definitionComments } from './set-comment.js';
import { setReplicaIdentity } from './set-replica-identity.js';
import { identityColumns } from '../../model/replica-identity.js';

/** A new table: no application code uses it yet, so it is built whole in expand. */
export const createTable: Operation<'create-table'> = ({ table }, ctx) => {
  const t = table.name;
  const create: StepDraft = {
    operation: 'create-table',
    name: t,
    earliest: 'expand',
    table: t,
    description: `create table ${t}`,
    render: () => [ctx.sql.createTable(table), ...definitionComments(t, table.comment, table.columns, ctx)],
    transactional: true,
    prechecks: () => [],
    provides: [
      fact.table(t),
      ...table.columns.map((c) => fact.column(t, c.name)),
      ...table.columns.filter((c) => !c.nullable).map((c) => fact.notNull(t, c.name)),
      ...(table.primaryKey ? [fact.uniqueKey(t, table.primaryKey.columns)] : []),
      ...table.uniques.map((u) => fact.uniqueKey(t, u.columns)),
      ...[...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques].map((k) => fact.index(t, k.name)),
    ],
    needs: [],
  };
  return [
    create,
    ...table.indexes.flatMap((index) => addIndex({ kind: 'add-index', table: t, index }, ctx)),
    ...table.foreignKeys.flatMap((foreignKey) =>
      addForeignKey({ kind: 'add-foreign-key', table: t, foreignKey, existing: 'none' }, ctx),
    ),
    ...(table.replicaIdentity
      ? setReplicaIdentity({ kind: 'set-replica-identity', table: t, identity: table.replicaIdentity, columns: identityColumns(table) }, ctx)
      : []),
  ];
};
