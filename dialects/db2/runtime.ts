import type { Connection, HeldRunLock, RunLockSession, RuntimeSql } from '../../src/dialect.js';
import { releasedOnce } from '../../src/dialect-kit/held-lock.js';
import { OWN_TABLE_PREFIX } from '../../src/model/own-objects.js';
import { declaredName, quote, storedName } from './names.js';
import { quoteStored } from './stored-name.js';

/**
 * SQL0911N (-911): the unit of work was rolled back, reason 68 a lock timeout, 2 a deadlock; the
 * core retries the whole transaction, which is what a rolled-back one needs. SQL0913N (-913): the
 * statement failed on a lock wait and nothing was rolled back. The reason code is only in the text.
 */
const LOCK_WAIT_FAILED = new Set([-911, -913]);
const LOCK_MESSAGE = /\bSQL091[13]N\b/;

/** SQL0601N: the name of the object to be created is identical to an existing one (another run created it meanwhile). */
const ALREADY_EXISTS = -601;

/** SET CURRENT LOCK TIMEOUT takes whole seconds up to 32767: a cap below a second waits one. */
const seconds = (ms: number) => Math.min(32_767, Math.max(1, Math.ceil(ms / 1000)));

const sqlcodeOf = (error: unknown) => (error as { sqlcode?: unknown } | null)?.sqlcode;

const isLockTimeout = (error: unknown) =>
  LOCK_WAIT_FAILED.has(Number(sqlcodeOf(error))) || LOCK_MESSAGE.test(String((error as { message?: unknown } | null)?.message ?? ''));

const LOCK_TABLE = `${OWN_TABLE_PREFIX}lock`;

const CURRENT_SCHEMA = 'SELECT CURRENT SCHEMA AS "name" FROM SYSIBM.SYSDUMMY1';

async function tableExists(conn: Pick<Connection, 'query'>, table: string): Promise<boolean> {
  const rows = await conn.query("SELECT 1 AS \"found\" FROM SYSCAT.TABLES WHERE TABSCHEMA = CURRENT SCHEMA AND TABNAME = ? AND TYPE = 'T'", [storedName(table)]);
  return rows.length > 0;
}

/**
 * The run lock is an exclusive lock on the table `_DBTIDE_LOCK` of the session's schema, held by
 * a unit of work left open on a second connection: Db2 keeps a table lock until commit, rollback
 * or disconnect, and the run's own connection commits its DDL. The lock is per schema whatever
 * the key: the core has one key, and a table lock needs no row per key (nor the lock escalation
 * that row locks can meet). A process that dies loses its connection, and the lock with it.
 * The table is named with the run connection's schema: the second connection, opened from the
 * URL, has not been given the schema a run selects (`useSchema`).
 */
async function tryRunLock(session: RunLockSession, _key: string): Promise<HeldRunLock | null> {
  const lockTable = await ensureLockTable(session.conn);
  const conn = await session.connect();
  let signalTaken!: () => void;
  const taken = new Promise<void>((resolve) => (signalTaken = resolve));
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  const holding = conn.transaction(async () => {
    await conn.query('SET CURRENT LOCK TIMEOUT NOT WAIT');
    await conn.query(`LOCK TABLE ${lockTable} IN EXCLUSIVE MODE`);
    signalTaken();
    await released;
  });
  try {
    await Promise.race([taken, holding]);
  } catch (error) {
    await conn.close().catch(() => {});
    if (isLockTimeout(error)) return null;
    throw error;
  }
  return releasedOnce(async () => {
    letGo();
    // A connection lost while held has lost the lock too: there is nothing left to give up.
    await holding.catch(() => {});
    await conn.close();
  });
}

/** Creates the lock table in the session's schema unless it is there; returns its qualified name. */
async function ensureLockTable(conn: Connection): Promise<string> {
  const [schema] = await conn.query<{ name: string }>(CURRENT_SCHEMA);
  const table = `${quoteStored(schema!.name.trim())}.${quote(LOCK_TABLE)}`;
  if (await tableExists(conn, LOCK_TABLE)) return table;
  await conn.query(`CREATE TABLE ${table} ("HELD" SMALLINT)`).catch((error: unknown) => {
    if (sqlcodeOf(error) !== ALREADY_EXISTS) throw error;
  });
  return table;
}

export const db2Runtime: RuntimeSql = {
  // The special register is not under transaction control: a transaction's cap is the session's,
  // and the core sets the session's again after a step that changed it.
  lockWait: { capMs: 1000, unitMs: 1000 },
  transactionStart: null,
  lockTimeout: (ms) => [ms === null ? 'SET CURRENT LOCK TIMEOUT NULL' : `SET CURRENT LOCK TIMEOUT WAIT ${seconds(ms)}`],
  isLockTimeout,
  tryRunLock,
  // A failed Db2 statement rolls back what it did (DDL included): nothing is left half done.
  cleanupFailedStatement: async () => {},
  // Every Db2 DDL statement queues writers while it waits for its lock.
  waitsWithoutBlocking: () => false,
  onlineFallback: () => null,
  sessionList: 'SYSIBMADM.MON_LOCKWAITS (or TABLE(MON_GET_APPL_LOCKWAIT(NULL, -2)))',
  // CREATE TRIGGER needs ALTER on the table and CREATEIN on the schema, which privileges() checks with the rest.
  triggerPreflight: async () => null,
  // TIMESTAMP(6) in UTC and CLOB(1M), as the compiler renders timestamp and text.
  ledgerTypes: { timestamp: { kind: 'timestamp', withTimeZone: false }, longText: { kind: 'text' } },
  tableExists,
  limit: (rows) => `FETCH FIRST ${rows} ROWS ONLY`,
  // CURRENT PATH resolves routines, types and variables, not tables: dbtide names its one variable in full.
  useSchema: (schema) => [`SET CURRENT SCHEMA ${quote(schema)}`],
  schemaNoun: 'schema',
  async schemaExists(conn, schema) {
    return (await conn.query('SELECT 1 AS "found" FROM SYSCAT.SCHEMATA WHERE SCHEMANAME = ?', [storedName(schema)])).length > 0;
  },
  // Never NULL on Db2: a session's schema is its authorization ID unless set.
  async currentSchema(conn) {
    const name = (await conn.query<{ name: string | null }>(CURRENT_SCHEMA))[0]?.name;
    return name ? declaredName(name.trim()) : null;
  },
  noCurrentSchema: {
    problem: 'the session has no current schema',
    fix: 'name the schema in the URL (db2://user@host:50000/<database>?currentSchema=<schema>) or with --database-schema <name>',
  },
  param: () => '?',
  // The row as stored, generated values included (the driver names its columns as declared).
  async insertRow(conn, table, row) {
    const columns = Object.keys(row);
    const [inserted] = await conn.query<Record<string, unknown>>(
      `SELECT * FROM FINAL TABLE (INSERT INTO ${quote(table.name)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}))`,
      columns.map((c) => row[c]),
    );
    return inserted ?? row;
  },
};
