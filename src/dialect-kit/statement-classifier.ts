import { isOwnObjectName } from '../model/own-objects.js';
import type { StatementClass, StatementClassifier } from '../model/statement-class.js';
import { actions, closingParen, NAME, type SqlLexer } from './sql-lexer.js';

/**
 * What a dialect adds to the rules every dialect shares. A rule returns null for what it does not
 * know; the dialect's rules are tried first, so they can also take a statement from the common ones
 * (Db2's `SET INTEGRITY` is no session setting).
 */
export interface DialectStatementRules {
  /** One cleaned statement. */
  statement?(s: string): StatementClass | null;
  /** One action of an ALTER TABLE; `all` is the statement's action list, for clauses that qualify the others. */
  alterAction?(action: string, all: string[]): StatementClass | null;
  /** The statements to classify in place of those the lexer found, where the server runs several as one (a body). */
  rejoin?(statements: string[]): string[];
  /** As `StatementClassifier.compensatedRename`, on raw text; without it, no table rename is compensated. */
  compensatedRename?(sqls: string[], i: number): boolean;
}

const STRENGTH: StatementClass[] = ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data', 'tightening', 'rewrite', 'destructive', 'unknown'];

const worst = (classes: StatementClass[]) =>
  classes.reduce((w, c) => (STRENGTH.indexOf(c) > STRENGTH.indexOf(w) ? c : w), 'read' as StatementClass);

/** `ALTER ... ALTER [COLUMN] c <action>`, in cleaned text. */
export const alterColumn = (action: string) => new RegExp(`^alter (?:column )?${NAME} (?:${action})\\b`);

/** `ALTER TABLE t DROP c`: COLUMN may be left out. */
const DROP_BARE_COLUMN = new RegExp(`^drop ${NAME}$`);
const COLUMN_SET_DEFAULT = alterColumn('set default');
const COLUMN_DROP_DEFAULT = alterColumn('drop default');

function commonAlterAction(action: string): StatementClass {
  if (/^add (constraint|primary key|unique|foreign key|check)\b/.test(action)) return 'tightening';
  if (/^add\b/.test(action)) return 'additive';
  // A dropped rule loses no data and refuses no write that succeeded before.
  if (/^drop constraint\b/.test(action)) return 'relaxing';
  if (/^drop (column|primary key)\b/.test(action) || DROP_BARE_COLUMN.test(action)) return 'destructive';
  if (/^rename\b/.test(action)) return 'destructive';
  if (COLUMN_SET_DEFAULT.test(action)) return 'additive';
  if (COLUMN_DROP_DEFAULT.test(action)) return 'tightening';
  return 'unknown';
}

const ALTER_TABLE = new RegExp(`^alter table (?:if exists )?(?:only )?${NAME} (.*)$`);

/** EXPLAIN's options (`analyze`, `verbose`, `format=tree`, `(analyze, buffers)`) and its statement. */
const EXPLAIN = /^explain((?: ?\([^)]*\)| analy[sz]e| verbose| format ?= ?\w+)*) ?(.*)$/;

/** The start of one common table expression, up to its opening parenthesis. */
const CTE_HEAD = new RegExp(`^${NAME} ?(?:\\([^)]*\\) ?)?as ?(?:not )?(?:materialized ?)?\\(`);

/** The parts of a WITH statement: its common table expressions' bodies, then its main statement; null when unreadable. */
function withParts(s: string): string[] | null {
  const parts: string[] = [];
  let rest = s.replace(/^with (?:recursive )?/, '');
  for (;;) {
    const bodyStart = CTE_HEAD.exec(rest)?.[0].length;
    const close = bodyStart === undefined ? -1 : closingParen(rest, bodyStart - 1);
    if (close === -1) return null;
    parts.push(rest.slice(bodyStart, close).trim());
    rest = rest.slice(close + 1).trim();
    if (!rest.startsWith(',')) break;
    rest = rest.slice(1).trim();
  }
  return [...parts, rest];
}

/**
 * A classifier for a dialect: its lexer, its own rules, then the rules of the SQL every dialect
 * shares. Classification reads the text alone, deliberately independent of the planner.
 */
