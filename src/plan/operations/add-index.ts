import { keyColumns } from '../../model/index-entry.js';
import { strategyMethod } from '../strategy-methods.js';
import { allNew, convertedNote, fact, type Operation } from '../operation.js';

/**
 * Indexes on live tables are built without blocking writes. A unique index on data old code
 * writes is a tightening, so it waits for contract behind a duplicate scan.
 */
export const addIndex: Operation<'add-index'> = ({ table, index }, ctx) => {
  const newTable = ctx.newTables.has(table);
  const keys = ctx.indexKeys(table, index.columns);
  const columns = keyColumns(keys);
  const tightening = index.unique && !allNew(ctx, table, columns);
  const online = !newTable && ctx.caps.onlineIndexBuild && !ctx.caps.blockingIndexMethods.includes(index.using);
  if (!newTable && !online) ctx.warn(`${table}.${index.name}: building a ${index.using} index on ${ctx.caps.server} makes writes wait; it runs in contract`);
  if (index.where !== null && !ctx.caps.partialIndexes) {
    ctx.warn(`${table}.${index.name}: partial indexes are not supported by ${ctx.caps.server}; the index covers every row`);
  }
  return [{
    operation: 'add-index',
    name: `${table}.${index.name}`,
    earliest: tightening || (!newTable && !online) ? 'contract' : 'expand',
    table,
    description: `create ${index.unique ? 'unique ' : ''}index ${index.name} on ${table} (${index.columns.join(', ')})`,
    render: () => [ctx.sql.createIndex(table, index, keys, { online })],
    transactional: !online,
    prechecks: () => {
      if (!tightening) return [];
      // Read in the declared types: a column the plan swaps in converted is read from its converted copy.
      const read = keys.map((k) => (k.kind === 'column' ? { ...k, column: ctx.converted(table, k.column) } : k));
      return [{
        kind: 'unique',
        table,
        columns: keyColumns(read),
        description: `(${index.columns.join(', ')}) in ${table}${index.where ? ` where ${index.where}` : ''} has no duplicates${index.nullsNotDistinct ? ' (NULLs included)' : ''}${convertedNote(columns, keyColumns(read))}`,
        rule: { kind: 'unique', keys: read, where: index.where, ...(index.nullsNotDistinct ? { nullsNotDistinct: true } : {}) },
      }];
    },
    provides: [fact.index(table, index.name), ...(index.unique ? [fact.uniqueKey(table, index.columns)] : [])],
    needs: [fact.table(table), fact.nameFree(table, index.name), ...[...columns, ...index.include].map((c) => fact.column(table, c))],
  }];
};

/** An index left INVALID by an interrupted online build: rebuilt in place. */
export const rebuildIndex: Operation<'rebuild-index'> = ({ table, index }, ctx) => [{
  operation: 'rebuild-index',
  name: `${table}.${index.name}`,
  earliest: index.unique ? 'contract' : 'expand',
  table,
  description: `rebuild invalid index ${index.name} on ${table}`,
  render: () =>
    ctx.caps.invalidIndex === 'rebuild-online'
      ? [strategyMethod(ctx.sql, 'rebuildIndex', 'rebuild-online')(index.name)]
      : [ctx.sql.dropIndex(table, index.name, { online: true }), ctx.sql.createIndex(table, index, ctx.indexKeys(table, index.columns), { online: true })],
  transactional: false,
  prechecks: () => [],
  provides: [fact.index(table, index.name), ...(index.unique ? [fact.uniqueKey(table, index.columns)] : [])],
  needs: [],
}];
