import type { Phase } from '../plan/step.js';

export type StatementClass =
  | 'additive'
  | 'relaxing'
  | 'tightening'
  | 'validation'
  | 'destructive'
  | 'rewrite'
  | 'data'
  | 'maintenance'
  | 'session'
  | 'read'
  | 'unknown';

/** Where a quoted text or a comment starting in a statement ends, and what stands for it once cleaned. */
type Span = { end: number; text: string };

/** A dollar-quote opener (`$$`, `$body$`); it cannot continue a name (`a$b$`) and `$1` is a parameter. */
const DOLLAR_TAG = /\$(?:[A-Za-z_]\w*)?\$/y;

/**
 * The comment or quoted text starting at `i`, or null. Quoted text is emptied to its quotes: names and
 * literals never change a statement's class, and emptied they can hide no keyword, semicolon or
 * parenthesis from the patterns below.
 */
function spanAt(sql: string, i: number): Span | null {
  const ch = sql[i]!;
  if (ch === '-' && sql[i + 1] === '-') return { end: endOfLine(sql, i), text: ' ' };
  if (ch === '/' && sql[i + 1] === '*') return { end: endOfBlockComment(sql, i), text: ' ' };
  if (ch === "'") return { end: endOfQuoted(sql, i, "'", isEscapeString(sql, i)), text: "''" };
  if (ch === '"' || ch === '`') return { end: endOfQuoted(sql, i, ch, false), text: ch + ch };
  if (ch === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
    DOLLAR_TAG.lastIndex = i;
    const tag = DOLLAR_TAG.exec(sql)?.[0];
    if (tag) return { end: endOfText(sql, sql.indexOf(tag, i + tag.length), tag.length), text: "''" };
  }
  return null;
}

/** Index after `found` plus `length`, or the end of the text when nothing was found (-1). */
const endOfText = (sql: string, found: number, length: number) => (found === -1 ? sql.length : found + length);

const endOfLine = (sql: string, start: number) => endOfText(sql, sql.indexOf('\n', start), 0);

/** PostgreSQL block comments nest, so a comment ends at its own matching close. */
function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    const pair = sql.slice(i, i + 2);
    if (pair !== '/*' && pair !== '*/') continue;
    depth += pair === '/*' ? 1 : -1;
    i++;
    if (depth === 0) return i + 1;
  }
  return sql.length;
}

/**
 * Strings are read as PostgreSQL reads them (standard_conforming_strings on, the default since 9.1):
 * `E'...'` strings take backslash escapes (`E'it\'s'`), standard strings do not (`'C:\'`).
 */
const isEscapeString = (sql: string, quote: number) =>
  /[eE]/.test(sql[quote - 1] ?? '') && !/[\w$]/.test(sql[quote - 2] ?? '');

/** The end of quoted text; a doubled quote is an escaped quote. An unterminated quote runs to the end. */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashEscapes && sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return sql.length;
}

/**
 * The statements in a string, cleaned for classification: split on semicolons outside quoted text and
 * comments (the simple query protocol runs them all), comments removed, quoted text emptied, the rest
 * lower-cased, white space collapsed. Empty statements, as after a trailing semicolon, are dropped.
 */
function statements(sql: string): string[] {
  const found: string[] = [];
  let current = '';
  for (let i = 0; i < sql.length; ) {
    const span = spanAt(sql, i);
    if (span) {
      current += span.text;
      i = span.end;
      continue;
    }
    if (sql[i] === ';') {
      found.push(current);
      current = '';
    } else current += sql[i]!.toLowerCase();
    i++;
  }
  found.push(current);
  return found.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s !== '');
}

