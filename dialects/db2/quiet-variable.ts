import { literal, quote, storedName } from './names.js';

/**
 * The session global variable dbtide's triggers read to tell the backfill's writes from the
 * application's: each session has its own value, 0 until the backfill sets 1 (IBM's pattern in
 * db2-samples admin_scripts/globvarsupport.db2). CREATE VARIABLE puts it in the session's current
 * schema, where the triggers are made; an unqualified reference (the trigger's WHEN, the SET) finds
 * it through CURRENT PATH, so the session's path must name that schema (the runtime's `useSchema`).
 */
export const QUIET_VARIABLE = 'dbtide_quiet';

const variable = quote(QUIET_VARIABLE);

/**
 * Creates the variable unless the schema has it. CREATE VARIABLE has no IF NOT EXISTS, so a
 * compound statement asks the catalog first and runs the DDL through EXECUTE IMMEDIATE, the way a
 * compound statement runs DDL; the statement classifier reads the string it runs.
 */
export const ensureQuietVariable = () =>
  'BEGIN\n' +
  `  IF NOT EXISTS (SELECT 1 FROM SYSCAT.VARIABLES WHERE VARSCHEMA = CURRENT SCHEMA AND VARNAME = ${literal(storedName(QUIET_VARIABLE))}) THEN\n` +
  `    EXECUTE IMMEDIATE ${literal(`CREATE VARIABLE ${variable} SMALLINT DEFAULT 0`)};\n` +
  '  END IF;\n' +
  'END';

/** The trigger condition under which a write is the application's. */
export const notQuiet = `${variable} = 0`;

export const setQuiet = (on: boolean) => `SET ${variable} = ${on ? 1 : 0}`;
