/**
 * The primary and replica the `replica` part runs on, per dialect, and how it samples the
 * replica's lag: PostgreSQL on the primary (pg_stat_replication.replay_lag, the time since the WAL
 * the replica last replayed was written); MariaDB by a heartbeat, a row the primary stamps with
 * its time every 50 ms and the replica is read for, since Seconds_Behind_Master counts whole seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mysqlDialect } from '../dialects/mysql/index.js';
import { postgresDialect } from '../dialects/postgres/index.js';
import type { Connection, Dialect } from '../src/dialect.js';
import { mariadbReplayed, startMariadbReplicaPair } from '../test/support/mariadb-replica.js';
import { replayed, startReplicaPair } from '../test/support/pg-replica.js';
import { perDialect } from './hooks.js';

export const SAMPLE_EVERY_MS = 50;

export interface Lab {
  dialect: Dialect;
  server: string;
  describe: string;
  lagReadBy: string;
  /** The throttle reads the lag on the replica (MySQL): the runs with a limit name it. */
  needsReplicaUrl: boolean;
  url(side: 'primary' | 'replica', database: string): string;
  createDatabase(name: string): Promise<void>;
  /** Dropped after its run, so its clean-up (autovacuum, purge) does not slow the next run down. */
  dropDatabase(name: string): Promise<void>;
  /** Waits until the replica has applied all the primary wrote so far. */
  replayed(): Promise<void>;
  /** Starts sampling the replica's lag while a run works in `database`. */
  sample(database: string): Promise<{ stop(): Promise<{ maxMs: number; samples: number }> }>;
  stop(): Promise<void>;
}

/** Calls `read` every SAMPLE_EVERY_MS until stopped, keeping the largest value. */
function every(read: () => Promise<number>) {
  let running = true;
  const seen = { maxMs: 0, samples: 0 };
  const loop = (async () => {
    while (running) {
      seen.maxMs = Math.max(seen.maxMs, await read());
      seen.samples++;
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return seen;
  };
}

const scalar = async (conn: Connection, sql: string) => Number(Object.values((await conn.query(sql))[0] as object)[0]);

/** Caught up (replayed all there is) reads 0: replay_lag keeps its last value a while after. */
const PG_LAG = `SELECT coalesce(max(CASE WHEN replay_lsn = pg_current_wal_lsn() THEN 0 ELSE extract(epoch FROM replay_lag) * 1000 END), 0)::float8 AS ms
                  FROM pg_stat_replication`;

async function postgresLab(): Promise<Lab> {
  const pair = await startReplicaPair();
  const admin = await postgresDialect.connect(pair.primaryUrl);
  const onDatabase = (url: string, database: string) => url.replace(/\/postgres$/, `/${database}`);
  return {
    dialect: postgresDialect,
    server: `postgres ${await scalar(admin, "SELECT current_setting('server_version_num')::int / 10000")} (streaming replica)`,
    describe: `primary ${pair.primaryUrl}, replica ${pair.replicaUrl}`,
    lagReadBy: 'pg_stat_replication.replay_lag on the primary',
    needsReplicaUrl: false,
    url: (side, database) => onDatabase(side === 'primary' ? pair.primaryUrl : pair.replicaUrl, database),
    createDatabase: async (name) => void (await admin.query(`CREATE DATABASE ${name}`)),
    dropDatabase: async (name) => void (await admin.query(`DROP DATABASE ${name}`)),
    // CHECKPOINT first: each run starts without the previous one's dirty pages to write.
    replayed: async () => (await admin.query('CHECKPOINT'), await replayed(pair, 120_000)),
    sample: async () => ({ stop: every(() => scalar(admin, PG_LAG)) }),
    stop: async () => {
      await admin.close();
      await pair.stop();
    },
  };
}

async function mariadbLab(): Promise<Lab> {
  const pair = await startMariadbReplicaPair();
  const admin = await mysqlDialect.connect(pair.primaryUrl);
  return {
    dialect: mysqlDialect,
    server: `${String(Object.values((await admin.query('SELECT VERSION()'))[0] as object)[0])} (binary log replica)`,
    describe: `primary ${pair.primaryUrl}, replica ${pair.replicaUrl}`,
    lagReadBy: `a heartbeat row the primary stamps every ${SAMPLE_EVERY_MS} ms, read on the replica`,
    needsReplicaUrl: true,
    url: (side, database) => `${side === 'primary' ? pair.primaryUrl : pair.replicaUrl}${database}`,
    createDatabase: async (name) => void (await admin.query(`CREATE DATABASE ${name}`)),
    dropDatabase: async (name) => void (await admin.query(`DROP DATABASE ${name}`)),
    replayed: () => mariadbReplayed(pair, 120_000),
    async sample(database) {
      const beat = await mysqlDialect.connect(`${pair.primaryUrl}${database}`);
      await beat.query('CREATE TABLE IF NOT EXISTS _bench_heartbeat (id int PRIMARY KEY, at datetime(6) NOT NULL)');
      await beat.query('REPLACE INTO _bench_heartbeat VALUES (1, NOW(6))');
      await mariadbReplayed(pair);
      const read = await mysqlDialect.connect(`${pair.replicaUrl}${database}`);
      const stopBeats = every(async () => (await beat.query('UPDATE _bench_heartbeat SET at = NOW(6) WHERE id = 1'), 0));
      // The heartbeat's age on the replica, less the beat interval it may be old by anyway.
      const stopReads = every(async () => Math.max(0, (await scalar(read, 'SELECT TIMESTAMPDIFF(MICROSECOND, at, NOW(6)) / 1000 FROM _bench_heartbeat')) - SAMPLE_EVERY_MS));
      return {
        async stop() {
          const seen = await stopReads();
          await stopBeats();
          await read.close();
          await beat.close();
          return seen;
        },
      };
    },
    stop: async () => {
      await admin.close();
      await pair.stop();
    },
  };
}

export const labFor = (dialect: Dialect): Promise<Lab> => perDialect({ postgres: postgresLab, mysql: mariadbLab }, dialect)();