/** Splits an ALTER TABLE action list on commas outside parentheses and quotes. */
function actions(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

const STRENGTH: StatementClass[] = ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data', 'tightening', 'rewrite', 'destructive', 'unknown'];

const worst = (classes: StatementClass[]) =>
  classes.reduce((w, c) => (STRENGTH.indexOf(c) > STRENGTH.indexOf(w) ? c : w), 'read' as StatementClass);

/**
 * A table or column name: quoted (`"first name"`, `` `a b` ``) or bare. The cleaning step empties
 * quoted names, but matching them whole keeps the patterns right without relying on that.
 */
const NAME = '(?:"(?:[^"]|"")*"|`(?:[^`]|``)*`|\\S+)';

/** `ALTER TABLE t DROP c`: COLUMN may be left out; the name may be quoted or bare (`prénom`). */
const DROP_BARE_COLUMN = new RegExp(`^drop ${NAME}$`);

const alterColumn = (action: string) => new RegExp(`^alter (?:column )?${NAME} (?:${action})\\b`);
const COLUMN_TYPE = alterColumn('(?:set data )?type');
const COLUMN_DROP_NOT_NULL = alterColumn('drop not null');
const COLUMN_SET_NOT_NULL = alterColumn('set not null');
const COLUMN_SET_DEFAULT = alterColumn('set default');
const COLUMN_DROP_DEFAULT = alterColumn('drop default');

/**
 * Type changes the planner emits only when they are metadata-only: widening a varchar, varchar to
 * text, widening a numeric. The guard cannot see the old type, so for changes to these types only it
 * trusts the planner; a change to any other type is a rewrite.
 */
const RELAXING_TYPE = /\btype (?:character varying|varchar|text|numeric|decimal)\b/;

function classifyAlterAction(action: string): StatementClass {
  if (/^add constraint\b/.test(action)) return /\bnot valid$/.test(action) ? 'additive' : 'tightening';
  if (/^add (primary key|unique|foreign key|check)\b/.test(action)) return 'tightening';
  if (/^add\b/.test(action)) return 'additive';
  // A dropped rule or index loses no data and refuses no write that succeeded before.
  if (/^drop (constraint|index|key|foreign key|check)\b/.test(action)) return 'relaxing';
  if (/^drop (column|primary key)\b/.test(action) || DROP_BARE_COLUMN.test(action)) return 'destructive';
  if (/^rename\b/.test(action)) return 'destructive';
  if (/^validate constraint\b/.test(action)) return 'validation';
  if (COLUMN_TYPE.test(action)) return RELAXING_TYPE.test(action) ? 'relaxing' : 'rewrite';
  if (COLUMN_DROP_NOT_NULL.test(action)) return 'relaxing';
  if (COLUMN_SET_NOT_NULL.test(action)) return 'tightening';
  if (COLUMN_SET_DEFAULT.test(action)) return 'additive';
  if (COLUMN_DROP_DEFAULT.test(action)) return 'tightening';
  // A copy is a rewrite whatever the rest of the statement does. A lock level alone is not: like
  // a plain CREATE INDEX on PostgreSQL, an index build that makes writers wait is still additive.
  if (/^algorithm\s*=\s*copy$/.test(action)) return 'rewrite';
  if (/^(algorithm|lock)\s*=/.test(action)) return 'session';
  return 'unknown';
}

/**
 * MySQL's MODIFY restates a column, so its text cannot tell a type change from a nullability
 * change; the server can, and refuses an in-place algorithm for a change that copies the table.
 * So a MODIFY is judged by its nullability only when the statement demands an in-place algorithm.
 */
function classifyAlterTable(parts: string[]): StatementClass {
  const inPlace = parts.some((a) => /^algorithm\s*=\s*(instant|inplace|nocopy)$/.test(a));
  const copy = parts.some((a) => /^algorithm\s*=\s*copy$/.test(a));
  return worst(parts.map((a) => {
    if (!/^modify (?:column )?/.test(a)) return classifyAlterAction(a);
    if (!inPlace) return copy ? 'rewrite' : 'unknown';
    return /\bnot null\b/.test(a) ? 'tightening' : 'relaxing';
  }));
}

const ALTER_TABLE = new RegExp(`^alter table (?:if exists )?(?:only )?${NAME} (.*)$`);

/** EXPLAIN's options (`analyze`, `verbose`, `format=tree`, `(analyze, buffers)`) and its statement. */
const EXPLAIN = /^explain((?: ?\([^)]*\)| analy[sz]e| verbose| format ?= ?\w+)*) ?(.*)$/;

