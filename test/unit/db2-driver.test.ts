/**
 * The Db2 driver adapter against a fake ibm_db (no Db2 server, and no IBM CLI driver, here): the
 * URL's connection string, connection and load failures as messages that name their fix and never
 * the password, other Db2 platforms refused, transactions through ibm_db's begin/commit/rollback;
 * and the scratch schema made and dropped through a connection.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectDb2, connectWith, db2ConnectionString, serverVersionDb2, type IbmDb, type IbmDbDatabase } from '../../dialects/db2/driver.js';
import { parseDb2Version } from '../../dialects/db2/capabilities.js';
import { createScratchDb2 } from '../../dialects/db2/scratch.js';
import { parseConnectionUrl } from '../../src/connection-url.js';
import type { Connection } from '../../src/dialect.js';
import { DbtideError } from '../../src/errors.js';

const LUW = { name: 'DB2/LINUXX8664', version: '11.05.0900' };

interface FakeDb extends IbmDbDatabase {
  calls: string[];
  closed: boolean;
}

function fakeDatabase(server = LUW, rows: (sql: string) => unknown = () => []): FakeDb {
  const db: FakeDb = {
    calls: [],
    closed: false,
    async query(sql, params) {
      db.calls.push(params === undefined ? sql : `${sql} ${JSON.stringify(params)}`);
      return rows(sql);
    },
    beginTransaction: async () => db.calls.push('begin'),
    commitTransaction: async () => db.calls.push('commit'),
    rollbackTransaction: async () => db.calls.push('rollback'),
    getInfo: async (type) => (type === 17 ? server.name : server.version),
    async close() {
      db.closed = true;
    },
  };
  return db;
}

/** A fake ibm_db module: records the connection strings it was given. */
function fakeIbmDb(open: (connectionString: string) => Promise<IbmDbDatabase>): IbmDb & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    open: (connectionString) => {
      opened.push(connectionString);
      return open(connectionString);
    },
  };
}

const connectionString = (url: string) => db2ConnectionString(parseConnectionUrl(url));

/** What connecting fails with, as a DbtideError. */
async function failure(attempt: Promise<unknown>): Promise<DbtideError> {
  const error = await attempt.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DbtideError);
  return error as DbtideError;
}

const shown = (error: DbtideError) => `${error.message}\n${error.hint ?? ''}`;

