/**
 * An expression over a row's columns, as an UPDATE of the table reads it, rewritten for a trigger
 * body, where a column is read from the new row (`NEW.c`, Db2's `N.c`): the dual-write triggers
 * of servers whose trigger bodies resolve no bare name to the row.
 *
 * The rule is syntactic, since a sync does not list the table's columns. A name (bare or quoted)
 * is a column unless it is qualified (`t.c`, `NEW.c`), called (`f(`), a typed literal's type
 * (`DATE '2024-01-01'`), a keyword, the word after a naming word (AS's type or alias, a
 * collation), a word after an operand (`INTERVAL 1 DAY`, `CASE ... END`), a table in a subquery's
 * FROM clause, or a place the dialect names (a unit argument). A subquery must qualify its own
 * columns; its bare names read the row. A wrong guess cannot pass unnoticed: the server refuses a
 * trigger naming a column the table lacks when the trigger is created, in expand.
 */

/** The words and tokens of one dialect's expressions. */
export interface ExpressionWords {
  /** Sticky and global, with the named groups `space` (comments too), `literal`, `quoted`, `word` and `punct`. */
  token: RegExp;
  /** Words that never name a column. */
  keywords: ReadonlySet<string>;
  /** Keywords that are values: a word after one follows an operand. */
  values: ReadonlySet<string>;
  /** Words after which a name is something else: a type, an alias, a collation. */
  naming: ReadonlySet<string>;
  /** Clause words of a subquery: the first start its table list, the second end it. */
  tablesStart: ReadonlySet<string>;
  tablesEnd: ReadonlySet<string>;
  /** The characters a string literal opens with: a word before one is a typed literal's type. */
  stringQuotes: string;
  /** Other places where a bare word is no column (MySQL: `EXTRACT(YEAR FROM d)`, CONVERT's type). */
  notColumn?(place: NamePlace): boolean;
  /** The column as the trigger reads it, and its name, from the word or quoted name that names it. */
  column(token: { text: string; quoted: boolean }): { sql: string; name: string };
}

/** Where a bare word stands, for `notColumn`. */
export interface NamePlace {
  upper: string | null;
  /** The word before it, upper case. */
  after: string | null;
  /** The text of the token before it. */
  previous: string | null;
  /** The function whose argument list it is in, upper case, and the commas seen there. */
  fn: string | null;
  commas: number;
}

type Kind = 'space' | 'literal' | 'quoted' | 'word' | 'punct';

interface Token {
  kind: Kind;
  text: string;
}

interface Scope {
  fn: string | null;
  commas: number;
  select: boolean;
  /** Inside a subquery's table list. */
  tables: boolean;
}

const tokenize = (sql: string, token: RegExp): Token[] =>
  [...sql.matchAll(token)].map((m) => {
    const kind = (Object.keys(m.groups!) as Kind[]).find((k) => m.groups![k] !== undefined)!;
    // A comment becomes a space: a line comment would swallow the rest of the trigger.
    return { kind, text: kind === 'space' && m[0].trim() !== '' ? ' ' : m[0] };
  });

/** The expression rewritten to read the row's columns as `words.column` spells them, and the columns it reads. */
export function rowExpression(expression: string, words: ExpressionWords): { sql: string; columns: string[] } {
  const tokens = tokenize(expression, words.token);
  const significant = tokens.flatMap((t, i) => (t.kind === 'space' ? [] : [i]));
  const out = tokens.map((t) => t.text);
  const columns: string[] = [];
  const stack: Scope[] = [{ fn: null, commas: 0, select: false, tables: false }];
  /** The previous token ended an operand (a value, a name, a closing parenthesis). */
  let operand = false;
  let called: string | null = null;

  significant.forEach((index, p) => {
    const t = tokens[index]!;
    const prev = p > 0 ? tokens[significant[p - 1]!]! : null;
    const next = p + 1 < significant.length ? tokens[significant[p + 1]!]! : null;
    const scope = stack[stack.length - 1]!;
    if (t.kind === 'punct') {
      if (t.text === '(') stack.push({ fn: called, commas: 0, select: false, tables: false });
      else if (t.text === ')' && stack.length > 1) stack.pop();
      else if (t.text === ',') scope.commas++;
      operand = t.text === ')';
      called = null;
      return;
    }
    if (t.kind === 'literal') {
      operand = true;
      return;
    }
    const upper = t.kind === 'word' ? t.text.toUpperCase() : null;
    const after = prev?.kind === 'word' ? prev.text.toUpperCase() : null;
    const leave = (endsOperand: boolean) => {
      operand = endsOperand;
    };
    if (prev?.text === '.' || next?.text === '.') return leave(next?.text !== '.');
    if (upper === 'SELECT') scope.select = true;
    if (upper && scope.select && words.tablesStart.has(upper)) scope.tables = true;
    if (upper && words.tablesEnd.has(upper)) scope.tables = false;
    if (next?.text === '(') {
      called = upper ?? t.text;
      return leave(false);
    }
    if (next?.kind === 'literal' && words.stringQuotes.includes(next.text[0]!)) return leave(false);
    if (after && words.naming.has(after)) return leave(true);
    if (upper && words.values.has(upper)) return leave(true);
    if (upper && words.keywords.has(upper)) return leave(false);
    if (operand || scope.tables) return leave(true);
    if (words.notColumn?.({ upper, after, previous: prev?.text ?? null, fn: scope.fn, commas: scope.commas })) return leave(true);
    const column = words.column({ text: t.text, quoted: t.kind === 'quoted' });
    out[index] = column.sql;
    columns.push(column.name);
    leave(true);
  });
  return { sql: out.join('').trim(), columns };
}
