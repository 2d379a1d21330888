/**
 * The words that may follow an index key's column or expression, in the order PostgreSQL's
 * CREATE INDEX takes them: `COLLATE "C"`, an operator class (`text_pattern_ops`, with options in
 * parentheses), then the sort order (`DESC NULLS LAST`). MySQL takes only the sort order.
 */
export interface KeyWords {
  /** What is left in front of the words: a column name, an expression, or nothing. */
  body: string;
  collation: string | null;
  opclass: string | null;
  /** As written, upper-cased: `''`, `ASC`, `DESC NULLS LAST`, `NULLS FIRST`. */
  order: string;
}

const NAME = String.raw`(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")`;
const QUALIFIED = String.raw`${NAME}(?:\.${NAME})?`;
const ORDER_AT_END = /\s+((?:ASC|DESC)(?:\s+NULLS\s+(?:FIRST|LAST))?|NULLS\s+(?:FIRST|LAST))\s*$/i;
const COLLATION_AT_END = new RegExp(String.raw`\s+COLLATE\s+(${QUALIFIED})\s*$`, 'i');
/** Not a sort or collation keyword: `email DESC` has no operator class. */
const OPCLASS_AT_END = new RegExp(String.raw`\s+((?!(?:ASC|DESC|NULLS|FIRST|LAST|COLLATE)\b)${QUALIFIED}(?:\s*\([^()]*\))?)\s*$`, 'i');
const COLLATE_WORD_AT_END = /\s+COLLATE\s*$/i;
const WHOLE_NAME = new RegExp(String.raw`^${NAME}$`);

/**
 * Reads the words off the end of `text`. `wordsOnly`: `text` is what follows a column, so it may
 * start with an operator class; otherwise a name needs a body in front to be one (`lower(x)` alone
 * is an expression). The body is not checked: splitExpressionEntry does for an expression.
 */
export function splitKeyWords(text: string, wordsOnly = false): KeyWords {
  let rest = ` ${text}`;
  const order = ORDER_AT_END.exec(rest);
  if (order) rest = rest.slice(0, order.index);
  let opclass: string | null = null;
  const candidate = OPCLASS_AT_END.exec(rest);
  const before = candidate ? rest.slice(0, candidate.index) : '';
  // In `x COLLATE "C"` the last name is the collation's.
  if (candidate && (wordsOnly || before.trim() !== '') && !COLLATE_WORD_AT_END.test(before)) {
    opclass = candidate[1]!;
    rest = rest.slice(0, candidate.index);
  }
  const collation = COLLATION_AT_END.exec(rest);
  if (collation) rest = rest.slice(0, collation.index);
  return {
    body: rest.trim(),
    collation: collation ? collation[1]! : null,
    opclass,
    order: order ? order[1]!.toUpperCase().replace(/\s+/g, ' ') : '',
  };
}

/**
 * An expression entry's words. PostgreSQL takes an expression key only as a function call or in
 * parentheses, so words follow a body ending in `)` or a lone name; otherwise (`a + b` on MySQL)
 * the trailing name belongs to the expression and only the sort order is read off.
 */
export function splitExpressionEntry(entry: string): KeyWords {
  const words = splitKeyWords(entry);
  if (words.opclass === null && words.collation === null) return words;
  if (words.body.endsWith(')') || WHOLE_NAME.test(words.body)) return words;
  const order = ORDER_AT_END.exec(` ${entry}`);
  return { body: order ? ` ${entry}`.slice(0, order.index).trim() : entry.trim(), collation: null, opclass: null, order: words.order };
}

/** The words as the entry writes them after its column. */
export function wordsText(words: Omit<KeyWords, 'body'>): string {
  return [words.collation && `COLLATE ${words.collation}`, words.opclass, words.order].filter(Boolean).join(' ');
}

/**
 * The sort order as PostgreSQL reports it: ascending is the default, and so are nulls last when
 * ascending and nulls first when descending; only what differs is left.
 */
export function reportedOrder(order: string): string {
  const descending = /^DESC\b/.test(order);
  const nulls = /NULLS (FIRST|LAST)$/.exec(order)?.[1];
  const defaultNulls = nulls === undefined || nulls === (descending ? 'FIRST' : 'LAST');
  return [descending ? 'DESC' : '', defaultNulls ? '' : `NULLS ${nulls}`].filter(Boolean).join(' ');
}

/** `pg_catalog.int8_ops` and `INT8_OPS` name `int8_ops`. */
const bareOpclass = (opclass: string) => opclass.replace(/^(?:pg_catalog|"pg_catalog")\./i, '').replace(/"/g, '').toLowerCase();

/**
 * An entry in the form two spellings of one key share: the sort order as the server reports it,
 * and without `defaultOpclass`, the operator class the server uses for the key when none is named
 * (its type's default), which the server leaves out when it reports the index.
 */
export function comparableEntry(entry: string, defaultOpclass: string | null): string {
  const words = splitKeyWords(entry);
  const opclass = words.opclass !== null && defaultOpclass !== null && bareOpclass(words.opclass) === bareOpclass(defaultOpclass) ? null : words.opclass;
  return [words.body, wordsText({ collation: words.collation, opclass, order: reportedOrder(words.order) })].filter(Boolean).join(' ');
}
