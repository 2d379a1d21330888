/**
 * Db2's runtime statements: lock waits capped in whole seconds, the errors that are lock waits,
 * and the run lock, a table lock held by an open unit of work on a second connection, against
 * fake connections that lock as Db2 does (a table lock lasts until the transaction ends).
 */
import { describe, expect, it } from 'vitest';
import { db2Runtime } from '../../dialects/db2/runtime.js';
import type { Connection, RunLockSession, TransactionOptions } from '../../src/dialect.js';
import type { TableModel } from '../../src/model/schema-model.js';

describe('lock timeouts', () => {
  it.each([
    [2000, 'SET CURRENT LOCK TIMEOUT WAIT 2'],
    [1500, 'SET CURRENT LOCK TIMEOUT WAIT 2'],
    [1001, 'SET CURRENT LOCK TIMEOUT WAIT 2'],
    [1000, 'SET CURRENT LOCK TIMEOUT WAIT 1'],
    [1, 'SET CURRENT LOCK TIMEOUT WAIT 1'],
    [0, 'SET CURRENT LOCK TIMEOUT WAIT 1'],
    [100_000_000, 'SET CURRENT LOCK TIMEOUT WAIT 32767'],
  ])('%i ms waits whole seconds, rounded up, at least one: %s', (ms, sql) => {
    expect(db2Runtime.lockTimeout(ms, false)).toEqual([sql]);
  });

  it('is the same statement for a transaction: the register is not under transaction control', () => {
    expect(db2Runtime.lockTimeout(2000, true)).toEqual(db2Runtime.lockTimeout(2000, false));
  });

  it('no cap gives the database configuration back', () => {
    expect(db2Runtime.lockTimeout(null, false)).toEqual(['SET CURRENT LOCK TIMEOUT NULL']);
  });
});

describe('lock waits', () => {
  // ibm_db puts the SQLCODE and SQLSTATE on the error; the reason code is only in the text.
  const db2Error = (sqlcode: number, sqlstate: string, message: string) => Object.assign(new Error(`[IBM][CLI Driver][DB2/LINUXX8664] ${message}`), { sqlcode, sqlstate });
  const timeout = db2Error(-911, '40001', 'SQL0911N  The current transaction has been rolled back because of a deadlock or timeout.  Reason code "68".  SQLSTATE=40001');
  const deadlock = db2Error(-911, '40001', 'SQL0911N  The current transaction has been rolled back because of a deadlock or timeout.  Reason code "2".  SQLSTATE=40001');
  const statementOnly = db2Error(-913, '57033', 'SQL0913N  Unsuccessful execution caused by deadlock or timeout.  Reason code "SYSIBM.SQL240101".  SQLSTATE=57033');

  it.each([
    ['a lock timeout that rolled the unit of work back (-911, reason 68)', timeout],
    ['a deadlock that rolled it back (-911, reason 2)', deadlock],
    ['a lock wait that failed the statement only (-913)', statementOnly],
    ['SQL0911N in the text of an error that lost its sqlcode', new Error(timeout.message)],
  ])('%s is a lock wait the core retries', (_what, error) => {
    expect(db2Runtime.isLockTimeout(error)).toBe(true);
  });

  it.each([
    ['an unknown name (-204)', db2Error(-204, '42704', 'SQL0204N  "APP.T" is an undefined name.  SQLSTATE=42704')],
    ['no error at all', null],
    ['a string', 'SQL error'],
  ])('%s is not', (_what, error) => {
    expect(db2Runtime.isLockTimeout(error)).toBe(false);
  });
});

/** One database: the lock table, and which connection's open transaction holds it. */
class FakeServer {
  lockTable = false;
  holder: FakeConnection | null = null;
  connections: FakeConnection[] = [];

  connect(name: string): FakeConnection {
    const conn = new FakeConnection(this, name);
    this.connections.push(conn);
    return conn;
  }
}

class FakeConnection implements Connection {
  log: string[] = [];
  closed = false;
  private inTransaction = false;

  constructor(
    private readonly server: FakeServer,
    readonly name: string,
  ) {}

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    if (this.closed) throw new Error('closed');
    this.log.push(params ? `${sql} ${JSON.stringify(params)}` : sql);
    if (sql.includes('CURRENT SCHEMA AS')) return [{ name: 'NOVA' }] as T[];
    if (sql.includes('SYSCAT.TABLES')) return (this.server.lockTable && params?.[0] === '_DBTIDE_LOCK' ? [{ found: 1 }] : []) as T[];
    if (sql.startsWith('CREATE TABLE')) this.server.lockTable = true;
    if (sql.startsWith('LOCK TABLE')) {
      if (this.server.holder !== null && this.server.holder !== this) {
        this.inTransaction = false;
        throw Object.assign(new Error('SQL0911N  The current transaction has been rolled back because of a deadlock or timeout.  Reason code "68".  SQLSTATE=40001'), { sqlcode: -911, sqlstate: '40001' });
      }
      if (this.inTransaction) this.server.holder = this;
    }
    return [];
  }

  async transaction<T>(work: () => Promise<T>, _options?: TransactionOptions): Promise<T> {
    this.log.push('begin');
    this.inTransaction = true;
    try {
      const result = await work();
      this.log.push('commit');
      return result;
    } catch (error) {
      this.log.push('rollback');
      throw error;
    } finally {
      this.end();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.end();
  }

  private end() {
    this.inTransaction = false;
    if (this.server.holder === this) this.server.holder = null;
  }
}

/** A run's session: its own connection, and the ones it opens for the lock. */
const runOn = (server: FakeServer, name: string): RunLockSession & { conn: FakeConnection } => {
  let opened = 0;
  return { conn: server.connect(name), connect: async () => server.connect(`${name}/lock${++opened}`), cluster: null };
};