/** EXPLAIN ANALYZE runs its statement, so it is classified as that statement; plain EXPLAIN only plans. */
function classifyExplain(s: string): StatementClass {
  const [, options = '', statement = ''] = EXPLAIN.exec(s) ?? [];
  return /\banaly[sz]e\b/.test(options) ? classifyOne(statement) : 'read';
}

/** The start of one common table expression, up to its opening parenthesis. */
const CTE_HEAD = new RegExp(`^${NAME} ?(?:\\([^)]*\\) ?)?as ?(?:not )?(?:materialized ?)?\\(`);

/** Index of the parenthesis closing the one at `open`, or -1; quoted text is already emptied. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * A WITH statement is as bad as the worst of its common table expressions (which may delete, insert
 * or update: `WITH d AS (DELETE ... RETURNING *) SELECT ...`) and its main statement.
 */
function classifyWith(s: string): StatementClass {
  const parts: string[] = [];
  let rest = s.replace(/^with (?:recursive )?/, '');
  for (;;) {
    const bodyStart = CTE_HEAD.exec(rest)?.[0].length;
    const close = bodyStart === undefined ? -1 : closingParen(rest, bodyStart - 1);
    if (close === -1) return 'unknown';
    parts.push(rest.slice(bodyStart, close).trim());
    rest = rest.slice(close + 1).trim();
    if (!rest.startsWith(',')) break;
    rest = rest.slice(1).trim();
  }
  return worst([...parts, rest].map(classifyOne));
}

/** Classifies one cleaned statement. */
function classifyOne(s: string): StatementClass {
  if (/^with\b/.test(s)) return classifyWith(s);
  if (/^explain\b/.test(s)) return classifyExplain(s);
  if (/^(select|show|values)\b/.test(s)) return 'read';
  if (/^(set|begin|commit|rollback|start transaction|savepoint|release savepoint|unlock tables)\b/.test(s)) return 'session';
  // Writers wait for the lock's holder as they wait for a rewrite: contract only.
  if (/^lock tables?\b/.test(s)) return 'rewrite';
  if (/^drop index\b/.test(s)) return 'relaxing';
  if (/^(drop|truncate|delete)\b/.test(s)) return 'destructive';
  const alterTable = ALTER_TABLE.exec(s);
  if (alterTable) return classifyAlterTable(actions(alterTable[1]!));
  if (/^alter (index|sequence|type|view|function|trigger)\b.*\brename\b/.test(s)) return 'destructive';
  if (/^create (or replace )?(unique )?(table|index|view|sequence|type|schema|database|function|trigger|extension)\b/.test(s)) return 'additive';
  if (/^create (unique )?index\b/.test(s)) return 'additive';
  if (/^reindex\b/.test(s)) return 'maintenance';
  if (/^comment on\b/.test(s)) return 'additive';
  if (/^(insert|update|merge|call)\b/.test(s)) return 'data';
  return 'unknown';
}

/**
 * Classifies SQL by what it does to the schema and data, from the text alone. It is deliberately
 * independent of the planner: the phase policy holds even when the planner is wrong. A string holding
 * several statements is as bad as its worst statement; one holding none is unknown.
 */
export function classifyStatement(sql: string): StatementClass {
  const found = statements(sql);
  const trigger = COMPOUND_TRIGGER.exec(found.join('; '));
  if (trigger) return classifyOne(trigger[1]!);
  return found.length === 0 ? 'unknown' : worst(found.map(classifyOne));
}

/**
 * A MySQL trigger's body (the compound statement after `FOR EACH ROW`) holds semicolons of its own; it is opaque,
 * as PostgreSQL's dollar-quoted function bodies are. Nothing can follow its final END: the
 * driver sends one statement at a time.
 */
