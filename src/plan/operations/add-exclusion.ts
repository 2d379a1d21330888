import { keyColumns } from '../../model/index-entry.js';
import { fact, type Operation } from '../operation.js';
import { strategyMethod } from '../strategy-methods.js';
import type { Precheck } from '../step.js';

/**
 * An exclusion constraint on a live table. The server cannot add one NOT VALID: it builds the
 * index and checks every row under an ACCESS EXCLUSIVE lock, so reads and writes wait for the
 * build. Old code may write rows the constraint refuses, so it is a tightening: in contract, after
 * a precheck that finds the colliding rows. (A new table gets its constraints in CREATE TABLE.)
 */
export const addExclusion: Operation<'add-exclusion'> = ({ table, exclusion }, ctx) => {
  const keys = ctx.indexKeys(table, exclusion.columns);
  const columns = keyColumns(keys);
  const key = `${table}.${exclusion.name}`;
  const precheck: Precheck = {
    kind: 'exclusion',
    table,
    columns,
    description: `no two ${table} rows collide under ${exclusion.columns.map((c, i) => `${c} WITH ${exclusion.operators[i]}`).join(', ')}` +
      `${exclusion.where ? ` where ${exclusion.where}` : ''} (each row is compared with every other: the cost grows with the square of the rows)`,
    rule: { kind: 'exclusion', keys, operators: exclusion.operators, where: exclusion.where },
  };
  ctx.warn(`${key}: ${ctx.caps.server} builds an exclusion constraint's index and checks every row of ${table} while reads and writes wait; it runs in contract`);
  return [{
    operation: 'add-exclusion',
    name: key,
    earliest: 'contract',
    table,
    description: `add exclusion constraint ${exclusion.name} on ${table} (blocks reads and writes while its index is built)`,
    render: () => [strategyMethod(ctx.sql, 'addExclusion', 'exclusion constraint')(table, exclusion, keys)],
    transactional: true,
    prechecks: () => [precheck],
    provides: [fact.constraint(table, exclusion.name)],
    needs: [fact.table(table), fact.nameFree(table, exclusion.name), ...columns.map((c) => fact.column(table, c))],
  }];
};
