/**
 * The contract run's own SQL, per server: the set-based load of instances and their children,
 * the writers' statements, and the monitor's view of every session of the database.
 */
import type { Connection, Dialect } from '../src/dialect.js';
import { isMariadb, perDialect } from './hooks.js';

/** One session as the server showed it: what it waited for, and behind whom when it was a lock. */
export interface Session {
  pid: number;
  /** What the server says the session waits for; null while on CPU. */
  wait: string | null;
  query: string;
  /** Since the statement began. */
  ms: number;
  /** Set only while it waits for a lock. */
  lock: string | null;
  blockedBy: string | null;
}

export interface ContractSql {
  /** Distinct, deterministic: a writer finds the uuid of any loaded instance from its id. */
  uuidOf(id: string): string;
  /** The first parameter as the loaded instances' integer id. */
  idParam: string;
  /** Inserts instances 1..(first parameter) reading `g` from `from`. */
  loadInstances(from: string): string;
  /** Run after the load, with the number of instances as their parameter. */
  afterLoad: string[];
  insertInstance: string;
  monitor(db: Connection): Promise<Monitor>;
}

/** What a monitor session reads of the server. */
export interface Monitor {
  /** The active sessions of its database, but its own. */
  sessions(): Promise<Session[]>;
  /** Where the server's log is, in bytes: the difference is what was written meanwhile. */
  logBytes(): Promise<bigint>;
}

const postgres: ContractSql = {
  uuidOf: (id) => `md5((${id})::text)::uuid::text`,
  idParam: '$1::bigint',
  loadInstances: (from) =>
    `INSERT INTO instances (id, uuid, host, hostname, vm_state, memory_mb, vcpus, root_gb, launched_at)
     SELECT g, ${postgres.uuidOf('g')}, 'host-' || g % 500, 'vm-' || g, 'active', 2048, 2, 20, now() ${from}`,
  // The rows above chose their ids; the identity must hand out the next ones.
  afterLoad: ["SELECT setval(pg_get_serial_sequence('instances', 'id'), $1::bigint)"],
  insertInstance: "INSERT INTO instances (uuid, host, vm_state) VALUES (gen_random_uuid()::text, 'host-new', 'building')",
  monitor: async (db) => ({
    sessions: () =>
      db.query<Session>(
      `SELECT a.pid, a.wait_event_type || ':' || a.wait_event AS wait, a.query,
              (extract(epoch FROM clock_timestamp() - a.query_start) * 1000)::float8 AS ms,
              CASE WHEN a.wait_event_type = 'Lock' THEN
                (SELECT l.mode || ' on ' || coalesce(l.relation::regclass::text, l.locktype) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1)
              END AS lock,
              CASE WHEN a.wait_event_type = 'Lock' THEN
                (SELECT string_agg(b.query, ' | ') FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid)))
              END AS "blockedBy"
         FROM pg_stat_activity a
        WHERE a.datname = current_database() AND a.state = 'active' AND a.pid <> pg_backend_pid()`,
      ),
    async logBytes() {
      const [row] = await db.query<{ bytes: string }>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS bytes");
      return BigInt(row!.bytes);
    },
  }),
};

/** A statement waiting for a metadata lock (DDL, or anything queued behind DDL) says so in its state. */
const MDL_WAIT = "p.STATE LIKE 'Waiting for%lock%'";
const ROW_WAIT = "t.trx_state = 'LOCK WAIT'";

const mysql: ContractSql = {
  // The same strings as PostgreSQL's md5(...)::uuid.
  uuidOf: (id) => `INSERT(INSERT(INSERT(INSERT(MD5(${id}), 21, 0, '-'), 17, 0, '-'), 13, 0, '-'), 9, 0, '-')`,
  idParam: '?',
  loadInstances: (from) =>
    `INSERT INTO instances (id, uuid, host, hostname, vm_state, memory_mb, vcpus, root_gb, launched_at)
     SELECT g, ${mysql.uuidOf('g')}, CONCAT('host-', g % 500), CONCAT('vm-', g), 'active', 2048, 2, 20, now() ${from}`,
  // InnoDB moves AUTO_INCREMENT past ids inserted explicitly.
  afterLoad: [],
  insertInstance: "INSERT INTO instances (uuid, host, vm_state) VALUES (UUID(), 'host-new', 'building')",
  // The server names no blocker without performance_schema (MySQL) or the METADATA_LOCK_INFO plugin
  // (MariaDB): a waiting session's `blockedBy` lists the statements the database's other sessions run.
  async monitor(db) {
    const sql = `
      SELECT p.ID AS pid, NULLIF(p.STATE, '') AS wait, p.INFO AS query, ${(await isMariadb(db)) ? 'p.TIME_MS' : 'p.TIME * 1000'} AS ms,
              CASE WHEN ${MDL_WAIT} THEN p.STATE WHEN ${ROW_WAIT} THEN 'row lock' END AS \`lock\`,
              CASE WHEN ${MDL_WAIT} OR ${ROW_WAIT} THEN
                (SELECT GROUP_CONCAT(b.INFO SEPARATOR ' | ') FROM information_schema.PROCESSLIST b
                  WHERE b.DB = p.DB AND b.ID NOT IN (p.ID, CONNECTION_ID()) AND b.COMMAND = 'Query' AND b.STATE NOT LIKE 'Waiting for%lock%')
              END AS blockedBy
         FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
        WHERE p.DB = DATABASE() AND p.COMMAND = 'Query' AND p.ID <> CONNECTION_ID()`;
    return {
      sessions: async () => (await db.query<Session>(sql)).map((r) => ({ ...r, pid: Number(r.pid), ms: Number(r.ms) })),
      // The redo log, server-wide (a server has one).
      async logBytes() {
        const [row] = await db.query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Innodb_os_log_written'");
        return BigInt(row!.Value);
      },
    };
  },
};

export const contractSqlFor = (dialect: Dialect): ContractSql => perDialect({ postgres, mysql }, dialect);
