/**
 * Connections for the MySQL dialect (MySQL 8 and MariaDB) through mysql2. Values come back the
 * way node-postgres returns them: 64-bit integers, decimals, dates and times as strings, so the
 * core sees one shape whichever server it talks to.
 */
import mysql from 'mysql2/promise';
import type { Connection } from '../../src/dialect.js';
import { redactText } from '../../src/redact.js';

const CONNECT_TIMEOUT_MS = 10_000;

export const isMysqlUrl = (url: string) => /^(mysql|mariadb):\/\//i.test(url);

/** The database a URL names (its path), or null for none. */
export function databaseOf(url: string): string | null {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name === '' ? null : name;
}

/**
 * Opens one session. A statement without a result set (DDL, INSERT, UPDATE, DELETE) answers one
 * row `{ n }` holding the rows it matched: the dialect's row-changing statements report their
 * counts this way, where PostgreSQL's count them in SQL.
 */
export async function connectMysql(url: string): Promise<Connection> {
  const target = new URL(url.replace(/^mariadb:/i, 'mysql:'));
  let session: mysql.Connection;
  try {
    session = await mysql.createConnection({
      host: target.hostname,
      port: target.port ? Number(target.port) : 3306,
      user: decodeURIComponent(target.username),
      password: decodeURIComponent(target.password),
      database: databaseOf(url) ?? undefined,
      connectTimeout: CONNECT_TIMEOUT_MS,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      // UPDATE reports the rows it matched, not only those it changed (a backfill counts them).
      flags: ['FOUND_ROWS'],
      timezone: 'Z',
    });
  } catch (error) {
    throw connectFailure(describeServer(target), error);
  }
  // A killed session reports an 'error' event; without a listener it would crash the process.
  session.on('error', () => {});
  let closed = false;
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      const [result] = params?.length ? await session.query(sql, params) : await session.query(sql);
      if (Array.isArray(result)) return result as T[];
      return [{ n: (result as { affectedRows?: number }).affectedRows ?? 0 } as T];
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await session.end().catch(() => session.destroy());
    },
  };
}

function describeServer(target: URL): string {
  return `MySQL at ${target.hostname}:${target.port || 3306}, database "${decodeURIComponent(target.pathname.slice(1))}"`;
}

function connectFailure(server: string, error: unknown): Error {
  const reason = redactText(error instanceof Error ? error.message || String((error as { code?: unknown }).code ?? error.name) : String(error));
  const failure = new Error(`could not connect to ${server}: ${reason}`);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? Object.assign(failure, { code }) : failure;
}
