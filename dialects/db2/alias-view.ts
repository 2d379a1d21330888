import { declaredName, quote } from './names.js';

/**
 * dbtide's alias views (a table renamed, a view under its old name for old code) are marked by a
 * condition every row meets, as MySQL's are: it keeps the view a simple, updatable one, and Db2
 * keeps a view's statement as written (SYSCAT.VIEWS.TEXT), where the introspector reads it back.
 * A user's view over one table, without the condition, is never taken for an alias.
 */
export const ALIAS_MARKER = 'dbtide:alias';
export const ALIAS_CONDITION = `WHERE '${ALIAS_MARKER}' IS NOT NULL`;

const NAME = String.raw`"((?:[^"]|"")+)"`;
const ALIAS_TEXT = new RegExp(String.raw`^\s*CREATE\s+VIEW\s+${NAME}\s+AS\s+SELECT\s+\*\s+FROM\s+${NAME}\s+WHERE\s+'${ALIAS_MARKER}'\s+IS\s+NOT\s+NULL\s*;?\s*$`, 'i');

/** The statement that makes the alias `view` over `table`. */
export const aliasViewSql = (view: string, table: string) =>
  `CREATE VIEW ${quote(view)} AS SELECT * FROM ${quote(table)} ${ALIAS_CONDITION}`;

/** The declared name of the table an alias view stands for, read from its SYSCAT.VIEWS.TEXT; null for any other view. */
export function aliasTarget(viewText: string): string | null {
  const match = ALIAS_TEXT.exec(viewText);
  return match ? declaredName(match[2]!.replace(/""/g, '"')) : null;
}

export const isAliasView = (viewText: string) => aliasTarget(viewText) !== null;
