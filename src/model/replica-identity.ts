import { keyColumns, readIndexKeys } from './index-entry.js';
import type { IndexModel, KeyConstraint, TableModel } from './schema-model.js';

/** What a replica identity needs to know of the index it names. */
export interface IdentityIndex {
  name: string;
  /** Index entries, as declared. */
  columns: string[];
  unique: boolean;
  where: string | null;
  /** A deferrable key's index, which PostgreSQL refuses as a replica identity. */
  deferrable?: boolean;
}

const asIndex = (key: KeyConstraint): IdentityIndex => ({ name: key.name, columns: key.columns, unique: true, where: null, ...(key.deferrable ? { deferrable: true } : {}) });

/** The index of that name: a table's index, or the one its primary key or a unique key has. */
export function identityIndex(table: TableModel, name: string): IdentityIndex | undefined {
  const keys = [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques].map(asIndex);
  return [...keys, ...table.indexes.map((i: IndexModel): IdentityIndex => i)].find((i) => i.name === name);
}

/** The columns the index of the table's replica identity keys on; none for the other identities. */
export function identityColumns(table: TableModel): string[] {
  const identity = table.replicaIdentity;
  if (identity === undefined || typeof identity === 'string') return [];
  const index = identityIndex(table, identity.index);
  return index ? keyColumns(readIndexKeys(index.columns, table.columns.map((c) => c.name))) : [];
}
