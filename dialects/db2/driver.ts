/**
 * Connections for the Db2 dialect (Db2 LUW 11.1 and later) through IBM's ibm_db, an optional peer
 * dependency: it is imported when a db2:// URL connects, never when this file loads, and typed
 * here by the little dbtide uses of it, so a unit test can hand `connectWith` a fake.
 *
 * Result columns are named as declared: Db2 folds an unquoted name to upper case (`SELECT job_id`
 * answers JOB_ID), and the core reads `row.job_id`, so an all-upper-case column name comes back in
 * lower case (`declaredName`, the inverse of the folding the compiler relies on). The dialect's own
 * catalog queries alias their columns in lower case all the same, which reads the same either way.
 */
import { codeOf, connectFailure, type ConnectAttempt, type ConnectProblem } from '../../src/dialect-kit/connect-failure.js';
import { runTransaction, type TransactionControl } from '../../src/dialect-kit/transaction.js';
import { parseConnectionUrl, redactParsed, type ConnectionUrl } from '../../src/connection-url.js';
import type { Connection } from '../../src/dialect.js';
import { DbtideError } from '../../src/errors.js';
import { guardSecretsOf } from '../../src/redact.js';
import { declaredName, quote } from './names.js';

/** What dbtide uses of an ibm_db 4.x connection (its `Database`, promise forms). */
export interface IbmDbDatabase {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  beginTransaction(): Promise<unknown>;
  commitTransaction(): Promise<unknown>;
  rollbackTransaction(): Promise<unknown>;
  getInfo(infoType: number, infoLength?: number): Promise<string | number | null>;
  close(): Promise<unknown>;
}

/** What dbtide uses of the ibm_db module. */
export interface IbmDb {
  open(connectionString: string): Promise<IbmDbDatabase>;
}

export type LoadIbmDb = () => Promise<IbmDb>;

/** SQLGetInfo types (ibm_db's climacros.js). */
const SQL_DBMS_NAME = 17;
const SQL_DBMS_VER = 18;

const DEFAULT_PORT = 50000;

/** Seconds the CLI waits for the server to accept the connection; it would otherwise wait for the OS's TCP timeout. */
const CONNECT_TIMEOUT_S = 5;

/** Keywords the URL's own parts set: given again as a parameter, one of the two would be ignored. */
const FROM_URL = ['DATABASE', 'HOSTNAME', 'PORT', 'PROTOCOL', 'UID', 'PWD'];

/** URL parameters spelled as dbtide documents them, and the CLI keyword each becomes; any other passes through as written. */
const KEYWORDS: Record<string, string> = { currentschema: 'CURRENTSCHEMA', connecttimeout: 'CONNECTTIMEOUT' };

const loadIbmDb: LoadIbmDb = async () => {
  // A specifier in a variable: TypeScript does not look for the package, which is an optional peer.
  const specifier = 'ibm_db';
  const module = (await import(specifier)) as { default?: IbmDb } & IbmDb;
  return module.default ?? module;
};

/** Opens one session on the Db2 LUW server `url` names; `load` stands in for importing ibm_db (tests). */
export async function connectDb2(url: string, options: { load?: LoadIbmDb } = {}): Promise<Connection> {
  guardSecretsOf(url);
  const parsed = parseConnectionUrl(url);
  const connectionString = db2ConnectionString(parsed);
  return connectWith(await loadDriver(options.load ?? loadIbmDb), url, connectionString);
}

/** Imports ibm_db, telling apart the three ways it fails where IBM's CLI driver could not be installed. */
async function loadDriver(load: LoadIbmDb): Promise<IbmDb> {
  try {
    return await load();
  } catch (error) {
    throw loadFailure(error);
  }
}

function loadFailure(error: unknown): DbtideError {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  // Only ibm_db itself: a package it needs gone missing is a broken install, not a missing one.
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /Cannot find (?:package|module) 'ibm_db'/.test(message)) {
    return new DbtideError('the Db2 dialect needs the ibm_db package, which is not installed', 1, 'npm install ibm_db (IBM\'s driver; its install script downloads IBM\'s CLI driver, so the machine needs to reach IBM\'s download site)');
  }
  // The `bindings` package's words: the addon was never built, because the install script could not fetch the CLI driver.
  if (/Could not locate the bindings file/.test(message)) {
    return new DbtideError(
      'ibm_db is installed, but its native addon was never built: its install script could not download IBM\'s CLI driver (clidriver)',
      1,
      'download the IBM Data Server Driver (clidriver) and run IBM_DB_HOME=<clidriver directory> npm rebuild ibm_db, or set IBM_DB_INSTALLER_URL to where a copy of the driver archive can be fetched and run npm rebuild ibm_db',
    );
  }
  if (code === 'ERR_DLOPEN_FAILED' && /libdb2/.test(message)) {
    return new DbtideError(
      `ibm_db's addon cannot load IBM's CLI library: ${message}`,
      1,
      'set LD_LIBRARY_PATH=$IBM_DB_HOME/lib (macOS: DYLD_LIBRARY_PATH), IBM_DB_HOME being the clidriver directory, before starting dbtide',
    );
  }
  return new DbtideError(`ibm_db could not be loaded: ${message}`, 1, 'reinstall it: npm install ibm_db');
}

