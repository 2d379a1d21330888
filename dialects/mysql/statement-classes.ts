import { statementClassifier, viewOver } from '../../src/dialect-kit/statement-classifier.js';
import { sqlLexer } from '../../src/dialect-kit/sql-lexer.js';
import type { StatementClass } from '../../src/model/statement-class.js';
import { ALIAS_MARKER } from './transitions.js';
import { isOwnObjectName } from '../../src/model/own-objects.js';

/**
 * Text as MySQL reads it under its default sql_mode: `"` quotes a string (a name under ANSI_QUOTES,
 * emptied either way), backslashes escape in strings (`'it\'s'`). Block comments do not nest, and
 * the text of `/*! ... *\/` runs.
 */
const lexer = sqlLexer({ nameQuotes: '`', stringQuotes: `'"`, backslashEscapes: 'always', hashComments: true, spacedDashComments: true, executableComments: true });

const IN_PLACE = /^algorithm\s*=\s*(instant|inplace|nocopy)$/;
const COPY = /^algorithm\s*=\s*copy$/;

/**
 * MODIFY restates a column, so its text cannot tell a type change from a nullability change; the
 * server can, and refuses an in-place algorithm for a change that copies the table. So a MODIFY is
 * judged by its nullability only when the statement demands an in-place algorithm.
 */
function modify(action: string, all: string[]): StatementClass {
  if (all.some((a) => IN_PLACE.test(a))) return /\bnot null\b/.test(action) ? 'tightening' : 'relaxing';
  return all.some((a) => COPY.test(a)) ? 'rewrite' : 'unknown';
}

function alterAction(action: string, all: string[]): StatementClass | null {
  if (/^modify (?:column )?/.test(action)) return modify(action, all);
  // A copy is a rewrite whatever the rest of the statement does. A lock level alone is not: like
  // a plain CREATE INDEX on PostgreSQL, an index build that makes writers wait is still additive.
  if (COPY.test(action)) return 'rewrite';
  if (/^(algorithm|lock)\s*=/.test(action)) return 'session';
  // The table's comment: metadata no reader or writer sees.
  if (/^comment\b/.test(action)) return 'additive';
  // An index, or a rule named by its kind, goes: no data is lost.
  if (/^drop (index|key|foreign key|check)\b/.test(action)) return 'relaxing';
  return null;
}

function statement(s: string): StatementClass | null {
  if (/^unlock tables\b/.test(s)) return 'session';
  // LOCK TABLE's plural spelling.
  if (/^lock tables\b/.test(s)) return 'rewrite';
  return null;
}

/**
 * A trigger's body (the compound statement after `FOR EACH ROW`) holds semicolons of its own; it is
 * opaque, as PostgreSQL's dollar-quoted function bodies are. Nothing can follow its final END: the
 * driver sends one statement at a time.
 */
const COMPOUND_TRIGGER = /^(create (?:definer ?= ?\S+ )?trigger\b.*?\bfor each row) begin\b.*\bend$/;

/** The marker of dbtide's alias views (transitions.ts): a condition every row meets. */
const ALIAS_CONDITION = new RegExp(String.raw`where\s+'${ALIAS_MARKER}'\s+is\s+not\s+null`);

const RENAME_PAIR = `(${lexer.name})\\s+to\\s+(${lexer.name})`;
/** The atomic swap: `RENAME TABLE new TO retired, old TO new, alias TO old`. */
const TABLE_SWAP = new RegExp(`^\\s*rename\\s+table\\s+${RENAME_PAIR}\\s*,\\s*${RENAME_PAIR}\\s*,\\s*${RENAME_PAIR}\\s*$`, 'i');

/** A table copy's swap: `RENAME TABLE t TO old, copy TO t`. */
const COPY_SWAP = new RegExp(`^\\s*rename\\s+table\\s+${RENAME_PAIR}\\s*,\\s*${RENAME_PAIR}\\s*$`, 'i');

export const mysqlStatements = statementClassifier(lexer, {
  statement,
  alterAction,
  rejoin(found) {
    const trigger = COMPOUND_TRIGGER.exec(found.join('; '));
    return trigger ? [trigger[1]!] : found;
  },
  // DDL commits statement by statement, so a view made after a rename would leave old code without
  // the old name in between. The view comes first instead: the step made the new name a view over
  // the table and an alias a view over that, and one statement swaps the three names, so the
  // table takes the new name and the alias the old one.
  compensatedRename(sqls, i) {
    // A table copy's swap (./table-copy.ts): the name goes from the table to its copy, kept in step
    // with it by triggers, in one statement.
    const copy = COPY_SWAP.exec(sqls[i]!);
    if (copy) {
      const [table, old, replacement, table2] = copy.slice(1).map((n) => lexer.bare(n!));
      return table === table2 && isOwnObjectName(old!) && isOwnObjectName(replacement!);
    }
    const swap = TABLE_SWAP.exec(sqls[i]!);
    if (!swap) return false;
    const [to, retired, from, to2, alias, from2] = swap.slice(1).map((n) => lexer.bare(n!));
    const before = sqls.slice(0, i);
    return to === to2 && from === from2 && retired !== to && alias !== from &&
      viewOver(lexer, before, to!, from!, ALIAS_CONDITION) && viewOver(lexer, before, alias!, to!, ALIAS_CONDITION);
  },
});
