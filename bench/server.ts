/**
 * What the bench does outside dbtide, per server: sessions, the scratch database, the bench table
 * and its set-based fill, the one-statement reference, housekeeping between measurements, and
 * the checks afterwards. The parts write their own SQL with `$n` parameters; a MySQL session
 * turns them into `?` in the order they appear.
 */
import pg from 'pg';
import { isMysqlUrl } from '../dialects/mysql/accepts.js';
import { connectMysql } from '../dialects/mysql/driver.js';
import { databasesNamedAfter } from '../dialects/mysql/version-schemas.js';

export interface BenchClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The server's id of this session, as its session list shows it (`pg_backend_pid()`, `CONNECTION_ID()`). */
  sessionId(): Promise<number>;
  end(): Promise<void>;
}

export interface BenchServer {
  name: 'postgres' | 'mysql';
  /** pt-online-schema-change serves this server: the changetype part compares dbtide with it. */
  ptosc: boolean;
  connect(url: string): Promise<BenchClient>;
  version(db: BenchClient): Promise<string>;
  createDatabase(name: string): string;
  /** Also while sessions of a failed or interrupted run are still connected to it. */
  dropDatabase(admin: BenchClient, name: string): Promise<void>;
  /** `table` (id bigint PRIMARY KEY, balance int, points int, note text) holding ids 1..rows, in key order. */
  createAccounts(db: BenchClient, table: string, rows: number): Promise<void>;
  /** A FROM clause of the numbers 1..`$1` as `g`, for set-based loads of up to `rows` rows. */
  series(db: BenchClient, rows: number): Promise<string>;
  /** `balance` as a bigint, as dbtide's backfill casts it. */
  balanceAsBigint: string;
  /** Clears the old row versions updates left (the write probes must not pay for them); `analyze` also refreshes statistics. */
  tidy(db: BenchClient, table: string | null, analyze: boolean): Promise<void>;
  /** Writes dirty pages out, so a measurement does not pay for the previous one's writes. */
  flush(db: BenchClient): Promise<void>;
  /** How the write probe takes the commit's log flush out of its writes. */
  unflushed: { session: string[]; roundStart: string[]; roundEnd: string[] };
  /** The distinct types of `columns` of `table`, comma-separated. */
  columnTypes(db: BenchClient, table: string, columns: string[]): Promise<string>;
}

export const isMariadb = async (db: BenchClient) => String(await scalar(db, 'SELECT VERSION()')).includes('MariaDB');

export const scalar = async (db: BenchClient, sql: string, params?: unknown[]) => Object.values((await db.query(sql, params))[0] as object)[0] as unknown;

const postgres: BenchServer = {
  name: 'postgres',
  ptosc: false,
  async connect(url) {
    const client = new pg.Client({ connectionString: url });
    // A lost backend (e.g. the bench database dropped on Ctrl-C) fails its queries instead of crashing the process.
    client.on('error', () => {});
    await client.connect();
    return {
      query: async (sql, params) => (await client.query(sql, params)).rows,
      sessionId: async () => Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid),
      end: () => client.end(),
    };
  },
  version: async (db) => String(await scalar(db, 'SHOW server_version')),
  createDatabase: (name) => `CREATE DATABASE "${name}"`,
  // FORCE ends the sessions a failed or interrupted run leaves connected.
  async dropDatabase(admin, name) {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  },
  async createAccounts(db, table, rows) {
    await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, balance integer, points integer, note text)`);
    await db.query(`INSERT INTO ${table} SELECT g, (g % 100000)::int, (g % 1000)::int, 'note ' || g FROM generate_series(1, $1::bigint) AS g`, [rows]);
  },
  series: async () => 'FROM generate_series(1, $1::bigint) AS g',
  balanceAsBigint: 'CAST(balance AS bigint)',
  async tidy(db, table, analyze) {
    await db.query(`VACUUM${analyze ? ' ANALYZE' : ''}${table ? ` ${table}` : ''}`);
  },
  async flush(db) {
    await db.query('CHECKPOINT');
  },
  unflushed: { session: ['SET synchronous_commit = off'], roundStart: [], roundEnd: [] },
  async columnTypes(db, table, columns) {
    return String(
      await scalar(
        db,
        `SELECT string_agg(DISTINCT format_type(atttypid, atttypmod), ',') FROM pg_attribute WHERE attrelid = '${table}'::regclass AND attname IN (${columns.map((c) => `'${c}'`).join(', ')})`,
      ),
    );
  },
};

/** InnoDB's history list: committed transactions whose old row versions purge has not removed yet. */
const PURGE = { settled: 10, pollMs: 100, timeoutMs: 60_000 };

const baseTables = async (db: BenchClient) =>
  (
    await db.query<{ name: string }>(
      "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    )
  ).map((t) => `\`${t.name}\``);

