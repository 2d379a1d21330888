import type { Connection, TransitionSql } from '../../src/dialect.js';
import { versionSchemaStatements } from '../../src/model/version-schema.js';
import { withLock } from '../../src/model/locks.js';
import { literal, quote } from './compiler.js';
import { MYSQL_LOCK } from './locks.js';

/**
 * A version schema is a database of simple (updatable, MERGE) views. A view keeps the column
 * names it was written with, so after a swap the core rewrites it (CREATE OR REPLACE).
 */
export const mysqlVersionSchemas: Pick<TransitionSql, 'writeVersionSchema' | 'dropVersionSchema' | 'markedSchemas' | 'relationsOf'> = {
  writeVersionSchema: (schema) =>
    versionSchemaStatements(schema, { quote, createSchema: (name) => `CREATE DATABASE IF NOT EXISTS ${quote(name)}`, text: literal, fromNoTable: '', lock: MYSQL_LOCK.none }),
  // The core drops a version database only when it holds nothing but dbtide's views.
  dropVersionSchema: (name) => withLock(MYSQL_LOCK.none, `DROP DATABASE IF EXISTS ${quote(name)}`),
  markedSchemas: 'SELECT TABLE_SCHEMA AS name FROM information_schema.VIEWS WHERE TABLE_NAME = ? ORDER BY 1',
  relationsOf: `SELECT TABLE_NAME AS name, TABLE_TYPE = 'VIEW' AS is_view FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = ? ORDER BY 1`,
};

/**
 * The version databases named after `database`, by name alone: a throwaway database's cleanup
 * drops them, even when the account that made their markers' views is gone and they cannot be read.
 */
export async function databasesNamedAfter(conn: Pick<Connection, 'query'>, database: string): Promise<string[]> {
  const rows = await conn.query<{ name: string }>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
  return rows.map((r) => r.name).filter((n) => n.startsWith(`${database}_`));
}
