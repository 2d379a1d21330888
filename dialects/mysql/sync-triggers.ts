import { withLock } from '../../src/model/locks.js';
import type { Statement } from '../../src/model/locks.js';
import { syncRules, type RowTest, type SyncBranch } from '../../src/dialect-kit/sync-rules.js';
import { rowExpression as sharedRowExpression, type ExpressionWords } from '../../src/dialect-kit/row-expression.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';
import { QUIET_VARIABLE } from './backfill.js';
import { quote } from './compiler.js';
import { MYSQL_LOCK } from './locks.js';
import { movedTriggerName, updateTriggerName } from './trigger-names.js';

/**
 * Reserved words of expressions: bare, none of them can name a column. The values among them
 * end an operand, like a literal.
 */
const KEYWORDS = new Set(
  ('AND OR XOR NOT IS LIKE RLIKE REGEXP BETWEEN IN DIV MOD CASE WHEN THEN ELSE BINARY COLLATE INTERVAL DISTINCT ALL AS ' +
    'USING CHARACTER SET SELECT FROM WHERE GROUP BY ORDER HAVING LIMIT JOIN INNER LEFT RIGHT CROSS OUTER NATURAL ' +
    'STRAIGHT_JOIN ON UNION PARTITION LEADING TRAILING BOTH FOR').split(' '),
);
const VALUES = new Set(
  'NULL TRUE FALSE CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER LOCALTIME LOCALTIMESTAMP UTC_DATE UTC_TIME UTC_TIMESTAMP'.split(' '),
);
/** Words after which a name is a type, an alias, a character set or a collation. */
const NAMING = new Set(['AS', 'USING', 'COLLATE', 'SET']);
/** Functions whose first argument is a unit or a type word: `EXTRACT(YEAR FROM d)`, `TIMESTAMPDIFF(DAY, a, b)`. */
const UNIT_FIRST = new Set(['EXTRACT', 'TIMESTAMPDIFF', 'TIMESTAMPADD', 'GET_FORMAT']);
/** Clause words of a subquery: FROM and JOIN start its table list, the others end it. */
const TABLES_START = new Set(['FROM', 'JOIN', 'STRAIGHT_JOIN']);
const TABLES_END = new Set(['WHERE', 'ON', 'USING', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'UNION', 'WINDOW']);

/** Comments, strings, variables and numbers, quoted and bare names, single characters; comments read as space. */
const TOKEN = new RegExp(
  [
    String.raw`(?<space>\s+|/\*[\s\S]*?(?:\*/|$)|(?:--(?=\s|$)|#)[^\n]*)`,
    String.raw`(?<literal>'(?:[^'\\]|\\[\s\S]|'')*'?|"(?:[^"\\]|\\[\s\S]|"")*"?|@@?(?:[\w$.]+|'(?:[^'\\]|\\[\s\S]|'')*'?|` +
      '`(?:[^`]|``)*`?' +
      String.raw`)?|(?:0x[\da-f]+|0b[01]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(?![\w$\u0080-\uffff]))`,
    '(?<quoted>`(?:[^`]|``)*`?)',
    String.raw`(?<word>[\w$\u0080-\uffff]+)`,
    String.raw`(?<punct>[\s\S])`,
  ].join('|'),
  'giy',
);

/**
 * MySQL's words for the shared rewriter (src/dialect-kit/row-expression.ts), besides: a unit
 * argument (`EXTRACT(YEAR FROM d)`), CONVERT's type, and `IS UNKNOWN`. Backquoted names are
 * columns like bare ones.
 */
const WORDS: ExpressionWords = {
  token: TOKEN,
  keywords: KEYWORDS,
  values: VALUES,
  naming: NAMING,
  tablesStart: TABLES_START,
  tablesEnd: TABLES_END,
  stringQuotes: `'"`,
  notColumn: ({ upper, after, previous, fn, commas }) =>
    (previous === '(' && UNIT_FIRST.has(fn ?? '')) || (previous === ',' && fn === 'CONVERT' && commas === 1) || (upper === 'UNKNOWN' && (after === 'IS' || after === 'NOT')),
  column: ({ text, quoted }) => {
    const name = quoted ? text.slice(1, -1).replace(/``/g, '`') : text;
    return { sql: `NEW.${quote(name)}`, name };
  },
};

/** An expression over the row's columns, as an UPDATE of the table reads it, reading them from NEW as a trigger must; and the columns it reads. */
export const rowExpression = (expression: string) => sharedRowExpression(expression, WORDS);

const field = (row: 'NEW' | 'OLD', column: string) => `${row}.${quote(column)}`;

