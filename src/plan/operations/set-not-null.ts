import { notNullCheckName } from '../owned-names.js';
import { fact, LOCK, type Operation } from '../operation.js';

/**
 * NOT NULL on a column old code may leave empty: contract only. Where the server can, a CHECK
 * added unvalidated and validated online lets SET NOT NULL skip its scan under the exclusive lock.
 */
export const setNotNull: Operation<'set-not-null'> = ({ table, column }, ctx) => {
  const helper = notNullCheckName(table, column);
  const online = ctx.caps.notNullFromCheck && ctx.caps.deferredValidation;
  const check = { name: helper, expression: `${ctx.sql.quote(column)} IS NOT NULL`, validated: false };
  return [{
    key: `set-not-null:${table}.${column}`,
    earliest: 'contract',
    table,
    description: `set ${table}.${column} NOT NULL${online ? ' (through a validated check, no scan under lock)' : ''}`,
    render: () =>
      online
        ? [
            ctx.sql.dropConstraint(table, helper),
            ctx.sql.addCheck(table, check, { validate: false }),
            ctx.sql.validateConstraint(table, helper),
            ctx.sql.setNotNull(table, column),
            ctx.sql.dropConstraint(table, helper),
          ]
        : [ctx.sql.setNotNull(table, column)],
    transactional: !online,
    lock: () => (online ? LOCK.metadata : LOCK.scan),
    prechecks: () => [{
      kind: 'not-null',
      table,
      columns: [column],
      description: `${table}.${column} has no NULL`,
      rule: { kind: 'not-null', columns: [column] },
    }],
    provides: [fact.notNull(table, column)],
    needs: [fact.column(table, column)],
  }];
};
