import { literal, quote, storedName } from './names.js';

/**
 * The session global variable dbtide's triggers read to tell the backfill's writes from the
 * application's: each session has its own value, 0 until the backfill sets 1 (IBM's pattern in
 * db2-samples admin_scripts/globvarsupport.db2). It lives in a schema of its own, named in full
 * wherever it is used: an unqualified variable is found through CURRENT PATH, not CURRENT SCHEMA,
 * and one variable serves every schema of the database (each session's value is its own). The
 * user that creates it owns it; another user running dbtide needs READ and WRITE on it.
 */
const SCHEMA = 'dbtide';
const NAME = 'quiet';

const variable = `${quote(SCHEMA)}.${quote(NAME)}`;

/**
 * Creates the variable unless it exists. CREATE VARIABLE has no IF NOT EXISTS, so a
 * compound statement asks the catalog first and runs the DDL through EXECUTE IMMEDIATE, the way a
 * compound statement runs DDL; the statement classifier reads the string it runs.
 */
export const ensureQuietVariable = () =>
  'BEGIN\n' +
  `  IF NOT EXISTS (SELECT 1 FROM SYSCAT.VARIABLES WHERE VARSCHEMA = ${literal(storedName(SCHEMA))} AND VARNAME = ${literal(storedName(NAME))}) THEN\n` +
  `    EXECUTE IMMEDIATE ${literal(`CREATE VARIABLE ${variable} SMALLINT DEFAULT 0`)};\n` +
  '  END IF;\n' +
  'END';

/** The trigger condition under which a write is the application's. */
export const notQuiet = `${variable} = 0`;

export const setQuiet = (on: boolean) => `SET ${variable} = ${on ? 1 : 0}`;