/** `$2, $1` to `?, ?` with the parameters in that order; text without `$n` keeps its own `?`. */
function positional(sql: string, params: unknown[] = []): [string, unknown[]] {
  const order: number[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    order.push(Number(n) - 1);
    return '?';
  });
  return order.length === 0 ? [sql, params] : [text, order.map((i) => params[i])];
}

const mysql: BenchServer = {
  name: 'mysql',
  ptosc: true,
  async connect(url) {
    const conn = await connectMysql(url);
    const client: BenchClient = {
      query: <T>(sql: string, params?: unknown[]) => conn.query<T>(...positional(sql, params)),
      sessionId: async () => Number(await scalar(client, 'SELECT CONNECTION_ID()')),
      end: () => conn.close(),
    };
    return client;
  },
  version: async (db) => String(await scalar(db, 'SELECT VERSION()')),
  createDatabase: (name) => `CREATE DATABASE \`${name}\``,
  // The server has no FORCE: end the database's sessions first (DROP would wait for their locks).
  async dropDatabase(admin, name) {
    const sessions = await admin.query<{ id: number }>('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [name]);
    for (const s of sessions) await admin.query(`KILL ${Number(s.id)}`).catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    // A release with a type change leaves its version database beside it (README, "Type changes in the window").
    for (const other of await databasesNamedAfter(admin, name)) await admin.query(`DROP DATABASE IF EXISTS \`${other}\``);
  },
  async createAccounts(db, table, rows) {
    await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, balance int, points int, note text)`);
    await db.query(`INSERT INTO ${table} SELECT g, g % 100000, g % 1000, CONCAT('note ', g) ${await mysql.series(db, rows)}`, [rows]);
  },
  // No generate_series: a recursive CTE counts, once the session allows that many iterations (both servers stop at 1000).
  async series(db, rows) {
    await db.query(`SET SESSION ${(await isMariadb(db)) ? 'max_recursive_iterations' : 'cte_max_recursion_depth'} = ${rows + 1}`);
    return 'FROM (WITH RECURSIVE s (g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $1) SELECT g FROM s) AS s';
  },
  balanceAsBigint: 'CAST(balance AS SIGNED)',
  // Purge removes old row versions in the background, server-wide; there is no statement for it, so wait for it.
  async tidy(db, table, analyze) {
    const deadline = Date.now() + PURGE.timeoutMs;
    const history = async () =>
      Number(await scalar(db, "SELECT `COUNT` FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'"));
    while ((await history()) > PURGE.settled && Date.now() < deadline) await new Promise((r) => setTimeout(r, PURGE.pollMs));
    if (analyze) await db.query(`ANALYZE TABLE ${table ? `\`${table}\`` : (await baseTables(db)).join(', ')}`);
  },
  // CHECKPOINT is server-wide and has no statement here; FOR EXPORT writes out the pages of the named tables.
  async flush(db) {
    await db.query(`FLUSH TABLES ${(await baseTables(db)).join(', ')} FOR EXPORT`);
    await db.query('UNLOCK TABLES');
  },
  // innodb_flush_log_at_trx_commit is global only: a round runs as one transaction, so it flushes the log once, not per write.
  unflushed: { session: [], roundStart: ['BEGIN'], roundEnd: ['COMMIT'] },
  async columnTypes(db, table, columns) {
    return String(
      await scalar(
        db,
        `SELECT GROUP_CONCAT(DISTINCT DATA_TYPE ORDER BY DATA_TYPE) FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME IN (${columns.map(() => '?').join(', ')})`,
        [table, ...columns],
      ),
    );
  },
};

export const serverFor = (url: string): BenchServer => (isMysqlUrl(url) ? mysql : postgres);

/** A session on the server `url` names. */
export const connect = (url: string) => serverFor(url).connect(url);
