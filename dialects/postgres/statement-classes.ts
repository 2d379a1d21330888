import { alterColumn, statementClassifier, viewOver } from '../../src/dialect-kit/statement-classifier.js';
import { sqlLexer } from '../../src/dialect-kit/sql-lexer.js';
import type { StatementClass } from '../../src/model/statement-class.js';

/**
 * Strings as PostgreSQL reads them with standard_conforming_strings on (the default since 9.1):
 * `E'...'` strings take backslash escapes (`E'it\'s'`), standard strings do not (`'C:\'`). Function
 * bodies are dollar-quoted, so their semicolons stay inside; block comments nest. `#` and backticks
 * are operator characters, not a comment and quotes.
 */
const lexer = sqlLexer({ nameQuotes: '"', stringQuotes: "'", backslashEscapes: 'prefixed', dollarQuotes: true, nestedComments: true });

const COLUMN_TYPE = alterColumn('(?:set data )?type');
const COLUMN_DROP_NOT_NULL = alterColumn('drop not null');
const COLUMN_SET_NOT_NULL = alterColumn('set not null');
const ALTER_CONSTRAINT = new RegExp(`^alter constraint ${lexer.name} (?:not deferrable|deferrable initially (?:immediate|deferred))$`);

/**
 * Type changes the planner emits only when they are metadata-only: widening a varchar, varchar to
 * text, widening a numeric. The guard cannot see the old type, so for changes to these types only it
 * trusts the planner; a change to any other type is a rewrite.
 */
const RELAXING_TYPE = /\btype (?:character varying|varchar|text|numeric|decimal)\b/;

function alterAction(action: string): StatementClass | null {
  if (/^add constraint\b.*\bnot valid$/.test(action)) return 'additive';
  if (/^validate constraint\b/.test(action)) return 'validation';
  if (COLUMN_TYPE.test(action)) return RELAXING_TYPE.test(action) ? 'relaxing' : 'rewrite';
  if (COLUMN_DROP_NOT_NULL.test(action)) return 'relaxing';
  if (COLUMN_SET_NOT_NULL.test(action)) return 'tightening';
  // What logical decoding writes of old rows: a catalog change no reader or writer sees.
  if (/^replica identity\b/.test(action)) return 'additive';
  // Checked at commit is as late as a constraint gets; any other deferrability may check sooner than before.
  if (ALTER_CONSTRAINT.test(action)) return /\bdeferrable initially deferred$/.test(action) ? 'relaxing' : 'tightening';
  return null;
}

const TABLE_RENAME = new RegExp(`^\\s*alter\\s+table\\s+(${lexer.name})\\s+rename\\s+to\\s+(${lexer.name})\\s*$`, 'i');

/** Sequences, domains and enum types; a rename falls through to the common rules (destructive). */
function schemaObjectStatement(s: string): StatementClass | null {
  if (/^create domain\b/.test(s)) return 'additive';
  if (/\brename\b/.test(s)) return null;
  if (/^alter sequence\b/.test(s)) return /\bowned by\b/.test(s) ? 'additive' : 'tightening';
  if (/^alter type \S+ add value\b/.test(s)) return 'additive';
  const domain = /^alter domain \S+ (.*)$/.exec(s)?.[1];
  if (domain === undefined) return null;
  if (/^drop (constraint|not null)\b/.test(domain)) return 'relaxing';
  if (/^add constraint\b.*\bnot valid$/.test(domain) || /^set default\b/.test(domain)) return 'additive';
  if (/^validate constraint\b/.test(domain)) return 'validation';
  return 'tightening';
}

export const postgresStatements = statementClassifier(lexer, {
  statement: (s) => (/^reindex\b/.test(s) ? 'maintenance' : schemaObjectStatement(s)),
  alterAction,
  // The step runs in one transaction (DDL is transactional), so no one sees the old name missing
  // between the rename and the view that takes it.
  compensatedRename(sqls, i) {
    const rename = TABLE_RENAME.exec(sqls[i]!);
    return rename !== null && viewOver(lexer, sqls.slice(i + 1), lexer.bare(rename[1]!), lexer.bare(rename[2]!));
  },
});
