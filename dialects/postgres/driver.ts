/**
 * Connections for the PostgreSQL dialect: a server through node-postgres, or the embedded
 * database through PGlite. Both speak the same SQL and report errors with the same SQLSTATE
 * `code`, so everything above this file treats them alike.
 */
import { PGlite, types } from '@electric-sql/pglite';
import { cachedTemplate, forgetTemplate, isNewDataDir, keepAsTemplate } from './pglite-template.js';
import pg from 'pg';
import { codeOf, connectFailure, type ConnectAttempt, type ConnectProblem } from '../../src/dialect-kit/connect-failure.js';
import { parseConnectionUrl } from '../../src/connection-url.js';
import type { Connection } from '../../src/dialect.js';
import { runTransaction, type TransactionControl } from '../../src/dialect-kit/transaction.js';
import { guardSecretsOf, redactUrl } from '../../src/redact.js';
import { isPgliteUrl, PGLITE_SCHEME } from './accepts.js';
import { clientConfig, DEFAULT_PORT } from './client-config.js';
import { usableDirectory } from './pglite-directory.js';
import { lockDirectory } from './pglite-lock.js';

const PGLITE_IN_MEMORY = 'pglite:memory';

/** Opens a session on a PostgreSQL server (`postgres://` or `postgresql://` URL). */
export async function connectPostgres(url: string): Promise<Connection> {
  guardSecretsOf(url);
  const config = clientConfig(parseConnectionUrl(url));
  const client = new pg.Client(config);
  // A terminated backend is reported as 'error' events, which would crash the process if nobody
  // listened. The first one carries the SQLSTATE (57P01 for pg_terminate_backend); the next
  // query fails with it instead of the driver's generic "not queryable".
  let lostWith: unknown = null;
  client.on('error', (error) => {
    lostWith ??= error;
  });
  try {
    await client.connect();
  } catch (error) {
    throw connectFailure(attemptOf(url, client), problemOf(error), error);
  }
  const session = client;
  let closed = false;
  return withTransactions({
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      if (lostWith !== null) throw lostWith;
      const result: unknown = await session.query(sql, params);
      return lastRows<T>(result);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await session.end();
    },
  });
}

/**
 * Opens the embedded database: `pglite:memory`, or `pglite:<dir>` for a data directory
 * (relative to the working directory, created when missing). PGlite itself would let two
 * processes open one directory and silently diverge, so a directory is locked while open;
 * `lockWaitMs` (default 0: try once) bounds the wait for another process to let go.
 */
export async function connectPglite(url: string, options?: { lockWaitMs?: number }): Promise<Connection> {
  const dataDir = await pgliteDataDir(url);
  const lock = dataDir === undefined ? null : await lockDirectory(dataDir, options?.lockWaitMs ?? 0);
  let db: PGlite;
  try {
    db = await openPglite(dataDir);
  } catch (error) {
    lock?.release();
    throw error;
  }
  let closed = false;
  return withTransactions({
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      // Mirrors node-postgres: without parameters the simple protocol runs, which accepts
      // several statements in one implicit transaction; with parameters, one prepared statement.
      const result: unknown = params?.length ? await db.query(sql, params) : await db.exec(sql);
      return lastRows<T>(result);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        lock?.release();
      }
    },
  });
}

/** A new database starts from the template of a fresh cluster where there is one, and leaves one where there is not. */
async function openPglite(dataDir: string | undefined): Promise<PGlite> {
  const options = { ...(dataDir === undefined ? {} : { dataDir }), parsers: SAME_VALUES_AS_PG };
  if (!isNewDataDir(dataDir)) return PGlite.create(options);
  const template = cachedTemplate();
  if (template === undefined) {
    const db = await PGlite.create(options);
    await keepAsTemplate(db);
    return db;
  }
  try {
    return await PGlite.create({ ...options, loadDataDir: template });
  } catch {
    // A template that does not load (a damaged file) is dropped, and initdb makes this one.
    forgetTemplate(dataDir);
    return PGlite.create(options);
  }
}

