import { strategyMethod } from '../strategy-methods.js';
import { fact, type Operation } from '../operation.js';

/**
 * What logical decoding writes of an old row changes nothing the application sees: expand, once
 * the index it names is built (a key built in contract takes the step along).
 */
export const setReplicaIdentity: Operation<'set-replica-identity'> = ({ table, identity }, ctx) => {
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
  needs: [fact.table(table), ...(typeof identity === 'string' ? [] : [fact.index(table, identity.index)])],
  }];
};
