import type { ColumnModel } from '../../model/schema-model.js';
import type { Statement } from '../../model/locks.js';
import { fact, type Operation, type PlanContext } from '../operation.js';

/**
 * A comment changes no behaviour either version sees, so adding, changing or removing one is
 * expand. It runs first among its phase's steps: where the server restates the whole column
 * (MySQL), it restates the live column, which a later step of the phase may still change.
 */
export const setComment: Operation<'set-comment'> = ({ table, column, comment }, ctx) => {
  const on = column ? `${table}.${column.name}` : table;
  return [{
    operation: 'set-comment',
    name: on,
    earliest: 'expand',
    table,
    description: `${comment === null ? 'remove the comment of' : 'comment on'} ${column ? 'column' : 'table'} ${on}`,
    render: () => [column ? ctx.sql.commentOnColumn(table, column) : ctx.sql.commentOnTable(table, comment)],
    transactional: true,
    prechecks: () => [],
    provides: [],
    needs: [fact.table(table)],
  }];
};

/**
 * The comments of a table or columns being created, where the server cannot say them in the
 * definition itself (PostgreSQL): their own statements, within the step that creates them.
 */
export function definitionComments(table: string, comment: string | undefined, columns: ColumnModel[], ctx: PlanContext): Statement[] {
  if (ctx.caps.commentsInDefinition) return [];
  return [
    ...(comment === undefined ? [] : [ctx.sql.commentOnTable(table, comment)]),
    ...columns.filter((c) => c.comment !== undefined).map((c) => ctx.sql.commentOnColumn(table, c)),
  ];
}
