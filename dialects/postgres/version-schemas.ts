import type { TransitionSql } from '../../src/dialect.js';
import { versionSchemaStatements } from '../../src/model/version-schema.js';
import { withLock } from '../../src/model/locks.js';
import { literal, quote } from './compiler.js';
import { PG_LOCK } from './locks.js';

/** A version schema is a plain schema of auto-updatable views; a view follows a renamed column. */
export const postgresVersionSchemas: Pick<TransitionSql, 'writeVersionSchema' | 'dropVersionSchema' | 'markedSchemas' | 'relationsOf'> = {
  writeVersionSchema: (schema) =>
    versionSchemaStatements(schema, { quote, createSchema: (name) => `CREATE SCHEMA IF NOT EXISTS ${quote(name)}`, text: (v) => `${literal(v)}::text`, fromNoTable: '', lock: PG_LOCK.none }),
  // Without CASCADE: anything else in the schema stops the drop rather than going with it.
  dropVersionSchema: (name, views) =>
    withLock(PG_LOCK.none, ...views.map((v) => `DROP VIEW IF EXISTS ${quote(name)}.${quote(v)}`), `DROP SCHEMA IF EXISTS ${quote(name)}`),
  markedSchemas: `SELECT n.nspname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = $1 AND c.relkind = 'v' ORDER BY 1`,
  relationsOf: `SELECT c.relname AS name, c.relkind = 'v' AS is_view FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1`,
};