/**
 * Compared as bytes: `<=>` follows the column's collation, under which 'José' and 'jose' can be
 * equal, and an UPDATE that only changed that would be lost.
 */
const same = (c: string) => `CAST(${field('NEW', c)} AS BINARY) <=> CAST(${field('OLD', c)} AS BINARY)`;

function holds(when: RowTest): string {
  switch (when.test) {
    case 'all-null': return when.columns.map((c) => `${field('NEW', c)} IS NULL`).join(' AND ');
    case 'changed': return `NOT (${when.columns.map(same).join(' AND ')})`;
    case 'unchanged': return `(${when.columns.map(same).join(' AND ')})`;
    case 'always': return 'TRUE';
  }
}

/**
 * Assigns expressions over the row to fields of NEW. MySQL assigns one field after the other, so
 * when an expression reads a field assigned before it, every value is computed first (into
 * session variables: a local variable would need a type), as PostgreSQL computes them from the row
 * as written.
 */
function assign(values: Record<string, string>): string {
  const targets = Object.keys(values);
  const expressions = Object.values(values).map(rowExpression);
  const assigned = (i: number) => new Set(targets.slice(0, i).map((t) => t.toLowerCase()));
  const stale = expressions.some((e, i) => e.columns.some((c) => assigned(i).has(c.toLowerCase())));
  if (!stale) return `SET ${targets.map((t, i) => `${field('NEW', t)} = ${expressions[i]!.sql}`).join(', ')};`;
  const v = (i: number) => `@_dbtide_${i + 1}`;
  return [
    `SET ${expressions.map((e, i) => `${v(i)} = ${e.sql}`).join(', ')};`,
    `SET ${targets.map((t, i) => `${field('NEW', t)} = ${v(i)}`).join(', ')};`,
    `SET ${targets.map((_, i) => `${v(i)} = NULL`).join(', ')};`,
  ].join(' ');
}

/**
 * One trigger: the first branch whose test holds decides. The backfill's own writes are skipped;
 * the body only assigns to NEW, so it never fires a trigger again.
 */
function trigger(create: string, name: string, event: 'INSERT' | 'UPDATE', sync: SyncSpec, branches: SyncBranch[], moved: boolean): string {
  const act = (b: SyncBranch) => assign(b.go === 'forward' ? sync.forward : sync.backward);
  const decide = branches.map((b, i) =>
    b.when.test === 'always' ? `ELSE ${act(b)}` : `${i === 0 ? 'IF' : 'ELSEIF'} ${holds(b.when)} THEN ${act(b)}`,
  );
  return [
    `${create} ${quote(name)} BEFORE ${event} ON ${quote(sync.table)} FOR EACH ROW BEGIN`,
    `  IF NOT (${QUIET_VARIABLE} <=> 'on')${moved ? ` AND ${CARRYING_VARIABLE} IS NULL` : ''} THEN`,
    ...decide.map((d) => `    ${d}`),
    '    END IF;',
    '  END IF;',
    'END',
  ].join('\n');
}

/**
 * The session variable a table copy's triggers set while they carry a write into the copy (src:
 * ./table-copy.ts): the copy's own sync triggers leave such a row as the table's triggers made it.
 */
export const CARRYING_VARIABLE = '@dbtide_carrying';

/**
 * The sync's two triggers, the INSERT one last. `moved`: under the names a table copy gives them
 * (./trigger-names.ts), skipping the rows its triggers carry.
 */
export function syncTriggers(sync: SyncSpec, moved = false): Statement[] {
  const rules = syncRules(sync);
  const name = (n: string) => (moved ? movedTriggerName(n) : n);
  return withLock(
    MYSQL_LOCK.metadata,
    // Left behind when a run stopped between the two: the same statement made it.
    trigger('CREATE TRIGGER IF NOT EXISTS', name(updateTriggerName(sync.trigger)), 'UPDATE', sync, rules.update, moved),
    trigger('CREATE TRIGGER', name(sync.trigger), 'INSERT', sync, rules.insert, moved),
  );
}

/** The sync's triggers under either name (`movedOnly`: under a moved sync's), the INSERT one last. */
export const dropSyncTriggers = (trigger: string, movedOnly = false): Statement[] =>
  withLock(
    MYSQL_LOCK.metadata,
    ...[updateTriggerName(trigger), trigger]
      .flatMap((n) => (movedOnly ? [movedTriggerName(n)] : [n, movedTriggerName(n)]))
      .map((n) => `DROP TRIGGER IF EXISTS ${quote(n)}`),
  );