export function statementClassifier(lexer: SqlLexer, rules: DialectStatementRules = {}): StatementClassifier {
  const alterAction = (action: string, all: string[]) => rules.alterAction?.(action, all) ?? commonAlterAction(action);

  function classifyOne(s: string): StatementClass {
    const own = rules.statement?.(s);
    if (own) return own;
    // A WITH is as bad as the worst of its common table expressions (which may delete, insert or
    // update: `WITH d AS (DELETE ... RETURNING *) SELECT ...`) and its main statement.
    if (/^with\b/.test(s)) return worst(withParts(s)?.map(classifyOne) ?? ['unknown']);
    if (/^explain\b/.test(s)) {
      // EXPLAIN ANALYZE runs its statement; plain EXPLAIN only plans.
      const [, options = '', statement = ''] = EXPLAIN.exec(s) ?? [];
      return /\banaly[sz]e\b/.test(options) ? classifyOne(statement) : 'read';
    }
    if (/^(select|show|values)\b/.test(s)) return 'read';
    if (/^(set|begin|commit|rollback|start transaction|savepoint|release savepoint)\b/.test(s)) return 'session';
    // Writers wait for the lock's holder as they wait for a rewrite: contract only.
    if (/^lock table\b/.test(s)) return 'rewrite';
    if (/^drop index\b/.test(s)) return 'relaxing';
    if (/^(drop|truncate|delete)\b/.test(s)) return 'destructive';
    const alterTable = ALTER_TABLE.exec(s);
    if (alterTable) {
      const all = actions(alterTable[1]!);
      return worst(all.map((a) => alterAction(a, all)));
    }
    if (/^alter (index|sequence|type|view|function|trigger)\b.*\brename\b/.test(s)) return 'destructive';
    if (/^create (or replace )?(unique )?(table|index|view|sequence|type|schema|database|function|trigger|extension)\b/.test(s)) return 'additive';
    if (/^create (unique )?index\b/.test(s)) return 'additive';
    if (/^comment on\b/.test(s)) return 'additive';
    if (/^(insert|update|merge|call)\b/.test(s)) return 'data';
    return 'unknown';
  }

  const units = (sql: string) => {
    const found = lexer.statements(sql);
    return rules.rejoin?.(found) ?? found;
  };

  const names = `${lexer.name}(?:\\s*,\\s*${lexer.name})*`;
  const OWN_DROP = new RegExp(`^\\s*drop\\s+(?:table|trigger|view)\\s+(?:if\\s+exists\\s+)?(${names})\\s*$`, 'i');
  const OWN_PREPARED = new RegExp(`^\\s*(?:prepare\\s+(${lexer.name})\\s+from\\s+@\\w+|execute\\s+(${lexer.name})|deallocate\\s+prepare\\s+(${lexer.name}))\\s*$`, 'i');
  const OWN_NAME = new RegExp(lexer.name.replace('\\S+', '[^\\s,]+'), 'g');
  return {
    classify(sql) {
      const found = units(sql);
      return found.length === 0 ? 'unknown' : worst(found.map(classifyOne));
    },
    count: (sql) => units(sql).length,
    compensatedRename: rules.compensatedRename ?? (() => false),
    ownObjectsOnly(sql) {
      const dropped = OWN_DROP.exec(sql)?.[1];
      if (dropped !== undefined) return (dropped.match(OWN_NAME) ?? []).every((n) => isOwnObjectName(lexer.bare(n)));
      const prepared = OWN_PREPARED.exec(sql);
      return prepared !== null && isOwnObjectName(lexer.bare((prepared[1] ?? prepared[2] ?? prepared[3])!));
    },
  };
}

/**
 * Whether one of `sqls` (raw text) puts a view named `view` over `table` (`SELECT *`), which shows
 * the table's rows; `condition`, a pattern of a WHERE clause that keeps every row (a dialect's
 * marker), may follow.
 */
export function viewOver(lexer: SqlLexer, sqls: string[], view: string, table: string, condition?: RegExp): boolean {
  const where = condition ? `(?:\\s+${condition.source})?` : '';
  const pattern = new RegExp(`^\\s*create\\s+(?:or\\s+replace\\s+)?view\\s+(${lexer.name})\\s+as\\s+select\\s+\\*\\s+from\\s+(${lexer.name})${where}\\s*$`, 'i');
  return sqls.some((sql) => {
    const v = pattern.exec(sql);
    return v !== null && lexer.bare(v[1]!) === view && lexer.bare(v[2]!) === table;
  });
}
