import { endOfQuoted } from '../../src/model/quoted-text.js';

/**
 * The keys of an index as `pg_get_indexdef` writes them, with what the server adds after each
 * key's column or expression: a collation other than the column's, an operator class other than
 * the type's default, the sort order (`"Name" COLLATE "C" text_pattern_ops DESC NULLS LAST`). The
 * server decides what is a default, so its own text is read rather than the catalog re-judged.
 */

/**
 * The key list of `CREATE INDEX ... USING btree (a, lower((b)::text) DESC) INCLUDE (c) WHERE ...`,
 * split at its top-level commas. Every parenthesis before the list is inside a quoted name (the
 * index, schema and table names are quoted when they need it), so the first one outside quotes
 * opens the list; string literals and quoted names inside it are skipped whole.
 */
export function definitionKeys(definition: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < definition.length; i++) {
    const ch = definition[i]!;
    if (ch === '"' || ch === "'") {
      i = endOfQuoted(definition, i, ch) - 1;
    } else if (ch === '(') {
      if (depth === 0) start = i + 1;
      depth++;
    } else if (ch === ')') {
      depth--;
      if (depth === 0) {
        keys.push(definition.slice(start, i).trim());
        return keys;
      }
    } else if (ch === ',' && depth === 1) {
      keys.push(definition.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error(`no key list in the index definition the server reported: ${definition}`);
}


/**
 * What the definition adds after each key, given each key alone (`pg_get_indexdef(index, n, true)`,
 * which leaves the words out): `['', ' text_pattern_ops DESC']`.
 */
export function keyWordsOf(definition: string, keyTexts: string[], index: string): string[] {
  const keys = definitionKeys(definition);
  return keyTexts.map((text, i) => {
    const key = keys[i];
    if (key === undefined || !key.startsWith(text)) {
      throw new Error(`index "${index}": key ${i + 1} (${text}) is not where the server's definition has it: ${definition}`);
    }
    return key.slice(text.length);
  });
}
