/**
 * The bench's own procedures around dbtide's runs, per dialect: the set-based fill, housekeeping
 * between measurements, the write probe's commits without their log flush, and the checks
 * afterwards. They are benchmark procedures, not schema migration, so they live here; sessions,
 * parameters, quoting, casts and the scratch databases are the dialect's (dialects/registry.ts).
 */
import type { Connection, Dialect } from '../src/dialect.js';

export interface Hooks {
  /** Per dialect: MySQL's keeps both parts under five minutes on 2 cores (1,000,000 rows took 5 min 21 s; see bench/README.md). */
  defaultRows: number;
  /** pt-online-schema-change serves this server: the changetype part compares dbtide with it. */
  ptosc: boolean;
  /** One value: the server's id of the session, as its session list shows it. */
  sessionIdSql: string;
  /** One value: the server's version with its build, for the results (the dialect's `serverVersion` keeps only what the planner reads). */
  versionSql: string;
  /** A FROM clause of the numbers 1..(first parameter) as `g`, for set-based loads of up to `rows` rows. */
  series(db: Connection, rows: number): Promise<string>;
  /** Clears the old row versions updates left (the write probes must not pay for them); `analyze` also refreshes statistics. */
  tidy(db: Connection, table: string | null, analyze: boolean): Promise<void>;
  /** Writes dirty pages out, so a measurement does not pay for the previous one's writes. */
  flush(db: Connection): Promise<void>;
  /** How the write probe takes the commit's log flush out of its writes. */
  unflushed: { session: string[]; roundStart: string[]; roundEnd: string[] };
  /** The distinct types of `columns` of `table`, comma-separated. */
  columnTypes(db: Connection, table: string, columns: string[]): Promise<string>;
}

export const scalar = async (db: Connection, sql: string, params?: unknown[]) => Object.values((await db.query(sql, params))[0] as object)[0] as unknown;

export const isMariadb = async (db: Connection) => String(await scalar(db, 'SELECT VERSION()')).includes('MariaDB');

/** One table per dialect the bench runs on; any other dialect is refused by name. */
export function perDialect<T>(table: Partial<Record<Dialect['name'], T>>, dialect: Dialect): T {
  const entry = table[dialect.name];
  if (entry === undefined) throw new Error(`the bench does not run on the ${dialect.name} dialect`);
  return entry;
}

const postgres = ({ compiler: { quote } }: Dialect): Hooks => ({
  defaultRows: 1_000_000,
  ptosc: false,
  sessionIdSql: 'SELECT pg_backend_pid()',
  versionSql: 'SHOW server_version',
  series: async () => 'FROM generate_series(1, $1::bigint) AS g',
  async tidy(db, table, analyze) {
    await db.query(`VACUUM${analyze ? ' ANALYZE' : ''}${table ? ` ${quote(table)}` : ''}`);
  },
  async flush(db) {
    await db.query('CHECKPOINT');
  },
  unflushed: { session: ['SET synchronous_commit = off'], roundStart: [], roundEnd: [] },
  columnTypes: async (db, table, columns) =>
    String(await scalar(db, "SELECT string_agg(DISTINCT format_type(atttypid, atttypmod), ',') FROM pg_attribute WHERE attrelid = $1::regclass AND attname = ANY ($2)", [table, columns])),
});

/** InnoDB's history list: committed transactions whose old row versions purge has not removed yet. */
const PURGE = { settled: 10, pollMs: 100, timeoutMs: 60_000 };

const mysql = ({ compiler: { quote } }: Dialect): Hooks => {
  const baseTables = async (db: Connection) =>
    (
      await db.query<{ name: string }>(
        "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
      )
    ).map((t) => quote(t.name));
  return {
    defaultRows: 500_000,
    ptosc: true,
    sessionIdSql: 'SELECT CONNECTION_ID()',
    versionSql: 'SELECT VERSION()',
    // No generate_series: a recursive CTE counts, once the session allows that many iterations (both servers stop at 1000).
    async series(db, rows) {
      await db.query(`SET SESSION ${(await isMariadb(db)) ? 'max_recursive_iterations' : 'cte_max_recursion_depth'} = ${rows + 1}`);
      return 'FROM (WITH RECURSIVE s (g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ?) SELECT g FROM s) AS s';
    },
    // Purge removes old row versions in the background, server-wide; there is no statement for it, so wait for it.
    async tidy(db, table, analyze) {
      const deadline = Date.now() + PURGE.timeoutMs;
      const history = async () =>
        Number(await scalar(db, "SELECT `COUNT` FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'"));
      while ((await history()) > PURGE.settled && Date.now() < deadline) await new Promise((r) => setTimeout(r, PURGE.pollMs));
      if (analyze) await db.query(`ANALYZE TABLE ${table ? quote(table) : (await baseTables(db)).join(', ')}`);
    },
    // CHECKPOINT is server-wide and has no statement here; FOR EXPORT writes out the pages of the named tables.
    async flush(db) {
      const tables = await baseTables(db);
      if (tables.length === 0) return;
      await db.query(`FLUSH TABLES ${tables.join(', ')} FOR EXPORT`);
      await db.query('UNLOCK TABLES');
    },
    // innodb_flush_log_at_trx_commit is global only: a round runs as one transaction, so it flushes the log once, not per write.
    unflushed: { session: [], roundStart: ['BEGIN'], roundEnd: ['COMMIT'] },
    columnTypes: async (db, table, columns) =>
      String(
        await scalar(
          db,
          `SELECT GROUP_CONCAT(DISTINCT DATA_TYPE ORDER BY DATA_TYPE) FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME IN (${columns.map(() => '?').join(', ')})`,
          [table, ...columns],
        ),
      ),
  };
};

export const hooksFor = (dialect: Dialect): Hooks => perDialect({ postgres, mysql }, dialect)(dialect);

/** `table` (id bigint PRIMARY KEY, balance int, points int, note text) holding ids 1..rows, in key order. */
export async function createAccounts(db: Connection, hooks: Hooks, table: string, rows: number): Promise<void> {
  await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, balance int, points int, note text)`);
  await db.query(`INSERT INTO ${table} SELECT g, g % 100000, g % 1000, CONCAT('note ', g) ${await hooks.series(db, rows)}`, [rows]);
}
