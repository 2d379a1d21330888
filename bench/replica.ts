/**
 * `replica` (PostgreSQL): how far a streaming replica falls behind a backfill, without a lag limit
 * and with `--max-replica-lag`. A scratch primary and replica (test/support/pg-replica.ts) on free
 * local ports, not the --url server: replication needs settings a shared server is not ours to
 * change. Each run backfills `accounts.balance` int -> bigint over N rows in a database of its own,
 * at the default batch settings, while the replica's lag is sampled every 50 ms on the primary
 * (pg_stat_replication.replay_lag: the time since the WAL the replica last replayed was written).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresDialect } from '../dialects/postgres/index.js';
import { contract, expand, migrate } from '../src/api.js';
import type { Connection } from '../src/dialect.js';
import type { RunEvent } from '../src/execute/events.js';
import { replayed, startReplicaPair, type ReplicaPair } from '../test/support/pg-replica.js';
import { accountsV2, seedAccounts, wrongBalances } from '../test/support/replica-lag-release.js';
import { round, type Row } from './report.js';

export const REPLICA_LIMIT_MS = 500;
/**
 * A limit below the lag an unthrottled backfill reaches on a fast local replica, so the throttle
 * is seen at work (waits, and what they cost) where the 500 ms one never needs to act.
 */
export const REPLICA_TIGHT_LIMIT_MS = 100;
const SAMPLE_EVERY_MS = 50;

/** Caught up (replayed all there is) reads 0: replay_lag keeps its last value a while after. */
const LAG_SQL = `SELECT coalesce(max(CASE WHEN replay_lsn = pg_current_wal_lsn() THEN 0 ELSE extract(epoch FROM replay_lag) * 1000 END), 0)::float8 AS ms,
                        coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::float8 AS bytes
                   FROM pg_stat_replication`;

export interface ReplicaResult {
  replica_rows: number;
  replica_limit_ms: number;
  replica_max_lag_ms_unthrottled: number;
  replica_max_lag_ms: number;
  replica_rows_per_s_unthrottled: number;
  replica_rows_per_s: number;
  replica_max_lag_ms_tight: number;
  replica_tight_limit_ms: number;
  replica_rows_per_s_tight: number;
  replica_details: Record<string, unknown>;
}

