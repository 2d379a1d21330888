import type { TransitionSql } from '../../src/dialect.js';
import { withLock } from '../../src/model/locks.js';
import { MYSQL_LOCK } from './locks.js';
import { fitName } from '../../src/declaration/names.js';
import { syncRules, type RowTest, type SyncBranch } from '../../src/dialect-kit/sync-rules.js';
import { QUIET_VARIABLE } from './backfill.js';
import { quote } from './compiler.js';
import { mysqlVersionSchemas } from './version-schemas.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';

/** MySQL's identifier limit. */
const MAX_NAME = 64;

/**
 * A trigger fires on one event, so a sync is two: this one on UPDATE, and the one named by the
 * sync on INSERT. The INSERT trigger is created last and dropped last, so it exists exactly while
 * the sync is complete: introspection reports a sync by it.
 */
export const updateTriggerName = (trigger: string) => fitName(`${trigger}_update`, MAX_NAME);

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

type Kind = 'space' | 'literal' | 'quoted' | 'word' | 'punct';

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

interface Token {
  kind: Kind;
  text: string;
}

const tokenize = (sql: string): Token[] =>
  [...sql.matchAll(TOKEN)].map((m) => {
    const kind = (Object.keys(m.groups!) as Kind[]).find((k) => m.groups![k] !== undefined)!;
    return { kind, text: kind === 'space' ? (m[0].trim() === '' ? m[0] : ' ') : m[0] };
  });

interface Scope {
  /** The function whose argument list this is, upper case. */
  fn: string | null;
  /** The commas seen at this level. */
  commas: number;
  select: boolean;
  /** Inside a subquery's table list. */
  tables: boolean;
}

/**
 * An expression over the row's columns, as an UPDATE of the table would read it, rewritten to
 * read them from NEW, as a trigger must; and the columns it reads.
 *
 * Column set: the sync does not list the table's columns, so the rule is syntactic. Every name is
 * a column unless it is qualified (`t.c`, `NEW.c`), called (`f(`), a literal's prefix (`_utf8mb4'x'`,
 * `DATE '...'`), a reserved word, or a word whose place makes it something else: after an operand
 * (`INTERVAL 1 DAY`, `CASE ... END`, an alias), after AS, USING, COLLATE or CHARACTER SET, a
 * unit argument (`EXTRACT(YEAR FROM d)`), CONVERT's type, or a table or alias in a subquery's
 * FROM clause. Backquoted names follow the same rule. A subquery must qualify its own columns
 * (`(SELECT c.code FROM cities c WHERE c.id = city_id)`); its unqualified names read the row.
 * A wrong guess cannot pass unnoticed: the server refuses a trigger that names a NEW column the
 * table lacks when the trigger is created, in expand, not when the application writes.
 */
export function rowExpression(expression: string): { sql: string; columns: string[] } {
  const tokens = tokenize(expression);
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
    if (upper && scope.select && TABLES_START.has(upper)) scope.tables = true;
    if (upper && TABLES_END.has(upper)) scope.tables = false;
    if (next?.text === '(') {
      called = upper ?? t.text;
      return leave(false);
    }
    if (next?.kind === 'literal' && /^['"]/.test(next.text)) return leave(false);
    if (after && NAMING.has(after)) return leave(true);
    if (upper && VALUES.has(upper)) return leave(true);
    if (upper && KEYWORDS.has(upper)) return leave(false);
    if (operand || scope.tables) return leave(true);
    if (prev?.text === '(' && UNIT_FIRST.has(scope.fn ?? '')) return leave(true);
    if (prev?.text === ',' && scope.fn === 'CONVERT' && scope.commas === 1) return leave(true);
    if (upper === 'UNKNOWN' && (after === 'IS' || after === 'NOT')) return leave(true);
    const name = t.kind === 'quoted' ? t.text.slice(1, -1).replace(/``/g, '`') : t.text;
    out[index] = `NEW.${quote(name)}`;
    columns.push(name);
    leave(true);
  });
  return { sql: out.join('').trim(), columns };
}

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
function trigger(create: string, name: string, event: 'INSERT' | 'UPDATE', sync: SyncSpec, branches: SyncBranch[]): string {
  const act = (b: SyncBranch) => assign(b.go === 'forward' ? sync.forward : sync.backward);
  const decide = branches.map((b, i) =>
    b.when.test === 'always' ? `ELSE ${act(b)}` : `${i === 0 ? 'IF' : 'ELSEIF'} ${holds(b.when)} THEN ${act(b)}`,
  );
  return [
    `${create} ${quote(name)} BEFORE ${event} ON ${quote(sync.table)} FOR EACH ROW BEGIN`,
    `  IF NOT (${QUIET_VARIABLE} <=> 'on') THEN`,
    ...decide.map((d) => `    ${d}`),
    '    END IF;',
    '  END IF;',
    'END',
  ].join('\n');
}

