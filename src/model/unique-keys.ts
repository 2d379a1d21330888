import type { DeclaredSchema, TableModel } from './schema-model.js';
import { readIndexKey } from './index-entry.js';

/**
 * Where the server keeps no difference between a unique index and a unique constraint (MySQL:
 * both are unique indexes), a declared unique index over whole columns is the constraint the
 * server will report, so the declaration is compared in the server's terms. So is a tombstoned
 * index: the server may report it as a unique constraint.
 */
export function uniqueIndexesAsKeys(declared: DeclaredSchema): DeclaredSchema {
  const tables = Object.fromEntries(Object.entries(declared.model.tables).map(([name, table]) => [name, fold(table)]));
  const { removed } = declared;
  return { ...declared, model: { ...declared.model, tables }, removed: { ...removed, constraints: [...removed.constraints, ...removed.indexes] } };
}

function fold(table: TableModel): TableModel {
  const columns = table.columns.map((c) => c.name);
  const whole = (entry: string) => {
    const key = readIndexKey(entry, columns);
    return key.kind === 'column' && key.prefix === null && key.modifiers === '';
  };
  const isKey = (i: TableModel['indexes'][number]) => i.unique && i.where === null && i.using === 'btree' && i.columns.every(whole);
  const keys = table.indexes.filter(isKey);
  if (keys.length === 0) return table;
  return {
    ...table,
    uniques: [...table.uniques, ...keys.map((i) => ({ name: i.name, columns: i.columns }))],
    indexes: table.indexes.filter((i) => !isKey(i)),
  };
}