const COMPOUND_TRIGGER = /^(create (?:definer ?= ?\S+ )?trigger\b.*?\bfor each row) begin\b.*\bend$/;

const ALLOWED: Record<Phase, StatementClass[]> = {
  expand: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'tightening'],
  migrate: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data'],
  contract: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data', 'tightening', 'rewrite', 'destructive', 'unknown'],
};

export class PolicyViolation extends Error {
  constructor(
    readonly phase: Phase,
    readonly statement: string,
    readonly statementClass: StatementClass,
  ) {
    super(
      `refused: a ${statementClass} statement may not run in ${phase} while old application code is live:\n  ${statement}\n` +
        `Destructive, rewriting and unrecognized statements run only in contract.`,
    );
    this.name = 'PolicyViolation';
  }
}

/** Throws when the statement's class is not allowed in the phase. */
export function guardStatement(phase: Phase, sql: string): void {
  const c = classifyStatement(sql);
  if (!ALLOWED[phase].includes(c)) throw new PolicyViolation(phase, sql, c);
}

/** On the raw text: the cleaned one has its quoted names emptied. */
const TABLE_RENAME = new RegExp(`^\\s*alter\\s+table\\s+(${NAME})\\s+rename\\s+to\\s+(${NAME})\\s*$`, 'i');
const VIEW_OVER = new RegExp(`^\\s*create\\s+(?:or\\s+replace\\s+)?view\\s+(${NAME})\\s+as\\s+select\\s+\\*\\s+from\\s+(${NAME})\\s*$`, 'i');
const RENAME_PAIR = `(${NAME})\\s+to\\s+(${NAME})`;
/** MySQL's atomic swap: `RENAME TABLE new TO retired, old TO new, alias TO old`. */
const TABLE_SWAP = new RegExp(`^\\s*rename\\s+table\\s+${RENAME_PAIR}\\s*,\\s*${RENAME_PAIR}\\s*,\\s*${RENAME_PAIR}\\s*$`, 'i');
const bare = (name: string) => (/^["`]/.test(name) ? name.slice(1, -1).replace(/""|``/g, (q) => q[0]!) : name.toLowerCase());

/** Whether one of `sqls` puts a view named `view` over `table` (`SELECT *`). */
const viewOver = (sqls: string[], view: string, table: string) =>
  sqls.some((sql) => {
    const v = VIEW_OVER.exec(sql);
    return v !== null && bare(v[1]!) === view && bare(v[2]!) === table;
  });

/**
 * A table rename old code can live with: `from` keeps showing the same rows. Either the rename
 * is followed by a view under the old name over the new one, or (MySQL, where the view must come
 * first) the step made the new name a view over the table and an alias a view over that, and one
 * statement swaps the three names so the table takes the new name and the alias the old one.
 */
function compensatedRename(sqls: string[], i: number): boolean {
  const rename = TABLE_RENAME.exec(sqls[i]!);
  if (rename) return viewOver(sqls.slice(i + 1), bare(rename[1]!), bare(rename[2]!));
  const swap = TABLE_SWAP.exec(sqls[i]!);
  if (!swap) return false;
  const [to, retired, from, to2, alias, from2] = swap.slice(1).map((n) => bare(n!));
  const before = sqls.slice(0, i);
  return to === to2 && from === from2 && retired !== to && alias !== from &&
    viewOver(before, to!, from!) && viewOver(before, alias!, to!);
}

/**
 * Guards the statements of one step (which run together). A table rename is destructive for old
 * code, except when the same step keeps the old name usable through a view over the new one:
 * old code then reads and writes through it, so the rename is additive and may run in expand.
 */
export function guardStep(phase: Phase, sqls: string[]): void {
  sqls.forEach((sql, i) => {
    if (!compensatedRename(sqls, i)) guardStatement(phase, sql);
  });
}