/**
 * Marks the alias, as a comment marks PostgreSQL's: views have no comment here, so the marker is a
 * condition that is always true, which keeps the view updatable and which the server prints back
 * in the view's definition. Only dbtide writes it: a user's view over one table is not taken for
 * an alias (and dropped from the report).
 */
export const ALIAS_MARKER = 'dbtide:alias';
const ALIAS_CONDITION = `WHERE '${ALIAS_MARKER}' IS NOT NULL`;

/**
 * MySQL DDL commits statement by statement, and a view needs the table it reads to exist: a
 * rename followed by the view would leave a moment (and, for a killed run, a state) with neither
 * name usable by old code. So both names exist before the swap: the new name as a view over the
 * table, the alias as a view over that; one atomic RENAME TABLE then gives the table its new
 * name, the alias the old one, and the first view a name of dbtide's, dropped with the alias.
 * Every state between the statements is one a rerun recognizes and finishes.
 */
const aliasSwapNames = (from: string) => ({
  view: fitName(`_dbtide_alias_${from}`, MAX_NAME),
  retired: fitName(`_dbtide_renamed_${from}`, MAX_NAME),
});

export const mysqlTransitions: TransitionSql = {
  ...mysqlVersionSchemas,
  createSyncTrigger(sync) {
    const rules = syncRules(sync);
    return withLock(
      MYSQL_LOCK.metadata,
      // Left behind when a run stopped between the two: the same statement made it.
      trigger('CREATE TRIGGER IF NOT EXISTS', updateTriggerName(sync.trigger), 'UPDATE', sync, rules.update),
      trigger('CREATE TRIGGER', sync.trigger, 'INSERT', sync, rules.insert),
    );
  },
  dropSyncTrigger: (_table, trigger) =>
    withLock(MYSQL_LOCK.metadata, `DROP TRIGGER IF EXISTS ${quote(updateTriggerName(trigger))}`, `DROP TRIGGER IF EXISTS ${quote(trigger)}`),
  // The swap comes before the triggers' drop: if it fails, the triggers still sync every write
  // once the lock is gone; under the lock no write can find them referring to a dropped column.
  swapColumn: (table, column, shadow, trigger) => [
    ...withLock(MYSQL_LOCK.tableWrite, `LOCK TABLES ${quote(table)} WRITE`),
    ...withLock(MYSQL_LOCK.instant, `ALTER TABLE ${quote(table)} DROP COLUMN ${quote(column)}, RENAME COLUMN ${quote(shadow)} TO ${quote(column)}, ALGORITHM=INSTANT, LOCK=DEFAULT`),
    ...mysqlTransitions.dropSyncTrigger(table, trigger),
    ...withLock(MYSQL_LOCK.none, 'UNLOCK TABLES'),
  ],
  renameTableWithAlias: (from, to) => {
    const alias = aliasSwapNames(from);
    return withLock(
      MYSQL_LOCK.metadata,
      // Marked too: a run stopped right after it leaves a view that introspection knows as dbtide's.
      `CREATE OR REPLACE VIEW ${quote(to)} AS SELECT * FROM ${quote(from)} ${ALIAS_CONDITION}`,
      `CREATE OR REPLACE VIEW ${quote(alias.view)} AS SELECT * FROM ${quote(to)} ${ALIAS_CONDITION}`,
      `RENAME TABLE ${quote(to)} TO ${quote(alias.retired)}, ${quote(from)} TO ${quote(to)}, ${quote(alias.view)} TO ${quote(from)}`,
    );
  },
  dropAlias: (name) => withLock(MYSQL_LOCK.metadata, `DROP VIEW IF EXISTS ${quote(aliasSwapNames(name).retired)}, ${quote(name)}`),
};
