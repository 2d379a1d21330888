/**
 * One entry of an index's column list, read against its table's columns: a column (quoted by the
 * dialect, whatever characters its name holds) or an expression (left as the user wrote it).
 * `prefix` is a MySQL prefix length, `name(10)`; `modifiers` are the words after the column, an
 * operator class or a sort order (`text_pattern_ops`, `DESC NULLS LAST`).
 */
export type IndexKey =
  | { kind: 'column'; column: string; prefix: number | null; modifiers: string }
  | { kind: 'expression'; expression: string };

/** A key's column, whole and in ascending order: what a unique or primary key is made of. */
export const columnKey = (column: string): IndexKey => ({ kind: 'column', column, prefix: null, modifiers: '' });

/** What may follow a column name in an entry: a prefix length, then bare words. */
const AFTER_COLUMN = /^(?:\(\s*(\d+)\s*\))?((?:\s+[A-Za-z_][A-Za-z0-9_$.]*)*)\s*$/;
/** A plain name at the start of an entry: `email` in `email DESC`. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_$]*/;
const SORT_WORDS = new Set(['asc', 'desc', 'nulls', 'first', 'last']);

const modifierText = (words: string) =>
  words.trim() === '' ? '' : words.trim().split(/\s+/).map((w) => (SORT_WORDS.has(w.toLowerCase()) ? w.toUpperCase() : w)).join(' ');

/**
 * An entry that equals a column name is that column, even when the name has spaces, quotes or a
 * semicolon in it; so is a column name followed by a prefix length or modifiers. A plain name is a
 * column too (nothing else it could be). Every other entry is an expression. The longest column
 * name that fits wins: with columns `a` and `a b`, the entry `a b` is the column `a b`.
 */
export function readIndexKey(entry: string, columns: readonly string[]): IndexKey {
  if (columns.includes(entry)) return columnKey(entry);
  const plain = PLAIN_NAME.exec(entry)?.[0];
  const candidates = [...columns, ...(plain ? [plain] : [])].filter((c) => c !== '' && entry.startsWith(c)).sort((a, b) => b.length - a.length);
  for (const column of candidates) {
    const rest = AFTER_COLUMN.exec(entry.slice(column.length));
    if (rest) return { kind: 'column', column, prefix: rest[1] === undefined ? null : Number(rest[1]), modifiers: modifierText(rest[2]!) };
  }
  return { kind: 'expression', expression: entry };
}

export const readIndexKeys = (entries: readonly string[], columns: readonly string[]): IndexKey[] =>
  entries.map((e) => readIndexKey(e, columns));

/** The columns an index's keys name (expressions left out). */
export const keyColumns = (keys: readonly IndexKey[]): string[] => keys.flatMap((k) => (k.kind === 'column' ? [k.column] : []));

/** The key as SQL: the column quoted by `quote`, an expression as the dialect spells one. */
export function renderIndexKey(key: IndexKey, quote: (name: string) => string, expression: (sql: string) => string): string {
  if (key.kind === 'expression') return expression(key.expression);
  return `${quote(key.column)}${key.prefix === null ? '' : `(${key.prefix})`}${key.modifiers ? ` ${key.modifiers}` : ''}`;
}
