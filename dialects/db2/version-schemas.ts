import type { TransitionSql } from '../../src/dialect.js';
import { VERSION_MARKER, versionSchemaStatements } from '../../src/model/version-schema.js';
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

/**
 * Every Db2 SELECT reads a table; the marker's has none of its own, so it reads Db2's one-row
 * table. The shared statements write it without a FROM, which is added here.
 */
const MARKER_VIEW = (schema: string) => `CREATE OR REPLACE VIEW ${quote(schema)}.${quote(VERSION_MARKER)} AS SELECT `;
const ONE_ROW = ' FROM SYSIBM.SYSDUMMY1';

/** A version schema is a plain schema of simple (updatable) views, rewritten by CREATE OR REPLACE VIEW. */
export const db2VersionSchemas: Pick<TransitionSql, 'writeVersionSchema' | 'dropVersionSchema' | 'markedSchemas' | 'relationsOf'> = {
  writeVersionSchema: (schema) =>
    versionSchemaStatements(schema, { quote, createSchema, text: literal, lock: DB2_LOCK.none }).map((s) =>
      s.sql.startsWith(MARKER_VIEW(schema.name)) ? { ...s, sql: s.sql + ONE_ROW } : s,
    ),
  // RESTRICT (which Db2 requires) refuses a schema holding anything but the views dropped first.
  dropVersionSchema: (name, views) =>
    withLock(DB2_LOCK.none, ...views.map((v) => `DROP VIEW ${quote(name)}.${quote(v)}`), `DROP SCHEMA ${quote(name)} RESTRICT`),
  markedSchemas: `SELECT ${declaredColumn('VIEWSCHEMA')} AS "name" FROM SYSCAT.VIEWS WHERE ${declaredColumn('VIEWNAME')} = ? ORDER BY 1`,
  relationsOf:
    `SELECT ${declaredColumn('TABNAME')} AS "name", CASE WHEN TYPE = 'V' THEN 1 ELSE 0 END AS "is_view" FROM SYSCAT.TABLES ` +
    `WHERE ${declaredColumn('TABSCHEMA')} = ? ORDER BY 1`,
};
