import type { TableModel } from './schema-model.js';

export type NamedObjectKind = ConstraintKind | 'index';

export type ConstraintKind = 'unique' | 'foreign-key' | 'check' | 'primary-key' | 'exclusion';

export interface NamedObject {
  /** Where the declaration names it: `tables.users.checks.age_positive`. */
  path: string;
  kind: NamedObjectKind;
  name: string;
}

/** A table's keys, indexes and constraints with their names, for the checks on name clashes. */
export function namedObjects(table: TableModel): NamedObject[] {
  const path = `tables.${table.name}`;
  const at = (kind: NamedObjectKind, list: string) => (o: { name: string }): NamedObject => ({ path: `${path}.${list}.${o.name}`, kind, name: o.name });
  return [
    ...(table.primaryKey ? [{ path: `${path}.primaryKey`, kind: 'primary-key' as const, name: table.primaryKey.name }] : []),
    ...table.uniques.map(at('unique', 'uniques')),
    ...table.indexes.map(at('index', 'indexes')),
    ...table.foreignKeys.map(at('foreign-key', 'foreignKeys')),
    ...table.checks.map(at('check', 'checks')),
    ...(table.exclusions ?? []).map(at('exclusion', 'exclusions')),
  ];
}