describe('the run lock', () => {
  it("creates the lock table in the run connection's schema, then locks it in a transaction left open on a second one", async () => {
    const server = new FakeServer();
    const run = runOn(server, 'run1');
    const lock = await db2Runtime.tryRunLock(run, 'dbtide:run');
    expect(lock).not.toBeNull();
    expect(run.conn.log).toEqual([
      'SELECT CURRENT SCHEMA AS "name" FROM SYSIBM.SYSDUMMY1',
      `SELECT 1 AS "found" FROM SYSCAT.TABLES WHERE TABSCHEMA = CURRENT SCHEMA AND TABNAME = ? AND TYPE = 'T' ["_DBTIDE_LOCK"]`,
      'CREATE TABLE "NOVA"."_DBTIDE_LOCK" ("HELD" SMALLINT)',
    ]);
    // Named with the schema: the second connection, opened from the URL, has not had the run's schema selected.
    const lockConn = server.connections.find((c) => c.name === 'run1/lock1')!;
    expect(lockConn.log).toEqual(['begin', 'SET CURRENT LOCK TIMEOUT NOT WAIT', 'LOCK TABLE "NOVA"."_DBTIDE_LOCK" IN EXCLUSIVE MODE']);
    expect(server.holder).toBe(lockConn);
    expect(lockConn.closed).toBe(false);
    await lock!.release();
  });

  it('refuses a second run while the first holds it: null, and the second connection closed', async () => {
    const server = new FakeServer();
    const first = await db2Runtime.tryRunLock(runOn(server, 'run1'), 'dbtide:run');
    const second = await db2Runtime.tryRunLock(runOn(server, 'run2'), 'dbtide:run');
    expect(second).toBeNull();
    const refused = server.connections.find((c) => c.name === 'run2/lock1')!;
    expect(refused.log.at(-1)).toBe('rollback');
    expect(refused.closed).toBe(true);
    expect(server.holder?.name).toBe('run1/lock1');
    await first!.release();
  });

  it('release ends the transaction and closes the connection, so the next run takes it; twice is harmless', async () => {
    const server = new FakeServer();
    const lock = await db2Runtime.tryRunLock(runOn(server, 'run1'), 'dbtide:run');
    const lockConn = server.connections.find((c) => c.name === 'run1/lock1')!;
    await lock!.release();
    await lock!.release();
    expect(lockConn.log.at(-1)).toBe('commit');
    expect(lockConn.closed).toBe(true);
    expect(server.holder).toBeNull();
    const next = await db2Runtime.tryRunLock(runOn(server, 'run2'), 'dbtide:run');
    expect(next).not.toBeNull();
    // The table exists: the second run does not create it again.
    expect(server.connections.find((c) => c.name === 'run2')!.log.some((sql) => sql.startsWith('CREATE'))).toBe(false);
    await next!.release();
  });

  it('gives any other failure to the caller, with the second connection closed', async () => {
    const server = new FakeServer();
    const run = runOn(server, 'run1');
    const broken = server.connect('broken');
    broken.query = () => Promise.reject(Object.assign(new Error('SQL0551N  "APP" does not have the required authorization.  SQLSTATE=42501'), { sqlcode: -551 }));
    await expect(db2Runtime.tryRunLock({ conn: run.conn, connect: async () => broken, cluster: null }, 'dbtide:run')).rejects.toThrow('SQL0551N');
    expect(broken.closed).toBe(true);
  });
});

describe('session statements', () => {
  const answering = (rows: Record<string, unknown>[]) => {
    const log: { sql: string; params?: unknown[] }[] = [];
    const conn: Connection = {
      query: async <T>(sql: string, params?: unknown[]) => (log.push({ sql, params }), rows as T[]),
      transaction: (work) => work(),
      close: async () => {},
    };
    return { conn, log };
  };

  it('pages with FETCH FIRST, selects a schema by its stored name, and takes ? parameters', () => {
    expect(db2Runtime.limit(20)).toBe('FETCH FIRST 20 ROWS ONLY');
    expect(db2Runtime.useSchema('billing')).toEqual(['SET CURRENT SCHEMA "BILLING"']);
    expect(db2Runtime.useSchema('Billing')).toEqual(['SET CURRENT SCHEMA "Billing"']);
    expect(db2Runtime.param(3)).toBe('?');
  });

  it('reads the current schema back as declared', async () => {
    expect(await db2Runtime.currentSchema(answering([{ name: 'APP' }]).conn)).toBe('app');
    expect(await db2Runtime.currentSchema(answering([{ name: 'MixedCase' }]).conn)).toBe('MixedCase');
  });

  it('looks tables and schemas up by their stored names', async () => {
    const { conn, log } = answering([{ found: 1 }]);
    expect(await db2Runtime.tableExists(conn, '_dbtide_runs')).toBe(true);
    expect(await db2Runtime.schemaExists(conn, 'app')).toBe(true);
    expect(log.map((q) => q.params)).toEqual([['_DBTIDE_RUNS'], ['APP']]);
  });

  it('inserts a row through FINAL TABLE and gives it back as stored (the driver names columns as declared)', async () => {
    const { conn, log } = answering([{ id: 7, name: 'x', MixedCase: 1 }]);
    const table: TableModel = { name: 'users', columns: [], primaryKey: null, uniques: [], indexes: [], foreignKeys: [], checks: [] };
    expect(await db2Runtime.insertRow(conn, table, { name: 'x', MixedCase: 1 })).toEqual({ id: 7, name: 'x', MixedCase: 1 });
    expect(log).toEqual([{ sql: 'SELECT * FROM FINAL TABLE (INSERT INTO "USERS" ("NAME", "MixedCase") VALUES (?, ?))', params: ['x', 1] }]);
  });
});
