import { readIndexKey } from './index-entry.js';
import type { TableModel } from './schema-model.js';

/** The parts of a table that can be built on a column: what a change of its type must reckon with. */
export interface KeyedTable {
  name: string;
  columns: readonly string[];
  primaryKey: { name: string; columns: string[] } | null;
  uniques: { name: string; columns: string[] }[];
  indexes: { name: string; columns: string[]; unique: boolean; where: string | null; include?: string[] }[];
  foreignKeys: { name: string; columns: string[]; referencedTable: string; referencedColumns: string[] }[];
  exclusions?: { name: string; columns: string[]; where: string | null }[];
}

/** A declared or live table as the functions below see it. */
export const keyedTable = (t: TableModel): KeyedTable => ({ ...t, columns: t.columns.map((c) => c.name) });

export interface ColumnUser {
  kind: 'primary-key' | 'unique' | 'index' | 'foreign-key' | 'referencing-foreign-key' | 'exclusion';
  name: string;
  /** How a message names it: `unique users_email_key`, `foreign key orders.orders_user_fkey`. */
  label: string;
  /** A unique constraint or a unique index: it refuses duplicates. */
  unique: boolean;
  /** An index that reads the column inside an expression (or its predicate), not as a key column. */
  viaExpression: boolean;
}

/** Identifiers of an SQL expression: quoted ones exactly, bare ones as written; string literals skipped. */
const TOKEN = /'(?:[^']|'')*'|"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|([A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)/g;

/**
 * Whether an expression may read the column. A bare word matches whatever its case, as both
 * PostgreSQL (folding) and MySQL (case-insensitive column names) may resolve it to the column; a
 * word that is a function or keyword of the same name matches too, which errs on the safe side.
 */
export function expressionReads(expression: string, column: string): boolean {
  for (const m of expression.matchAll(TOKEN)) {
    const quoted = m[1]?.replace(/""/g, '"') ?? m[2]?.replace(/``/g, '`');
    if (quoted !== undefined ? quoted === column : m[3] !== undefined && m[3].toLowerCase() === column.toLowerCase()) return true;
  }
  return false;
}

/**
 * The keys, indexes and foreign keys (either end) that read the column. An index entry counts when
 * it is that column (read as src/model/index-entry.ts reads entries) or an expression naming it,
 * so an index on `rating_note` is no user of `rating`.
 */
export function columnUsers(table: KeyedTable, column: string, tables: readonly KeyedTable[]): ColumnUser[] {
  const user = (kind: ColumnUser['kind'], name: string, label: string, unique: boolean, viaExpression = false): ColumnUser => ({
    kind,
    name,
    label,
    unique,
    viaExpression,
  });
  // A covering column is stored in the index as a key column is: dropping it drops the index.
  const indexUse = (entries: string[], where: string | null, include: string[]): 'key' | 'expression' | null => {
    const keys = entries.map((e) => readIndexKey(e, table.columns));
    if (keys.some((k) => k.kind === 'column' && k.column === column) || include.includes(column)) return 'key';
    const expressions = [...keys.flatMap((k) => (k.kind === 'expression' ? [k.expression] : [])), ...(where === null ? [] : [where])];
    return expressions.some((e) => expressionReads(e, column)) ? 'expression' : null;
  };
  return [
    ...(table.primaryKey?.columns.includes(column) ? [user('primary-key', table.primaryKey.name, `the primary key ${table.primaryKey.name}`, true)] : []),
    ...table.uniques.filter((u) => u.columns.includes(column)).map((u) => user('unique', u.name, `unique ${u.name}`, true)),
    ...table.indexes.flatMap((x) => {
      const use = indexUse(x.columns, x.where, x.include ?? []);
      return use === null ? [] : [user('index', x.name, `${x.unique ? 'unique ' : ''}index ${x.name}`, x.unique, use === 'expression')];
    }),
    ...table.foreignKeys.filter((f) => f.columns.includes(column)).map((f) => user('foreign-key', f.name, `foreign key ${f.name}`, false)),
    // It refuses rows as a unique key does, and its index goes with the column.
    ...(table.exclusions ?? []).flatMap((x) => {
      const use = indexUse(x.columns, x.where, []);
      return use === null ? [] : [user('exclusion', x.name, `exclusion constraint ${x.name}`, true, use === 'expression')];
    }),
    ...tables.flatMap((o) =>
      o.foreignKeys
        .filter((f) => f.referencedTable === table.name && f.referencedColumns.includes(column))
        .map((f) => user('referencing-foreign-key', f.name, `foreign key ${o.name}.${f.name}`, false)),
    ),
  ];
}

/** What to do instead, when a type change cannot carry what is built on the column. */
export const TYPE_CHANGE_RECIPE = 'add a new column of the new type with derive() and retire this one';

/**
 * A unique or index the previous release has on a type-changed column: contract's swap drops the
 * old column and everything built on it, so it would have to move to the shadow column first.
 */
export const builtOnTheOldColumn = (table: string, column: string, user: string) =>
  `${table}.${column} carries ${user}, which contract's swap would drop with the old column (moving it to the converted column is not supported yet): ` +
  `${TYPE_CHANGE_RECIPE}; or remove it in one release and change the type in the next (a unique or index new in the release that changes the type is built after the swap)`;
