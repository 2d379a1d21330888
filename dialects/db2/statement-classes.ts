import { alterColumn, statementClassifier, viewOver } from '../../src/dialect-kit/statement-classifier.js';
import { closingParen, sqlLexer } from '../../src/dialect-kit/sql-lexer.js';
import type { StatementClass, StatementClassifier } from '../../src/model/statement-class.js';
import { ALIAS_MARKER } from './alias-view.js';

/**
 * Text as Db2 reads it: `"` quotes a name and `'` a string, each doubled to stand for itself, with
 * no backslash escapes; `--` and block comments, which do not nest; no dollar quotes, no backticks.
 */
const lexer = sqlLexer({ nameQuotes: '"', stringQuotes: "'" });

const SET_DATA_TYPE = alterColumn('set data type');
/** Lengthening a VARCHAR is the only type change the planner runs in place; the guard cannot see the old length. */
const TO_VARCHAR = /\bset data type varchar ?\(/;
const NULLABILITY = alterColumn('set not null|drop not null');

/**
 * REORG-recommended ALTERs are `rewrite`: they leave the table counting toward a classic REORG,
 * which blocks writes, so they run in contract only; SET NOT NULL and most SET DATA TYPEs also read
 * every row under a Z lock.
 */
function alterAction(action: string): StatementClass | null {
  if (SET_DATA_TYPE.test(action)) return TO_VARCHAR.test(action) ? 'relaxing' : 'rewrite';
  if (NULLABILITY.test(action)) return 'rewrite';
  // A rule named by its kind goes: no data is lost.
  if (/^drop (unique|check|foreign key) /.test(action)) return 'relaxing';
  return null;
}

/**
 * The compound statements dbtide writes to make an object unless the catalog has it (quiet-variable.ts,
 * version-schemas.ts). The statement they run is a string, emptied here; `db2Statements` reads it.
 */
const CREATE_UNLESS_FOUND =
  /^begin if not exists \(select 1 from syscat\.(?:variables where varschema = '' and varname = ''|schemata where schemaname = '')\) then execute immediate ''; end if; end$/;

/** `OLD TABLE (DELETE ...)`: a SELECT that changes rows is as bad as its changes. */
const DATA_CHANGE = /\b(?:old|new|final) table \(/g;

/** The data changes a statement reads rows from, or null when one's parenthesis is never closed. */
function dataChanges(s: string): string[] | null {
  const changes = [...s.matchAll(DATA_CHANGE)].map((m) => {
    const open = m.index + m[0].length - 1;
    const close = closingParen(s, open);
    return close === -1 ? null : s.slice(open + 1, close);
  });
  return changes.every((c) => c !== null) ? changes : null;
}

function statement(s: string): StatementClass | null {
  if (/^begin\b/.test(s)) return CREATE_UNLESS_FOUND.test(s) ? 'additive' : 'unknown';
  const changes = dataChanges(s);
  if (changes === null) return 'unknown';
  if (changes.length > 0) return base.classify(changes.join('; '));
  // Checks the rows of a table whose constraints changed; the common rules would take it for a session setting.
  if (/^set integrity\b/.test(s)) return 'validation';
  // Strings are emptied, so the command ADMIN_CMD runs cannot be read: a REORG is what dbtide runs through it.
  if (/^call sysproc\.admin_cmd\b/.test(s)) return 'rewrite';
  if (/^call sysproc\.admin_drop_schema\b/.test(s)) return 'destructive';
  // RENAME TABLE, RENAME INDEX (TABLE may be left out): old code loses the name.
  if (/^rename\b/.test(s)) return 'destructive';
  if (/^create (or replace )?variable\b/.test(s)) return 'additive';
  return null;
}

/**
 * A compound statement (`BEGIN ... END`, a trigger's `BEGIN ATOMIC ... END`) is one statement to
 * the server, semicolons and all. It runs to the first statement that is a lone END: a nested
 * block ends it early, and what follows reads as unknown.
 */
function rejoin(found: string[]): string[] {
  const opens = (s: string) => /^begin (?!work\b|transaction\b)\S/.test(s) || /^create (?:or replace )?trigger\b.*\bbegin atomic\b/.test(s);
  const joined: string[] = [];
  for (let i = 0; i < found.length; i++) {
    let end = i;
    if (opens(found[i]!)) while (end < found.length - 1 && found[end] !== 'end') end++;
    joined.push(found.slice(i, end + 1).join('; '));
    i = end;
  }
  return joined;
}

const RENAME_TABLE = new RegExp(`^\\s*rename\\s+(?:table\\s+)?(${lexer.name})\\s+to\\s+(${lexer.name})\\s*$`, 'i');
/** The marker of dbtide's alias views (alias-view.ts), in raw text. */
const ALIAS_CONDITION = new RegExp(String.raw`where\s+'${ALIAS_MARKER}'\s+is\s+not\s+null`);

const base = statementClassifier(lexer, {
  statement,
  alterAction,
  rejoin,
  // DDL is transactional and the step runs as one unit of work: no one sees the old name missing
  // between the rename and the view that takes it.
  compensatedRename(sqls, i) {
    const rename = RENAME_TABLE.exec(sqls[i]!);
    return rename !== null && viewOver(lexer, sqls.slice(i + 1), lexer.bare(rename[1]!), lexer.bare(rename[2]!), ALIAS_CONDITION);
  },
});

/** White space or comments, in raw text. */
const GAP = String.raw`(?:\s|/\*[\s\S]*?\*/|--[^\n]*\n)+`;
/** A statement string EXECUTE IMMEDIATE runs, in raw text (wherever the words appear: reading too many only errs toward caution). */
const IMMEDIATE = new RegExp(String.raw`\bEXECUTE${GAP}IMMEDIATE${GAP}'((?:[^']|'')*)'`, 'gi');

/**
 * The lexer empties the string EXECUTE IMMEDIATE runs, so it is read here from the raw text: a
 * compound statement that runs anything but a CREATE of a new object, or a string this cannot
 * find, is unknown, whatever its shape.
 */
export const db2Statements: StatementClassifier = {
  ...base,
  classify(sql) {
    const strings = [...sql.matchAll(IMMEDIATE)].map((m) => m[1]!.replace(/''/g, "'"));
    const runs = lexer.statements(sql).join(' ').match(/\bexecute immediate\b/g)?.length ?? 0;
    if (strings.length !== runs || strings.some((s) => base.classify(s) !== 'additive')) return 'unknown';
    return base.classify(sql);
  },
};