describe('the URL as a CLI connection string', () => {
  it('names the database, host, port, protocol, user and password, then the current schema', () => {
    expect(connectionString('db2://app:secret@db.example:50001/SAMPLE?currentSchema=BILLING')).toBe(
      'DATABASE=SAMPLE;HOSTNAME=db.example;PORT=50001;PROTOCOL=TCPIP;UID=app;PWD=secret;CURRENTSCHEMA=BILLING;CONNECTTIMEOUT=5;',
    );
  });

  it('takes the default port and passes other parameters through as keywords', () => {
    expect(connectionString('db2://app:secret@db.example/SAMPLE?Security=SSL&connectTimeout=20')).toBe(
      'DATABASE=SAMPLE;HOSTNAME=db.example;PORT=50000;PROTOCOL=TCPIP;UID=app;PWD=secret;Security=SSL;CONNECTTIMEOUT=20;',
    );
  });

  it('gives the driver a password with @, :, #, %, !, braces and quotes as typed, or decoded when percent-encoded', () => {
    expect(connectionString("db2://app:p@ss:w#r%d!{x}'\"@db.example:50000/SAMPLE")).toContain(`PWD=p@ss:w#r%d!{x}'";`);
    expect(connectionString('db2://app:p%40ss%3Ax%25@db.example/SAMPLE')).toContain('PWD=p@ss:x%;');
  });

  it('refuses a ";" in the password, which the CLI cannot take, without showing the password', () => {
    const error = (() => {
      try {
        connectionString('db2://app:top;secret@db.example/SAMPLE');
      } catch (e) {
        return e as DbtideError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(DbtideError);
    expect(shown(error)).toContain('";"');
    expect(shown(error)).toContain('change the password');
    expect(shown(error)).not.toContain('top;secret');
    expect(shown(error)).not.toContain('secret');
  });

  it('refuses a URL without a database, and a keyword the URL itself sets', () => {
    expect(() => connectionString('db2://app:pw@db.example:50000')).toThrow(/names no database/);
    expect(() => connectionString('db2://app:pw@db.example/SAMPLE?PWD=other')).toThrow(/gives PWD as a parameter/);
  });
});

describe('connecting', () => {
  const url = 'db2://app:Sup3r$ecret@db.example:50000/SAMPLE';

  it('opens with the connection string and accepts Db2 LUW', async () => {
    const db = fakeDatabase();
    const driver = fakeIbmDb(async () => db);
    const conn = await connectWith(driver, url);
    expect(driver.opened).toEqual([connectionString(url)]);
    await conn.close();
    expect(db.closed).toBe(true);
  });

  it.each([
    ['Db2 for z/OS', { name: 'DB2', version: '12.01.0005' }],
    ['Db2 for z/OS', { name: '', version: 'DSN12015' }],
    ['Db2 for IBM i', { name: 'AS', version: '07.04.0000' }],
    ['Db2 for IBM i', { name: '', version: 'QSQ07040' }],
  ])('refuses %s, whose rules differ, and closes the session', async (platform, server) => {
    const db = fakeDatabase(server);
    const error = await failure(connectWith(fakeIbmDb(async () => db), url));
    expect(error.message).toContain(platform);
    expect(error.message).toContain('not Db2 for Linux, UNIX and Windows');
    expect(error.hint).toMatch(/differ/);
    expect(db.closed).toBe(true);
  });

  it('says a refused connection is refused, and keeps the password out', async () => {
    const refused = Object.assign(
      new Error(
        '[IBM][CLI Driver] SQL30081N  A communication error has been detected. Communication protocol being used: "TCP/IP".  Communication API being used: "SOCKETS".  Location where the error was detected: "10.0.0.5".  Communication function detecting the error: "connect".  Protocol specific error code(s): "111", "*", "*".  SQLSTATE=08001\n',
      ),
      { error: '[ibm_db] SQL_ERROR', sqlcode: -30081, sqlstate: '08001' },
    );
    const error = await failure(connectWith(fakeIbmDb(() => Promise.reject(refused)), url));
    expect(error.message).toContain('connection refused: nothing listens on db.example:50000');
    expect(shown(error)).not.toContain('Sup3r$ecret');
  });

  it('says the password or user was refused, and keeps the password out of every line', async () => {
    // ibm_db rejects some calls with a plain object rather than an Error.
    const denied = {
      message: '[IBM][CLI Driver] SQL30082N  Security processing failed with reason "24" ("USERNAME AND/OR PASSWORD INVALID").  SQLSTATE=08001\n',
      sqlcode: -30082,
      sqlstate: '08001',
    };
    const error = await failure(connectWith(fakeIbmDb(() => Promise.reject(denied)), url));
    expect(error.message).toContain('SQL30082N');
    expect(error.hint).toContain('the server refused user "app"');
    expect(shown(error)).not.toContain('Sup3r$ecret');
    expect(JSON.stringify(error)).not.toContain('Sup3r$ecret');
  });

  it('says an unknown database is unknown, with what creates it', async () => {
    const unknown = Object.assign(new Error('[IBM][CLI Driver] SQL30061N  The database alias or database name "SAMPLE" was not found at the remote node.  SQLSTATE=08004\n'), { sqlcode: -30061, sqlstate: '08004' });
    const error = await failure(connectWith(fakeIbmDb(() => Promise.reject(unknown)), url));
    expect(error.hint).toContain('db2 CREATE DATABASE "SAMPLE"');
  });
});

describe('loading ibm_db', () => {
  const url = 'db2://app:Sup3r$ecret@db.example:50000/SAMPLE';
  const loading = (error: Error) => failure(connectDb2(url, { load: () => Promise.reject(error) }));

  // The shapes ibm_db 4.0.1 shows where IBM's CLI driver could not be downloaded (its install script fails, npm still exits 0).
  const notInstalled = Object.assign(new Error("Cannot find package 'ibm_db' imported from /app/dialects/db2/driver.ts"), { code: 'ERR_MODULE_NOT_FOUND' });
  const notBuilt = new Error(
    'Could not locate the bindings file. Tried:\n → /app/node_modules/ibm_db/build/odbc_bindings.node\n → /app/node_modules/ibm_db/build/Release/odbc_bindings.node',
  );
  const noLibrary = Object.assign(new Error('libdb2.so.1: cannot open shared object file: No such file or directory'), { code: 'ERR_DLOPEN_FAILED' });

  it('not installed: npm install ibm_db', async () => {
    const error = await loading(notInstalled);
    expect(error.message).toBe('the Db2 dialect needs the ibm_db package, which is not installed');
    expect(error.hint).toMatch(/^npm install ibm_db\b/);
  });

  it('installed without its addon: IBM_DB_HOME=<clidriver> npm rebuild ibm_db, or IBM_DB_INSTALLER_URL', async () => {
    const error = await loading(notBuilt);
    expect(error.message).toContain('native addon was never built');
    expect(error.hint).toContain('IBM_DB_HOME=<clidriver directory> npm rebuild ibm_db');
    expect(error.hint).toContain('IBM_DB_INSTALLER_URL');
  });

  it("built, but IBM's library not found: LD_LIBRARY_PATH", async () => {
    const error = await loading(noLibrary);
    expect(error.message).toContain('libdb2.so.1');
    expect(error.hint).toContain('LD_LIBRARY_PATH=$IBM_DB_HOME/lib');
    expect(error.hint).toContain('DYLD_LIBRARY_PATH');
  });

  it('a package ibm_db needs gone missing is a broken install, not a missing ibm_db', async () => {
    const brokenInstall = Object.assign(new Error("Cannot find module 'bindings'\nRequire stack:\n- /app/node_modules/ibm_db/lib/odbc.js"), { code: 'MODULE_NOT_FOUND' });
    const error = await loading(brokenInstall);
    expect(error.message).toContain("ibm_db could not be loaded: Cannot find module 'bindings'");
    expect(error.hint).toBe('reinstall it: npm install ibm_db');
  });

  it('each failure says something different, and none shows the password', async () => {
    const errors = await Promise.all([notInstalled, notBuilt, noLibrary].map(loading));
    expect(new Set(errors.map((e) => e.message)).size).toBe(3);
    expect(new Set(errors.map((e) => e.hint)).size).toBe(3);
    for (const error of errors) expect(shown(error)).not.toContain('Sup3r$ecret');
  });
});

describe('importing the driver', () => {
  afterEach(() => {
    vi.doUnmock('ibm_db');
    vi.resetModules();
  });

  it('loads ibm_db only when a URL connects', async () => {
    let loaded = 0;
    vi.doMock('ibm_db', () => {
      loaded++;
      return { default: { open: async () => fakeDatabase() } };
    });
    vi.resetModules();
    const driver = await import('../../dialects/db2/driver.js');
    expect(loaded).toBe(0);
    const conn = await driver.connectDb2('db2://app:pw@db.example:50000/SAMPLE');
    expect(loaded).toBe(1);
    await conn.close();
  });
});

describe('a session', () => {
  async function session(rows?: (sql: string) => unknown): Promise<{ conn: Connection; db: FakeDb }> {
    const db = fakeDatabase(LUW, rows);
    return { conn: await connectWith(fakeIbmDb(async () => db), 'db2://app:pw@db.example/SAMPLE'), db };
  }

  it('commits a transaction whose work resolves', async () => {
    const { conn, db } = await session();
    expect(await conn.transaction(async () => (await conn.query('UPDATE T SET A = 1'), 'done'))).toBe('done');
    expect(db.calls).toEqual(['begin', 'UPDATE T SET A = 1', 'commit']);
  });

  it("rolls back a transaction whose work throws, and gives work's error", async () => {
    const { conn, db } = await session();
    const failing = conn.transaction(async () => {
      await conn.query('UPDATE T SET A = 1');
      throw new Error('work failed');
    });
    await expect(failing).rejects.toThrow('work failed');
    expect(db.calls).toEqual(['begin', 'UPDATE T SET A = 1', 'rollback']);
  });

  it('rolls back a read-only transaction even when its work resolves', async () => {
    const { conn, db } = await session();
    await conn.transaction(async () => conn.query('SELECT 1 AS "n" FROM SYSIBM.SYSDUMMY1'), { readOnly: true });
    expect(db.calls).toEqual(['begin', 'SELECT 1 AS "n" FROM SYSIBM.SYSDUMMY1', 'rollback']);
  });

  it('names result columns as declared: an upper-case (folded) name in lower case, a mixed-case one as it is', async () => {
    const { conn } = await session(() => [{ JOB_ID: 'a', ROWS_DONE: 3, MixedCase: 1, N: 2 }]);
    expect(await conn.query('SELECT job_id, rows_done, "MixedCase", COUNT(*) AS n FROM T')).toEqual([{ job_id: 'a', rows_done: 3, MixedCase: 1, n: 2 }]);
  });

  it('binds a Date as UTC timestamp text, and answers a statement without rows with none', async () => {
    const { conn, db } = await session(() => undefined);
    expect(await conn.query('INSERT INTO T (AT, N) VALUES (?, ?)', [new Date('2026-12-04T11:30:00.123Z'), 7n])).toEqual([]);
    expect(db.calls).toEqual(['INSERT INTO T (AT, N) VALUES (?, ?) ["2026-12-04 11:30:00.123","7"]']);
  });

  it("keeps ibm_db's sqlcode on a failed query, made an Error", async () => {
    const db = fakeDatabase();
    db.query = () => Promise.reject({ message: 'Connection not open.', sqlstate: '08001', sqlcode: -30081 });
    const conn = await connectWith(fakeIbmDb(async () => db), 'db2://app:pw@db.example/SAMPLE');
    const error = await conn.query('SELECT 1 FROM SYSIBM.SYSDUMMY1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ message: 'Connection not open.', sqlcode: -30081, sqlstate: '08001' });
  });

  it("reads the server's release as capabilities parse it", async () => {
    const { conn } = await session((sql) => (sql.includes('ENV_INST_INFO') ? [{ service_level: 'DB2 v11.5.9.0' }] : []));
    const version = await serverVersionDb2(conn);
    expect(version).toBe('DB2 v11.5.9.0');
    expect(parseDb2Version(version)).toEqual([11, 5, 9, 0]);
  });
});

describe('a scratch schema', () => {
  function server(dropLeftErrors = false) {
    const log: string[] = [];
    let created = '';
    const connect = async (url: string): Promise<Connection> => {
      log.push(`connect ${url}`);
      return {
        async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
          log.push(params ? `${sql} ${JSON.stringify(params)}` : sql);
          created ||= /^CREATE SCHEMA "(.+)"$/.exec(sql)?.[1] ?? '';
          if (sql.includes('SYSCAT.SCHEMATA')) return [{ name: created }, { name: `${created}_002_JUNO` }, { name: 'NOVA' }] as T[];
          if (sql.includes('SESSION_USER')) return [{ name: 'APP' }] as T[];
          if (sql.startsWith('CALL')) return (dropLeftErrors ? ['APP', `${String(params?.[0])}_DROP_ERRORS`] : [null, null]) as T[];
          return [];
        },
        transaction: (work) => work(),
        close: async () => void log.push('close'),
      };
    };
    return { log, connect };
  }

  it("is a new upper-case schema in the URL's database, its URL the same with currentSchema set", async () => {
    const { log, connect } = server();
    const scratch = await createScratchDb2('db2://app:p@ss@db.example:50000/SAMPLE?currentSchema=NOVA&Security=SSL', 'verify chain', connect);
    expect(scratch.name).toMatch(/^DBTIDE_VERIFY_CHAIN_[0-9A-F]{6}$/);
    expect(scratch.url).toBe(`db2://app:p@ss@db.example:50000/SAMPLE?Security=SSL&currentSchema=${scratch.name}`);
    expect(log).toEqual(['connect db2://app:p@ss@db.example:50000/SAMPLE?currentSchema=NOVA&Security=SSL', `CREATE SCHEMA "${scratch.name}"`, 'close']);
  });

  it('drops its version schemas, then itself, through ADMIN_DROP_SCHEMA; twice is harmless', async () => {
    const { log, connect } = server();
    const scratch = await createScratchDb2('db2://app:pw@db.example/SAMPLE', 'probe', connect);
    log.length = 0;
    await scratch.drop();
    await scratch.drop();
    const calls = log.filter((l) => l.startsWith('CALL'));
    const inout = (value: string) => ({ ParamType: 'INOUT', DataType: 'CHAR', Data: value, Length: 128 });
    expect(calls).toEqual([
      `CALL SYSPROC.ADMIN_DROP_SCHEMA(?, NULL, ?, ?) ${JSON.stringify([`${scratch.name}_002_JUNO`, inout('APP'), inout(`${scratch.name}_002_JUNO_DROP_ERRORS`)])}`,
      `CALL SYSPROC.ADMIN_DROP_SCHEMA(?, NULL, ?, ?) ${JSON.stringify([scratch.name, inout('APP'), inout(`${scratch.name}_DROP_ERRORS`)])}`,
    ]);
    expect(log.filter((l) => l.startsWith('connect'))).toHaveLength(1);
  });

  it('says where the objects it could not drop are listed', async () => {
    const { connect } = server(true);
    const scratch = await createScratchDb2('db2://app:pw@db.example/SAMPLE', 'probe', connect);
    await expect(scratch.drop()).rejects.toThrow(/could not drop every object of schema DBTIDE_PROBE_\w+_002_JUNO: see table "APP"\."DBTIDE_PROBE_\w+_002_JUNO_DROP_ERRORS"/);
  });
});
