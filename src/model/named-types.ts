import type { ColumnType } from './column-type.js';
import type { SchemaModel, TableModel } from './schema-model.js';

/**
 * The declared domain or enum type a native column type names: `mood`, `"Mood"`, `public.mood`
 * or an array of it (`mood[]`), unquoted; null for any other type. Unquoted names fold to lower
 * case, as identifiers do on the servers that have such types.
 */
export function namedType(type: ColumnType): string | null {
  if (type.kind !== 'native') return null;
  const match = /^(?:(?:"(?:[^"]|"")+"|[^\s."]+)\.)?("(?:[^"]|"")+"|[^\s."[\]()]+)((?:\[\])*)$/.exec(type.sql.trim());
  if (!match) return null;
  const name = match[1]!;
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase();
}

/** The columns (of `tables`) whose type is the domain or enum `name`. */
export function columnsOfType(tables: Record<string, TableModel>, name: string): { table: string; column: TableModel['columns'][number] }[] {
  return Object.values(tables).flatMap((t) => t.columns.filter((c) => namedType(c.type) === name).map((column) => ({ table: t.name, column })));
}

/** The domains of a model built over the type `name`. */
export const domainsOver = (model: SchemaModel, name: string): string[] =>
  Object.values(model.domains ?? {}).filter((d) => namedType(d.type) === name).map((d) => d.name);
