import { notNullCheckName } from '../owned-names.js';
import { strategyMethod } from '../strategy-methods.js';
import { fact, type Operation } from '../operation.js';

/**
 * NOT NULL on a column old code may leave empty: contract only. Where the server can, a CHECK
 * added unvalidated and validated online lets SET NOT NULL skip its scan under the exclusive lock;
 * MySQL instead rebuilds the table while writes continue.
 */
export const setNotNull: Operation<'set-not-null'> = ({ table, column }, ctx) => {
  const name = column.name;
  const helper = notNullCheckName(table, name);
  const throughCheck = ctx.caps.notNull === 'check-then-set' && ctx.caps.constraintAdd.check === 'not-valid-then-validate';
  const check = { name: helper, expression: `${ctx.sql.quote(name)} IS NOT NULL`, validated: false };
  const how = throughCheck ? ' (through a validated check, no scan under lock)' : ctx.caps.notNull === 'table-copy' ? ' (table rebuilt online)' : '';
  return [{
    operation: 'set-not-null',
    name: `${table}.${name}`,
    earliest: 'contract',
    table,
    description: `set ${table}.${name} NOT NULL${how}`,
    render: () =>
      throughCheck
        ? [
            ctx.sql.dropConstraint(table, helper, 'check'),
            ctx.sql.addCheck(table, check, { validate: false }),
            strategyMethod(ctx.sql, 'validateConstraint', 'check-then-set')(table, helper),
            ctx.sql.setNotNull(table, column, { provenByCheck: true }),
            ctx.sql.dropConstraint(table, helper, 'check'),
          ]
        : [ctx.sql.setNotNull(table, column, { provenByCheck: false })],
    transactional: !throughCheck,
    prechecks: () => [{
      kind: 'not-null',
      table,
      columns: [name],
      description: `${table}.${name} has no NULL`,
      rule: { kind: 'not-null', columns: [name] },
    }],
    provides: [fact.notNull(table, name)],
    needs: [fact.column(table, name)],
  }];
};