/**
 * Transactions by SQL on the session's own `query`, for node-postgres and PGlite alike: PGlite's
 * transaction API would make `work` query through its handle, and the session's `query` would
 * wait for the transaction to end.
 */
function withTransactions(session: Omit<Connection, 'transaction'>): Connection {
  const control: TransactionControl = {
    begin: (readOnly) => session.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN'),
    commit: () => session.query('COMMIT'),
    rollback: () => session.query('ROLLBACK'),
    // A transaction may turn read-only after statements ran (never back).
    async turnReadOnlyAfter(setup) {
      for (const sql of setup) await session.query(sql);
      await session.query('SET TRANSACTION READ ONLY');
    },
  };
  return { ...session, transaction: (work, options) => runTransaction(control, work, options) };
}

/**
 * PGlite returns int8 as a number, or a bigint when it does not fit; node-postgres returns a
 * string. Per-instance parsers make PGlite answer like the server, so callers see one shape.
 */
const SAME_VALUES_AS_PG = { [types.INT8]: (value: string): string => value };

async function pgliteDataDir(url: string): Promise<string | undefined> {
  if (!isPgliteUrl(url)) throw new Error(`not a PGlite URL: ${redactUrl(url)} (expected ${PGLITE_IN_MEMORY} or pglite:<directory>)`);
  if (url === PGLITE_IN_MEMORY) return undefined;
  const location = url.slice(PGLITE_SCHEME.length);
  if (location === '') throw new Error(`PGlite URL without a directory: ${url} (expected ${PGLITE_IN_MEMORY} or pglite:<directory>)`);
  return usableDirectory(location);
}

/**
 * Both drivers answer a multi-statement string with one result per statement: the last one's
 * rows; for a write that answers none (no RETURNING), how many rows it wrote (Connection.query).
 * node-postgres names the command; PGlite counts rows for writes only.
 */
function lastRows<T>(result: unknown): T[] {
  const last: unknown = Array.isArray(result) ? result.at(-1) : result;
  if (typeof last !== 'object' || last === null || !('rows' in last) || !Array.isArray(last.rows)) return [];
  const answersRows = 'fields' in last && Array.isArray(last.fields) && last.fields.length > 0;
  if (!answersRows) {
    if ('command' in last && typeof last.command === 'string' && WRITES.has(last.command) && 'rowCount' in last) return [{ n: Number(last.rowCount ?? 0) } as T];
    if (!('command' in last) && 'affectedRows' in last && Number(last.affectedRows) > 0) return [{ n: Number(last.affectedRows) } as T];
  }
  return last.rows as T[];
}

const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** The server as node-postgres resolved it (URL, then PG* environment and its defaults), never the password. */
function attemptOf(url: string, client: pg.Client): ConnectAttempt {
  const host = client.host;
  const database = client.database ?? undefined;
  return {
    product: 'PostgreSQL',
    url,
    host,
    port: client.port || DEFAULT_PORT,
    user: client.user ?? '',
    database,
    createDatabase: `createdb -h ${shellWord(host)} -p ${client.port} -U ${shellWord(client.user ?? '')} ${database === undefined ? '<name>' : shellWord(database)}`,
  };
}

const shellWord = (word: string) => (/^[\w./:@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** SQLSTATE 3D000: invalid_catalog_name; 28P01 / 28000: a wrong password, or a role that does not exist or may not connect. */
function problemOf(error: unknown): ConnectProblem {
  const code = codeOf(error);
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === '3D000') return 'unknown-database';
  if (code === '28P01' || code === '28000') return 'access-denied';
  const message = error instanceof Error ? error.message : '';
  if (code === 'ETIMEDOUT' || /timeout expired|connection timeout/i.test(message)) return 'no-answer';
  // node-postgres's words for bytes that are not its protocol, or a peer that hung up mid-startup.
  if (code === undefined && /unexpected|terminated/i.test(message)) return 'wrong-answer';
  return 'other';
}