/** The largest lag seen while `work` runs, sampled every SAMPLE_EVERY_MS. */
async function sampledLag<T>(primary: Connection, work: () => Promise<T>): Promise<{ value: T; maxMs: number; maxBytes: number; samples: number }> {
  let running = true;
  const seen = { maxMs: 0, maxBytes: 0, samples: 0 };
  const sampling = (async () => {
    while (running) {
      const [row] = await primary.query<{ ms: number; bytes: number }>(LAG_SQL);
      seen.maxMs = Math.max(seen.maxMs, Number(row!.ms));
      seen.maxBytes = Math.max(seen.maxBytes, Number(row!.bytes));
      seen.samples++;
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  try {
    return { value: await work(), ...seen };
  } finally {
    running = false;
    await sampling;
  }
}

/** One backfill of `rows` rows in a new database on the pair, with or without the limit. */
async function run(pair: ReplicaPair, primary: Connection, database: string, rows: number, limitMs: number | null, log: (m: string) => void) {
  await primary.query(`CREATE DATABASE ${database}`);
  const url = pair.primaryUrl.replace(/\/postgres$/, `/${database}`);
  await seedAccounts(url, rows);
  await expand({ url }, accountsV2);
  await primary.query('CHECKPOINT');
  await replayed(pair, 120_000);
  const t = { started: 0, s: 0, rows: 0, batches: 0, waits: 0, waitedMs: 0 };
  const onEvent = (e: RunEvent) => {
    if (e.type === 'step-start' && e.step.operation === 'backfill') t.started = performance.now();
    if (e.type === 'step-done' && e.step.operation === 'backfill') t.s = (performance.now() - t.started) / 1000;
    if (e.type === 'work-progress') {
      t.rows += e.batchRows;
      t.batches++;
    }
    if (e.type === 'replica-wait') t.waits++;
    if (e.type === 'replica-resumed') t.waitedMs += e.waitedMs;
  };
  const label = limitMs === null ? 'without a lag limit' : `with --max-replica-lag ${limitMs}`;
  const sampled = await sampledLag(primary, () => migrate({ url }, accountsV2, { onEvent, ...(limitMs === null ? {} : { replicaLag: { maxLagMs: limitMs } }) }));
  log(`migrate ${label}: ${t.rows.toLocaleString('en-US')} rows in ${t.s.toFixed(2)} s, replica lag up to ${Math.round(sampled.maxMs)} ms (${sampled.samples} samples), ${t.waits} wait(s), ${t.waitedMs} ms waited`);
  await contract({ url }, accountsV2);
  await replayed(pair, 120_000);
  const wrong = await onBoth(pair, database, wrongBalances);
  return {
    maxLagMs: Math.round(sampled.maxMs),
    maxLagBytes: Math.round(sampled.maxBytes),
    rowsPerS: Math.round(t.rows / t.s),
    details: { backfill_s: round(t.s, 3), batches: t.batches, waits: t.waits, waited_ms: t.waitedMs, lag_samples: sampled.samples, wrong_rows: wrong },
  };
}

/** Rows whose value is wrong, on the primary and on the replica once it replayed everything. */
async function onBoth(pair: ReplicaPair, database: string, count: (conn: Connection) => Promise<number>) {
  const result: Record<string, number> = {};
  for (const [side, url] of [['primary', pair.primaryUrl], ['replica', pair.replicaUrl]] as const) {
    const conn = await postgresDialect.connect(url.replace(/\/postgres$/, `/${database}`));
    try {
      result[side] = await count(conn);
    } finally {
      await conn.close();
    }
  }
  return result;
}

export async function benchReplica(rows: number, log: (m: string) => void): Promise<ReplicaResult> {
  const pair = await startReplicaPair();
  log(`replica pair: primary ${pair.primaryUrl}, replica ${pair.replicaUrl}`);
  try {
    const primary = await postgresDialect.connect(pair.primaryUrl);
    try {
      const free = await run(pair, primary, 'lag_unthrottled', rows, null, log);
      const held = await run(pair, primary, 'lag_throttled', rows, REPLICA_LIMIT_MS, log);
      const tight = await run(pair, primary, 'lag_tight', rows, REPLICA_TIGHT_LIMIT_MS, log);
      return {
        replica_rows: rows,
        replica_limit_ms: REPLICA_LIMIT_MS,
        replica_max_lag_ms_unthrottled: free.maxLagMs,
        replica_max_lag_ms: held.maxLagMs,
        replica_rows_per_s_unthrottled: free.rowsPerS,
        replica_rows_per_s: held.rowsPerS,
        replica_tight_limit_ms: REPLICA_TIGHT_LIMIT_MS,
        replica_max_lag_ms_tight: tight.maxLagMs,
        replica_rows_per_s_tight: tight.rowsPerS,
        replica_details: {
          sample_every_ms: SAMPLE_EVERY_MS,
          max_lag_bytes_unthrottled: free.maxLagBytes,
          max_lag_bytes: held.maxLagBytes,
          max_lag_bytes_tight: tight.maxLagBytes,
          unthrottled: free.details,
          throttled: held.details,
          tight: tight.details,
        },
      };
    } finally {
      await primary.close();
    }
  } finally {
    await pair.stop();
  }
}

export function replicaRows(r: ReplicaResult): Row[] {
  const limit = 2 * r.replica_limit_ms;
  return [
    { metric: 'replica_limit_ms', value: r.replica_limit_ms },
    { metric: 'replica_max_lag_ms_unthrottled', value: r.replica_max_lag_ms_unthrottled },
    { metric: 'replica_max_lag_ms', value: r.replica_max_lag_ms, target: `<= ${limit} (2x limit)`, pass: r.replica_max_lag_ms <= limit },
    { metric: 'replica_rows_per_s_unthrottled', value: r.replica_rows_per_s_unthrottled },
    { metric: 'replica_rows_per_s', value: r.replica_rows_per_s },
    { metric: 'replica_tight_limit_ms', value: r.replica_tight_limit_ms },
    { metric: 'replica_max_lag_ms_tight', value: r.replica_max_lag_ms_tight },
    { metric: 'replica_rows_per_s_tight', value: r.replica_rows_per_s_tight },
  ];
}
