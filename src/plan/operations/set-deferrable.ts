import { fact, type Operation } from '../operation.js';
import { strategyMethod } from '../strategy-methods.js';

/**
 * A foreign key checked later (made deferrable, or initially deferred) only lets more transactions
 * commit: in expand. Checked sooner, it may refuse what old code does: in contract. Either way the
 * server changes only the constraint's metadata, under a brief lock.
 */
export const setDeferrable: Operation<'set-deferrable'> = ({ table, name, deferrable, relaxes }, ctx) => [{
  operation: 'set-deferrable',
  name: `${table}.${name}`,
  ...(relaxes ? { relaxing: true as const } : {}),
  earliest: relaxes ? 'expand' : 'contract',
  table,
  description: `make foreign key ${name} on ${table} ${deferrable ? `deferrable, initially ${deferrable}` : 'not deferrable'}` +
    (relaxes ? ' (relaxing: checked later than before)' : ''),
  render: () => [strategyMethod(ctx.sql, 'setDeferrable', 'deferrable constraint')(table, name, deferrable)],
  transactional: true,
  prechecks: () => [],
  provides: [],
  needs: [fact.constraint(table, name)],
}];