/**
 * The CLI connection string for a `db2://user:password@host:50000/DATABASE?currentSchema=S` URL.
 * IBM's CLI reads `;` as the end of a value and documents no way to escape it ("The ; character
 * is not supported for use in passwords", Password rules for drivers and CLPPlus), so a value
 * holding one is refused rather than sent cut short.
 */
export function db2ConnectionString(url: ConnectionUrl): string {
  if (url.database === undefined) {
    throw new DbtideError(`the database URL ${redactParsed(url)} names no database`, 1, 'name it in the path: db2://user:password@host:50000/<database>');
  }
  const pairs: [string, string][] = [
    ['DATABASE', url.database],
    ['HOSTNAME', url.host || 'localhost'],
    ['PORT', String(url.port ?? DEFAULT_PORT)],
    ['PROTOCOL', 'TCPIP'],
    ['UID', url.user],
    ['PWD', url.password ?? ''],
  ];
  const params = url.params.map(([name, value]): [string, string] => [KEYWORDS[name.toLowerCase()] ?? name, value]);
  for (const [keyword] of params) {
    if (FROM_URL.includes(keyword.toUpperCase())) {
      throw new DbtideError(`the database URL ${redactParsed(url)} gives ${keyword} as a parameter`, 1, 'write it where the URL says it: db2://user:password@host:port/database');
    }
  }
  if (!params.some(([keyword]) => keyword.toUpperCase() === 'CONNECTTIMEOUT')) params.push(['CONNECTTIMEOUT', String(CONNECT_TIMEOUT_S)]);
  for (const [keyword, value] of [...pairs, ...params]) {
    if (value.includes(';')) {
      const what = keyword === 'PWD' ? 'the password' : keyword;
      throw new DbtideError(
        `the database URL ${redactParsed(url)}: ${what} holds a ";", which IBM's CLI driver reads as the end of the value`,
        1,
        keyword === 'PWD' ? 'Db2 clients do not support ";" in passwords: change the password' : `remove the ";" from ${keyword}`,
      );
    }
  }
  return [...pairs, ...params].map(([keyword, value]) => `${keyword}=${value};`).join('');
}

/** Opens a session through `driver` (ibm_db or a test's fake) with the connection string of `url`. */
export async function connectWith(driver: IbmDb, url: string, connectionString = db2ConnectionString(parseConnectionUrl(url))): Promise<Connection> {
  const attempt = attemptOf(url);
  let db: IbmDbDatabase;
  try {
    db = await driver.open(connectionString);
  } catch (error) {
    throw connectFailure(attempt, problemOf(error), asError(error));
  }
  try {
    await refuseOtherPlatforms(db, attempt);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return session(db);
}

function session(db: IbmDbDatabase): Connection {
  let closed = false;
  // ibm_db turns autocommit off at begin and back on when the transaction ends.
  const control: TransactionControl = {
    // Db2 has no read-only transaction: one asked for is rolled back at its end, which undoes its writes rather than refusing them.
    begin: () => db.beginTransaction().catch(rethrow),
    commit: () => db.commitTransaction().catch(rethrow),
    rollback: () => db.rollbackTransaction().catch(rethrow),
  };
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      const result = await (params?.length ? db.query(sql, params.map(bindable)) : db.query(sql)).catch(rethrow);
      // A statement without a result set answers an empty array; one with several, an array per set: dbtide sends neither kind.
      return (Array.isArray(result) ? result.map(declaredColumns) : []) as T[];
    },
    transaction: (work, options) => runTransaction(control, work, options),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await db.close().catch(rethrow);
    },
  };
}

const declaredColumns = (row: unknown) =>
  typeof row === 'object' && row !== null ? Object.fromEntries(Object.entries(row).map(([k, v]) => [declaredName(k), v])) : row;

