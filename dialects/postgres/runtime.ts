import { createHash } from 'node:crypto';
import type { Connection, RuntimeSql } from '../../src/dialect.js';
import { releasedOnce } from '../../src/dialect-kit/held-lock.js';
import { quote } from './compiler.js';
import { postgresLockHolders } from './lock-holders.js';
import { postgresReplicaLag } from './replica-lag.js';

/** SQLSTATE 55P03 lock_not_available: the lock wait hit lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/** Advisory locks take a 64-bit key; derive it from the lock name so every tool agrees. */
const lockKey = (name: string) => createHash('sha256').update(name).digest().readBigInt64BE(0).toString();

export const postgresRuntime: RuntimeSql = {
  lockTimeout: (ms, local) => [`SET ${local ? 'LOCAL ' : ''}lock_timeout = '${ms === null ? 0 : Math.max(1, Math.round(ms))}ms'`],
  // Tens of milliseconds: writers behind an attempt barely notice, and the look before it makes a
  // timed-out attempt rare.
  lockWait: { capMs: 50, unitMs: 1 },
  transactionStart: 'BEGIN',
  isLockTimeout: (error) => (error as { code?: unknown } | null)?.code === LOCK_NOT_AVAILABLE,
  // A session lock: it outlives the run's transactions and goes with the connection.
  async tryRunLock({ conn }, key) {
    const [row] = await conn.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [lockKey(key)]);
    if (row?.locked !== true) return null;
    return releasedOnce(() => conn.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey(key)]));
  },
  async cleanupFailedStatement(conn: Connection, sql: string) {
    const build = /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?"((?:[^"]|"")+)"/i.exec(sql);
    if (!build) return;
    const name = build[1]!.replace(/""/g, '"');
    const invalid = await conn.query(
      `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid`,
      [name],
    );
    if (invalid.length > 0) await conn.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quote(name)}`);
  },
  waitsWithoutBlocking: (sql) => /\bCONCURRENTLY\b/i.test(sql),
  onlineFallback: () => null,
  // The table's owner may create triggers on it; dbtide creates the tables it syncs or owns them.
  triggerPreflight: async () => null,
  sessionList: 'pg_stat_activity',
  lockHolders: postgresLockHolders,
  ledgerTypes: { timestamp: { kind: 'timestamp', withTimeZone: true }, longText: { kind: 'text' } },
  async tableExists(conn, table) {
    const sql = "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind IN ('r', 'p')";
    return (await conn.query(sql, [table])).length > 0;
  },
  limit: (rows) => `LIMIT ${rows}`,
  useSchema: (schema) => [`SET search_path TO ${quote(schema)}`],
  schemaNoun: 'schema',
  async schemaExists(conn, schema) {
    return (await conn.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length > 0;
  },
  // NULL when no schema on the search_path exists.
  async currentSchema(conn) {
    return (await conn.query<{ s: string | null }>('SELECT current_schema() AS s'))[0]?.s ?? null;
  },
  noCurrentSchema: {
    problem: 'no schema on the search_path exists',
    fix: 'name the schema with --database-schema <name>, or create the one the search_path names',
  },
  replicaLag: postgresReplicaLag,
  param: (index) => `$${index}`,
  async insertRow(conn, table, row) {
    const columns = Object.keys(row);
    const [inserted] = await conn.query<Record<string, unknown>>(
      `INSERT INTO ${quote(table.name)} (${columns.map(quote).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`,
      columns.map((c) => row[c]),
    );
    return inserted ?? row;
  },
};
