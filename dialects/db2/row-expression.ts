/**
 * An expression over a row's columns, as an UPDATE of the table reads it, rewritten for a trigger
 * body, where a column is read through the correlation name of the new row (`N."AMOUNT"`): Db2
 * resolves no bare column name to the transition row.
 *
 * The rule is syntactic, since a sync does not list the table's columns. A name (bare or quoted)
 * is a column unless it is qualified (`t.c`, `N.c`), called or given a length (`f(`, `DECIMAL(`),
 * a typed literal's type (`DATE '2024-01-01'`), a keyword, the word after AS (a cast's type), a
 * word after an operand (`1 DAY`, `DOUBLE PRECISION`, a special register's `CURRENT TIMESTAMP`),
 * or a table in a subquery's FROM clause. A subquery must qualify its own columns. A wrong guess
 * fails loudly: Db2 refuses a trigger naming a column the table lacks when it is created, in expand.
 */

/** Words that never name a column in an expression; a column so named must be quoted. */
const KEYWORDS = new Set(
  ('AND OR NOT IS LIKE ESCAPE BETWEEN IN EXISTS CASE WHEN THEN ELSE AS DISTINCT ALL ANY SOME SELECT FROM WHERE GROUP BY ' +
    'ORDER HAVING FETCH FIRST NEXT ROW ROWS ONLY OFFSET JOIN INNER LEFT RIGHT FULL OUTER CROSS ON UNION EXCEPT INTERSECT ' +
    'OVER PARTITION ASC DESC NULLS LAST FOR BIT DATA WITH CURRENT').split(' '),
);
/** Keywords that are values, so a word after them follows an operand. */
const VALUES = new Set('NULL TRUE FALSE UNKNOWN END USER SESSION_USER SYSTEM_USER CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_SCHEMA'.split(' '));
const TABLES_START = new Set(['FROM', 'JOIN']);
const TABLES_END = new Set(['WHERE', 'ON', 'GROUP', 'HAVING', 'ORDER', 'FETCH', 'UNION', 'EXCEPT', 'INTERSECT']);

type Kind = 'space' | 'literal' | 'quoted' | 'word' | 'punct';

/** Comments (read as space), strings, numbers, quoted and bare names, single characters. */
const TOKEN = new RegExp(
  [
    String.raw`(?<space>\s+|/\*[\s\S]*?(?:\*/|$)|--[^\n]*)`,
    String.raw`(?<literal>'(?:[^']|'')*'?|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?(?![\w$#@]))`,
    String.raw`(?<quoted>"(?:[^"]|"")*"?)`,
    String.raw`(?<word>[A-Za-z_][\w$#@]*)`,
    String.raw`(?<punct>[\s\S])`,
  ].join('|'),
  'giy',
);

interface Token {
  kind: Kind;
  text: string;
}

const tokenize = (sql: string): Token[] =>
  [...sql.matchAll(TOKEN)].map((m) => {
    const kind = (Object.keys(m.groups!) as Kind[]).find((k) => m.groups![k] !== undefined)!;
    // A comment is dropped: a line comment would swallow the rest of the trigger.
    return { kind, text: kind === 'space' && m[0].trim() !== '' ? ' ' : m[0] };
  });

export function rowExpression(expression: string, row: string): string {
  const tokens = tokenize(expression);
  const significant = tokens.flatMap((t, i) => (t.kind === 'space' ? [] : [i]));
  const out = tokens.map((t) => t.text);
  /** Per open parenthesis: whether a SELECT opened there and its FROM list is being read. */
  const stack: { select: boolean; tables: boolean }[] = [{ select: false, tables: false }];
  /** The previous token ended an operand (a value, a name, a closing parenthesis). */
  let operand = false;

  significant.forEach((index, p) => {
    const t = tokens[index]!;
    const prev = p > 0 ? tokens[significant[p - 1]!]! : null;
    const next = p + 1 < significant.length ? tokens[significant[p + 1]!]! : null;
    const scope = stack[stack.length - 1]!;
    if (t.kind === 'punct') {
      if (t.text === '(') stack.push({ select: false, tables: false });
      else if (t.text === ')' && stack.length > 1) stack.pop();
      operand = t.text === ')';
      return;
    }
    if (t.kind === 'literal') {
      operand = true;
      return;
    }
    const upper = t.kind === 'word' ? t.text.toUpperCase() : null;
    const after = prev?.kind === 'word' ? prev.text.toUpperCase() : null;
    const wasOperand = operand;
    operand = true;
    if (upper === 'SELECT') scope.select = true;
    if (upper && scope.select && TABLES_START.has(upper)) scope.tables = true;
    if (upper && TABLES_END.has(upper)) scope.tables = false;
    if (prev?.text === '.' || next?.text === '.') return;
    if (next?.text === '(' || (next?.kind === 'literal' && next.text.startsWith("'"))) {
      operand = false;
      return;
    }
    if (after === 'AS' || after === 'CURRENT' || (upper && VALUES.has(upper))) return;
    if (upper && KEYWORDS.has(upper)) {
      operand = false;
      return;
    }
    if (wasOperand || scope.tables) return;
    out[index] = `${row}.${t.text}`;
  });
  return out.join('').trim();
}
