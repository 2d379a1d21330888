/**
 * Db2's words for the shared rewriter (src/dialect-kit/row-expression.ts): a trigger body reads a
 * column through the correlation name of the new row (`N."AMOUNT"`), since Db2 resolves no bare
 * column name to the transition row. A type given a length (`DECIMAL(`) reads as called, a word
 * after an operand (`1 DAY`, `DOUBLE PRECISION`) or after CURRENT (a special register) is no column.
 */
import { rowExpression as sharedRowExpression, type ExpressionWords } from '../../src/dialect-kit/row-expression.js';

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

const words = (row: string): ExpressionWords => ({
  token: TOKEN,
  keywords: KEYWORDS,
  values: VALUES,
  naming: new Set(['AS', 'CURRENT']),
  tablesStart: TABLES_START,
  tablesEnd: TABLES_END,
  stringQuotes: "'",
  column: ({ text }) => ({ sql: `${row}.${text}`, name: text }),
});

/** The expression reading its columns from the trigger's row `row`. */
export const rowExpression = (expression: string, row: string): string => sharedRowExpression(expression, words(row)).sql;
