import { strategyMethod } from '../strategy-methods.js';
import { fact, type Operation } from '../operation.js';

/**
 * What logical decoding writes of an old row changes nothing the application sees: expand, once
 * the index it names is built and its columns are NOT NULL (a key or NOT NULL set in contract
 * takes the step along).
 */
export const setReplicaIdentity: Operation<'set-replica-identity'> = ({ table, identity, columns }, ctx) => {
  if (identity === 'nothing') {
    ctx.warn(`${table}: replica identity nothing: in a publication that publishes updates or deletes, the server refuses both on ${table} from expand on`);
  }
  return [{
  operation: 'set-replica-identity',
  name: table,
  earliest: 'expand',
  table,
  description: `set the replica identity of ${table} to ${typeof identity === 'string' ? identity : `index ${identity.index}`}`,
  render: () => [strategyMethod(ctx.sql, 'setReplicaIdentity', 'replica identity')(table, identity)],
  transactional: true,
  prechecks: () => [],
  provides: [],
  // The server refuses an index over a column that still accepts NULL: a SET NOT NULL goes first.
  needs: [fact.table(table), ...(typeof identity === 'string' ? [] : [fact.index(table, identity.index)]), ...columns.map((c) => fact.notNull(table, c))],
  }];
};
