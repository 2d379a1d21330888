/**
 * Connections for the PostgreSQL dialect: a server through node-postgres, or the embedded
 * database through PGlite. Both speak the same SQL and report errors with the same SQLSTATE
 * `code`, so everything above this file treats them alike.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import pg from 'pg';
import type { Connection } from '../../src/dialect.js';
import { redactText, redactUrl } from '../../src/redact.js';
import { lockDirectory } from './pglite-lock.js';

const PGLITE_SCHEME = 'pglite:';
const PGLITE_IN_MEMORY = 'pglite:memory';

/** Without a cap, a host that drops packets keeps `connect` waiting for the OS TCP timeout (minutes). */
const CONNECT_TIMEOUT_MS = 10_000;

export function isPgliteUrl(url: string): boolean {
  return url.startsWith(PGLITE_SCHEME);
}

/** Opens a session on a PostgreSQL server (`postgres://` or `postgresql://` URL). */
export async function connectPostgres(url: string): Promise<Connection> {
  let client: pg.Client | undefined;
  // A terminated backend is reported as 'error' events, which would crash the process if nobody
  // listened. The first one carries the SQLSTATE (57P01 for pg_terminate_backend); the next
  // query fails with it instead of the driver's generic "not queryable".
  let lostWith: unknown = null;
  try {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on('error', (error) => {
      lostWith ??= error;
    });
    await client.connect();
  } catch (error) {
    throw connectFailure(describeServer(url, client), error);
  }
  const session = client;
  let closed = false;
  return {
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
  };
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
    db = await PGlite.create({ dataDir, parsers: SAME_VALUES_AS_PG });
  } catch (error) {
    lock?.release();
    throw error;
  }
  let closed = false;
  return {
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
  };
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
  const dir = resolve(process.cwd(), location);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Both drivers answer a multi-statement string with one result per statement; callers want the last. */
function lastRows<T>(result: unknown): T[] {
  const last: unknown = Array.isArray(result) ? result.at(-1) : result;
  if (typeof last === 'object' && last !== null && 'rows' in last && Array.isArray(last.rows)) return last.rows as T[];
  return [];
}

/** Names the server from what the driver resolved (URL plus PG* environment), never the password. */
function describeServer(url: string, client: pg.Client | undefined): string {
  if (client === undefined) return redactUrl(url);
  return `PostgreSQL at ${client.host}:${client.port}, database "${client.database ?? ''}"`;
}

/** The driver's reason, password-free, keeping its `code` (SQLSTATE or errno name) for callers. */
function connectFailure(server: string, error: unknown): Error {
  const reason = redactText(reasonOf(error));
  const failure = new Error(`could not connect to ${server}: ${reason}`);
  const code = codeOf(error);
  return code === undefined ? failure : Object.assign(failure, { code });
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node reports a refused connection to a name with several addresses as an AggregateError
  // with an empty message; its parts carry the reasons.
  if (error.message === '' && error instanceof AggregateError) return error.errors.map(reasonOf).join('; ');
  return error.message || codeOf(error) || error.name;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
