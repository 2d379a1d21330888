import type { TransitionSql } from '../../src/dialect.js';
import { versionSchemaStatements } from '../../src/model/version-schema.js';
import { withLock } from '../../src/model/locks.js';
import { DB2_LOCK } from './locks.js';
import { literal, quote, storedName } from './names.js';

/**
 * A catalog column's name as declared (`declaredName` in SQL): the core passes and compares
 * declared names, the catalog keeps them folded.
 */
export const declaredColumn = (column: string) => `CASE WHEN ${column} = UPPER(${column}) THEN LOWER(${column}) ELSE ${column} END`;

/** CREATE SCHEMA has no IF NOT EXISTS: a compound statement asks the catalog first, as for the quiet variable. */
const createSchema = (name: string) =>
  'BEGIN\n' +
  `  IF NOT EXISTS (SELECT 1 FROM SYSCAT.SCHEMATA WHERE SCHEMANAME = ${literal(storedName(name))}) THEN\n` +
  `    EXECUTE IMMEDIATE ${literal(`CREATE SCHEMA ${quote(name)}`)};\n` +
  '  END IF;\n' +
  'END';

/** A version schema is a plain schema of simple (updatable) views, rewritten by CREATE OR REPLACE VIEW. */
export const db2VersionSchemas: Pick<TransitionSql, 'writeVersionSchema' | 'dropVersionSchema' | 'markedSchemas' | 'relationsOf'> = {
  writeVersionSchema: (schema) =>
    // Every Db2 SELECT reads a table: the marker's constants read Db2's one-row table.
    versionSchemaStatements(schema, { quote, createSchema, text: literal, fromNoTable: ' FROM SYSIBM.SYSDUMMY1', lock: DB2_LOCK.none }),
  // RESTRICT (which Db2 requires) refuses a schema holding anything but the views dropped first.
  dropVersionSchema: (name, views) =>
    withLock(DB2_LOCK.none, ...views.map((v) => `DROP VIEW ${quote(name)}.${quote(v)}`), `DROP SCHEMA ${quote(name)} RESTRICT`),
  markedSchemas: `SELECT ${declaredColumn('VIEWSCHEMA')} AS "name" FROM SYSCAT.VIEWS WHERE ${declaredColumn('VIEWNAME')} = ? ORDER BY 1`,
  relationsOf:
    `SELECT ${declaredColumn('TABNAME')} AS "name", CASE WHEN TYPE = 'V' THEN 1 ELSE 0 END AS "is_view" FROM SYSCAT.TABLES ` +
    `WHERE ${declaredColumn('TABSCHEMA')} = ? ORDER BY 1`,
};