/**
 * ibm_db binds strings, numbers, booleans, Buffers and null; anything else would reach the server
 * unbound. A Date is sent as UTC in the ISO form Db2 reads as a TIMESTAMP (`2024-05-01
 * 12:00:00.123`); the ledger writes its times in UTC, as on MySQL.
 */
function bindable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
  if (typeof value === 'bigint') return value.toString();
  return value === undefined ? null : value;
}

/** ibm_db rejects some calls (on a closed connection) with a plain object: made an Error that keeps `sqlcode` and `sqlstate`. */
function asError(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error;
  const { message, ...rest } = error as { message?: unknown };
  return Object.assign(new Error(typeof message === 'string' ? message : String(message)), rest);
}

const rethrow = (error: unknown): never => {
  throw asError(error);
};

/**
 * Db2 for z/OS and Db2 for IBM i speak the same protocol but keep other catalogs and rules. The
 * CLI's SQL_DBMS_NAME is `DB2/<platform>` on LUW (`DB2/LINUXX8664`), `DB2` on z/OS, `AS` on IBM i
 * and `IDS/...` on Informix; a product identifier, where one is reported, starts `SQL` on LUW,
 * `DSN` on z/OS and `QSQ` on IBM i.
 */
async function refuseOtherPlatforms(db: IbmDbDatabase, attempt: ConnectAttempt): Promise<void> {
  const name = String((await db.getInfo(SQL_DBMS_NAME).catch(rethrow)) ?? '').trim();
  const version = String((await db.getInfo(SQL_DBMS_VER).catch(rethrow)) ?? '').trim();
  const platform = /^DSN/i.test(version) || name === 'DB2' ? 'Db2 for z/OS' : /^QSQ/i.test(version) || name === 'AS' ? 'Db2 for IBM i' : null;
  if (platform === null && /^DB2\//i.test(name)) return;
  const server = platform ?? `"${name}" ${version}`;
  throw new DbtideError(
    `${attempt.host}:${attempt.port} is ${server}, not Db2 for Linux, UNIX and Windows: dbtide supports Db2 LUW 11.1 and later only`,
    1,
    'the catalog, locking and ALTER TABLE rules of Db2 for z/OS and IBM i differ from Db2 LUW\'s, so dbtide cannot plan for them; point the URL at a Db2 LUW database',
  );
}

/**
 * The server's own release (`DB2 v11.5.9.0`), which capabilities.ts's `parseDb2Version` reads:
 * the CLI's SQL_DBMS_VER gives no fix pack.
 */
export async function serverVersionDb2(conn: Connection): Promise<string> {
  const [row] = await conn.query<{ service_level: string }>('SELECT SERVICE_LEVEL AS "service_level" FROM SYSIBMADM.ENV_INST_INFO');
  if (!row) throw new Error('SYSIBMADM.ENV_INST_INFO returned no row: cannot tell the Db2 release');
  return row.service_level.trim();
}

function attemptOf(url: string): ConnectAttempt {
  const parsed = parseConnectionUrl(url);
  return {
    product: 'Db2',
    url,
    host: parsed.host || 'localhost',
    port: parsed.port ?? DEFAULT_PORT,
    user: parsed.user,
    database: parsed.database,
    createDatabase: `db2 CREATE DATABASE ${parsed.database === undefined ? '<name>' : quote(parsed.database)}, as the instance owner`,
  };
}

/**
 * SQL30081N (-30081) is a communication error whose first protocol code is the socket's errno:
 * 111 / 10061 refused; 110 / 10060 timed out, 115 the connect still in progress when the CLI's
 * timeout ran out; a `recv` with no code, a peer that hung up mid-handshake (not a DRDA server).
 * SQL30061N (-30061): no such database at the server; SQL30082N (-30082): security processing
 * (user or password) failed.
 */
function problemOf(error: unknown): ConnectProblem {
  const sqlcode = (error as { sqlcode?: unknown } | null)?.sqlcode;
  const message = String((error as { message?: unknown } | null)?.message ?? error);
  if (sqlcode === -30061) return 'unknown-database';
  if (sqlcode === -30082) return 'access-denied';
  if (sqlcode === -30081) {
    const errno = /Protocol specific error code\(s\): "([^"]*)"/.exec(message)?.[1];
    if (errno === '111' || errno === '10061') return 'refused';
    if (errno === '110' || errno === '10060' || errno === '115') return 'no-answer';
    if (/function detecting the error: "recv"/.test(message)) return 'wrong-answer';
  }
  if (sqlcode === -30020) return 'wrong-answer';
  return 'other';
}
