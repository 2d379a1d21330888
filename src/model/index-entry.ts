import { splitExpressionEntry, splitKeyWords, wordsText } from './index-key-words.js';

/**
 * One entry of an index's column list, read against its table's columns: a column (quoted by the
 * dialect, whatever characters its name holds) or an expression (left as the user wrote it).
 * `prefix` is a MySQL prefix length, `name(10)`; `modifiers` are the words after the column: a
 * collation, an operator class, a sort order (`COLLATE "C" text_pattern_ops DESC NULLS LAST`),
 * read by src/model/index-key-words.ts.
 */
export type IndexKey =
  | { kind: 'column'; column: string; prefix: number | null; modifiers: string }
  | { kind: 'expression'; expression: string };

/** A key's column, whole and in ascending order: what a unique or primary key is made of. */
export const columnKey = (column: string): IndexKey => ({ kind: 'column', column, prefix: null, modifiers: '' });

/** What may follow a column name in an entry: a prefix length, then the key's words. */
const AFTER_COLUMN = /^(?:\(\s*(\d+)\s*\))?(\s[\s\S]*)?$/;
/** A plain name at the start of an entry: `email` in `email DESC`. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_$]*/;

/** The words after a column, written the one way; null when something else follows the column. */
function columnWords(text: string): string | null {
  if (text.trim() === '') return '';
  const words = splitKeyWords(text, true);
  return words.body === '' ? wordsText(words) : null;
}

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
    const modifiers = rest ? columnWords(rest[2] ?? '') : null;
    if (modifiers !== null) return { kind: 'column', column, prefix: rest![1] === undefined ? null : Number(rest![1]), modifiers };
  }
  return { kind: 'expression', expression: entry };
}

export const readIndexKeys = (entries: readonly string[], columns: readonly string[]): IndexKey[] =>
  entries.map((e) => readIndexKey(e, columns));

/** The columns an index's keys name (expressions left out). */
export const keyColumns = (keys: readonly IndexKey[]): string[] => keys.flatMap((k) => (k.kind === 'column' ? [k.column] : []));

/** The operator class a key names, or null: PostgreSQL's, which MySQL does not have. */
export function keyOpclass(key: IndexKey): string | null {
  return key.kind === 'column' ? splitKeyWords(key.modifiers, true).opclass : splitExpressionEntry(key.expression).opclass;
}

/** The key as SQL: the column quoted by `quote`, an expression as the dialect spells one. */
export function renderIndexKey(key: IndexKey, quote: (name: string) => string, expression: (sql: string) => string): string {
  if (key.kind === 'expression') return expression(key.expression);
  return `${quote(key.column)}${key.prefix === null ? '' : `(${key.prefix})`}${key.modifiers ? ` ${key.modifiers}` : ''}`;
}
