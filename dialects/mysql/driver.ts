/**
 * Connections for the MySQL dialect (MySQL 8 and MariaDB) through mysql2. Values come back the
 * way node-postgres returns them: 64-bit integers, decimals, dates and times as strings, so the
 * core sees one shape whichever server it talks to.
 */
import mysql from 'mysql2/promise';
import { CONNECT_TIMEOUT_MS, codeOf, connectFailure, type ConnectAttempt, type ConnectProblem } from '../../src/dialect-kit/connect-failure.js';
import { knownParams, parseConnectionUrl, redactParsed, type ConnectionUrl } from '../../src/connection-url.js';
import type { Connection } from '../../src/dialect.js';
import { DbtideError } from '../../src/errors.js';
import { runTransaction, type TransactionControl } from '../../src/dialect-kit/transaction.js';
import { guardSecretsOf } from '../../src/redact.js';
import { quote } from './compiler.js';

const DEFAULT_PORT = 3306;

/** URL parameters dbtide passes to mysql2; any other is refused rather than ignored. */
const PARAMS = ['user', 'password', 'ssl'];

/** The database a URL names (its path), or null for none. */
export function databaseOf(url: string): string | null {
  return parseConnectionUrl(url).database ?? null;
}

/**
 * Opens one session. A statement without a result set (DDL, INSERT, UPDATE, DELETE) answers one
 * row `{ n }` holding the rows it matched: the dialect's row-changing statements report their
 * counts this way, where PostgreSQL's count them in SQL.
 */
export async function connectMysql(url: string): Promise<Connection> {
  guardSecretsOf(url);
  const parsed = parseConnectionUrl(url);
  const params = knownParams(parsed, PARAMS, 'MySQL');
  const attempt: ConnectAttempt = {
    product: 'MySQL',
    url,
    host: parsed.host || 'localhost',
    port: parsed.port ?? DEFAULT_PORT,
    user: params.get('user') ?? parsed.user,
    database: parsed.database,
    createDatabase: `CREATE DATABASE ${parsed.database === undefined ? '<name>' : quote(parsed.database)}`,
  };
  let session: mysql.Connection;
  try {
    session = await mysql.createConnection({
      host: attempt.host,
      port: attempt.port,
      user: attempt.user,
      password: params.get('password') ?? parsed.password ?? '',
      database: attempt.database,
      ...tlsOf(parsed, params.get('ssl')),
      connectTimeout: CONNECT_TIMEOUT_MS,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      // UPDATE reports the rows it matched, not only those it changed (a backfill counts them).
      flags: ['FOUND_ROWS'],
      timezone: 'Z',
    });
  } catch (error) {
    throw connectFailure(attempt, problemOf(error), error);
  }
  // A killed session reports an 'error' event; without a listener it would crash the process.
  session.on('error', () => {});
  let closed = false;
  const control: TransactionControl = {
    // mysql2's beginTransaction() has no read-only form.
    begin: (readOnly) => (readOnly ? session.query('START TRANSACTION READ ONLY') : session.beginTransaction()),
    commit: () => session.commit(),
    rollback: () => session.rollback(),
  };
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      const [result] = params?.length ? await session.query(sql, params) : await session.query(sql);
      if (Array.isArray(result)) return result as T[];
      return [{ n: (result as { affectedRows?: number }).affectedRows ?? 0 } as T];
    },
    transaction: (work, options) => runTransaction(control, work, options),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await session.end().catch(() => session.destroy());
    },
  };
}

/** `ssl=true` verifies the server's certificate, `no-verify` encrypts without checking it. */
function tlsOf(url: ConnectionUrl, ssl: string | undefined): { ssl?: { rejectUnauthorized: boolean } } {
  if (ssl === undefined || ssl === 'false' || ssl === '0') return {};
  if (ssl === 'true' || ssl === '1') return { ssl: { rejectUnauthorized: true } };
  if (ssl === 'no-verify') return { ssl: { rejectUnauthorized: false } };
  throw new DbtideError(`the database URL ${redactParsed(url)} has ssl=${ssl}`, 1, 'ssl is true, false or no-verify');
}

/** ER_BAD_DB_ERROR 1049; ER_ACCESS_DENIED_ERROR 1045 (user or password), ER_DBACCESS_DENIED_ERROR 1044 (the database). */
function problemOf(error: unknown): ConnectProblem {
  const errno = (error as { errno?: unknown } | null)?.errno;
  if (errno === 1049) return 'unknown-database';
  if (errno === 1045 || errno === 1044) return 'access-denied';
  const code = codeOf(error);
  if (code === 'ECONNREFUSED') return 'refused';
  // mysql2 waits for the server's greeting; a server of another kind never sends one.
  if (code === 'ETIMEDOUT') return 'no-answer';
  if (code === 'PROTOCOL_CONNECTION_LOST') return 'wrong-answer';
  return 'other';
}
