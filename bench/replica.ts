/**
 * `replica`: how far a replica falls behind a backfill, without a lag limit and with
 * `--max-replica-lag`. A scratch primary and replica of their own on free local ports
 * (test/support/pg-replica.ts, test/support/mariadb-replica.ts), not the --url server, whose
 * dialect only picks which: replication needs settings a shared server is not ours to change.
 * Each run backfills `accounts.balance` int -> bigint over N rows in a database of its own, at the
 * default batch settings, while the replica's lag is sampled every 50 ms (bench/replica-labs.ts).
 */
import { contract, expand, migrate } from '../src/api.js';
import type { Dialect } from '../src/dialect.js';
import type { RunEvent } from '../src/execute/events.js';
import { accountsV2, seedAccounts, wrongBalances } from '../test/support/replica-lag-release.js';
import { backfillTimer } from './throughput.js';
import { labFor, SAMPLE_EVERY_MS, type Lab } from './replica-labs.js';
import { round, type Row } from './report.js';

export const REPLICA_LIMIT_MS = 500;
/**
 * A limit below the lag an unthrottled backfill reaches on a fast local replica, so the throttle
 * is seen at work (waits, and what they cost) where the 500 ms one may never need to act.
 */
export const REPLICA_TIGHT_LIMIT_MS = 100;

export interface ReplicaResult {
  replica_server: string;
  replica_rows: number;
  replica_limit_ms: number;
  replica_max_lag_ms_unthrottled: number;
  replica_max_lag_ms: number;
  replica_rows_per_s_unthrottled: number;
  replica_rows_per_s: number;
  replica_tight_limit_ms: number;
  replica_max_lag_ms_tight: number;
  replica_rows_per_s_tight: number;
  replica_details: Record<string, unknown>;
}

/** One backfill of `rows` rows in a new database on the pair, with or without the limit. */
async function run(lab: Lab, database: string, rows: number, limitMs: number | null, log: (m: string) => void) {
  await lab.createDatabase(database);
  const url = lab.url('primary', database);
  await seedAccounts(url, rows);
  await expand({ url }, accountsV2);
  await lab.replayed();
  const { t, onEvent: timed } = backfillTimer();
  const waits = { count: 0, ms: 0 };
  const onEvent = (e: RunEvent) => {
    timed(e);
    if (e.type === 'replica-wait') waits.count++;
    if (e.type === 'replica-resumed') waits.ms += e.waitedMs;
  };
  const label = limitMs === null ? 'without a lag limit' : `with --max-replica-lag ${limitMs}`;
  const sampling = await lab.sample(database);
  let sampled: { maxMs: number; samples: number };
  try {
    const replicaLag = limitMs === null ? {} : { replicaLag: { maxLagMs: limitMs, ...(lab.needsReplicaUrl ? { replicas: [lab.url('replica', database)] } : {}) } };
    await migrate({ url }, accountsV2, { onEvent, ...replicaLag });
  } finally {
    sampled = await sampling.stop();
  }
  log(`migrate ${label}: ${t.rows.toLocaleString('en-US')} rows in ${t.s.toFixed(2)} s, replica lag up to ${Math.round(sampled.maxMs)} ms (${sampled.samples} samples), ${waits.count} wait(s), ${waits.ms} ms waited`);
  await contract({ url }, accountsV2);
  await lab.replayed();
  const wrong: Record<string, number> = {};
  for (const side of ['primary', 'replica'] as const) {
    const conn = await lab.dialect.connect(lab.url(side, database));
    try {
      wrong[side] = await wrongBalances(conn);
    } finally {
      await conn.close();
    }
  }
  await lab.dropDatabase(database);
  return {
    maxLagMs: Math.round(sampled.maxMs),
    rowsPerS: Math.round(t.rows / t.s),
    details: { backfill_s: round(t.s, 3), batches: t.batches, waits: waits.count, waited_ms: waits.ms, lag_samples: sampled.samples, wrong_rows: wrong },
  };
}

export async function benchReplica(dialect: Dialect, rows: number, log: (m: string) => void): Promise<ReplicaResult> {
  const lab = await labFor(dialect);
  log(`replica pair: ${lab.describe}`);
  try {
    const free = await run(lab, 'lag_unthrottled', rows, null, log);
    const held = await run(lab, 'lag_throttled', rows, REPLICA_LIMIT_MS, log);
    const tight = await run(lab, 'lag_tight', rows, REPLICA_TIGHT_LIMIT_MS, log);
    return {
      replica_server: lab.server,
      replica_rows: rows,
      replica_limit_ms: REPLICA_LIMIT_MS,
      replica_max_lag_ms_unthrottled: free.maxLagMs,
      replica_max_lag_ms: held.maxLagMs,
      replica_rows_per_s_unthrottled: free.rowsPerS,
      replica_rows_per_s: held.rowsPerS,
      replica_tight_limit_ms: REPLICA_TIGHT_LIMIT_MS,
      replica_max_lag_ms_tight: tight.maxLagMs,
      replica_rows_per_s_tight: tight.rowsPerS,
      replica_details: { lag_read_by: lab.lagReadBy, sample_every_ms: SAMPLE_EVERY_MS, unthrottled: free.details, throttled: held.details, tight: tight.details },
    };
  } finally {
    await lab.stop();
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
