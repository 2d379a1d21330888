import { releasedOnce } from '../../src/dialect-kit/held-lock.js';
import type { RuntimeSql } from '../../src/dialect.js';
import { tryClusterRunLock } from './cluster-lock.js';
import { quote } from './compiler.js';
import { mysqlLockHolders } from './lock-holders.js';
import { mysqlReplicaLag } from './replica-lag.js';
import { mysqlTriggerPreflight } from './trigger-preflight.js';

/**
 * ER_LOCK_WAIT_TIMEOUT: a metadata lock (lock_wait_timeout) or a row lock (innodb_lock_wait_timeout)
 * wait ran out. ER_LOCK_DEADLOCK: the transaction was chosen as a deadlock's victim, or on a Galera
 * node lost certification to another node's write; either way rolled back whole, so safe to rerun.
 */
const RETRYABLE = new Set([1205, 1213]);

/**
 * The server will not use the stated algorithm: ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON), and
 * MySQL's ER_INNODB_MAX_ROW_VERSION once a table has used its 64 instant row versions.
 */
const INSTANT_REFUSED = new Set([1845, 1846, 4092]);

/** GET_LOCK names are limited to 64 characters and shared by every database on the server: the name carries the database. */
const LOCK_NAME = 'LEFT(CONCAT(?, DATABASE()), 64)';

/**
 * Both waits take whole seconds (MariaDB's `WAIT n` as well): a cap below a second waits one. 0 asks
 * without waiting on MariaDB; MySQL raises it to its minimum, 1.
 */
const seconds = (ms: number) => (ms === 0 ? 0 : Math.max(1, Math.ceil(ms / 1000)));

/** Servers default to a year (lock_wait_timeout) and 50 s (innodb_lock_wait_timeout). */
const UNBOUNDED = { metadata: 31_536_000, rows: 50 };

export const mysqlRuntime: RuntimeSql = {
  // Session-wide either way: MySQL has no transaction-local setting, and the executor runs
  // MySQL DDL statement by statement (DDL commits implicitly).
  lockTimeout: (ms) => [
    `SET SESSION lock_wait_timeout = ${ms === null ? UNBOUNDED.metadata : seconds(ms)}`,
    `SET SESSION innodb_lock_wait_timeout = ${ms === null ? UNBOUNDED.rows : seconds(ms)}`,
  ],
  // The shortest wait the server offers short of none (MariaDB's 0 fails an online ALTER at its
  // final lock upgrade whenever any write is in flight, losing the rebuild).
  lockWait: { capMs: 1000, unitMs: 1000 },
  transactionStart: 'START TRANSACTION',
  isLockTimeout: (error) => RETRYABLE.has(Number((error as { errno?: unknown } | null)?.errno)),
  // A named lock: the session's, whatever its statements commit. A Galera node's named lock is
  // that node's alone: a cluster takes a leased row instead.
  async tryRunLock(session, key) {
    if (session.cluster) return tryClusterRunLock(session, key);
    const { conn } = session;
    const [row] = await conn.query<{ locked: number | null }>(`SELECT GET_LOCK(${LOCK_NAME}, 0) AS locked`, [`${key}:`]);
    if (Number(row?.locked) !== 1) return null;
    return releasedOnce(() => conn.query(`SELECT RELEASE_LOCK(${LOCK_NAME})`, [`${key}:`]));
  },
  // A foreign key added with the checks off must not leave them off for the rest of the session,
  // and a failed swap must not leave the table locked for writes.
  async cleanupFailedStatement(conn) {
    await conn.query('SET foreign_key_checks = 1');
    await conn.query('UNLOCK TABLES');
  },
  // Every MySQL DDL statement queues writers while it waits for its metadata lock.
  waitsWithoutBlocking: () => false,
  // INSTANT is refused on some tables (MariaDB: any with a FULLTEXT index; MySQL: after 64
  // instant column changes); INPLACE with
  // LOCK=NONE still lets writes continue, it only takes longer.
  onlineFallback(sql, error) {
    if (!INSTANT_REFUSED.has(Number((error as { errno?: unknown } | null)?.errno))) return null;
    const online = sql.replace(/, ALGORITHM=INSTANT, LOCK=DEFAULT$/, ', ALGORITHM=INPLACE, LOCK=NONE');
    return online === sql ? null : online;
  },
  sessionList: 'information_schema.PROCESSLIST',
  lockHolders: mysqlLockHolders,
  triggerPreflight: mysqlTriggerPreflight,
  // DATETIME, not TIMESTAMP: the ledger outlives 2038; statements (trigger bodies) outgrow TEXT's 64 KiB.
  ledgerTypes: { timestamp: { kind: 'timestamp', withTimeZone: false }, longText: { kind: 'native', sql: 'mediumtext' } },
  async tableExists(conn, table) {
    return (await conn.query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'", [table])).length > 0;
  },
  limit: (rows) => `LIMIT ${rows}`,
  useSchema: (schema) => [`USE ${quote(schema)}`],
  schemaNoun: 'database',
  async schemaExists(conn, schema) {
    return (await conn.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [schema])).length > 0;
  },
  // NULL when the URL names no database.
  async currentSchema(conn) {
    return (await conn.query<{ s: string | null }>('SELECT DATABASE() AS s'))[0]?.s ?? null;
  },
  noCurrentSchema: {
    problem: 'the URL names no database',
    fix: 'name the database in the URL (mysql://user@host:3306/<database>) or with --database-schema <name>',
  },
  replicaLag: mysqlReplicaLag,
  param: () => '?',
  // MySQL has no RETURNING: the row is read back by its key, an AUTO_INCREMENT one by LAST_INSERT_ID().
  async insertRow(conn, table, row) {
    const columns = Object.keys(row);
    await conn.query(`INSERT INTO ${quote(table.name)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, columns.map((c) => row[c]));
    const key = table.primaryKey?.columns ?? [];
    if (key.length === 0) return row;
    const generated = table.columns.find((c) => c.identity && key.includes(c.name));
    const [id] = generated ? await conn.query<{ id: unknown }>('SELECT LAST_INSERT_ID() AS id') : [];
    const values = key.map((c) => (c === generated?.name ? id?.id : row[c]));
    const [stored] = await conn.query<Record<string, unknown>>(`SELECT * FROM ${quote(table.name)} WHERE ${key.map((c) => `${quote(c)} = ?`).join(' AND ')}`, values);
    return stored ?? row;
  },
};
