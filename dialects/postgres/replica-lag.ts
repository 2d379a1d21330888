import type { ReplicaLagSql } from '../../src/dialect.js';
import { DbtideError } from '../../src/errors.js';
import { isPgliteUrl } from './accepts.js';

/**
 * A replica that has replayed all it received is caught up, however long ago its last
 * transaction was (an idle primary sends none): only a replica with WAL still to apply lags.
 */
const OF_REPLICA = `
  SELECT pg_is_in_recovery() AS standby,
         CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
              ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 END::float8 AS lag_ms`;

/**
 * replay_lag is NULL once a replica has caught up and stayed so; a pg_basebackup in progress is
 * a WAL sender too, but no replica. `state` is NULL to a role that may not read the statistics.
 */
const FROM_PRIMARY = `
  SELECT application_name AS name, host(client_addr) AS addr, pid, state,
         CASE WHEN replay_lsn = pg_current_wal_lsn() OR replay_lag IS NULL THEN 0
              ELSE extract(epoch FROM replay_lag) * 1000 END::float8 AS lag_ms
    FROM pg_stat_replication
   WHERE state IS DISTINCT FROM 'backup'`;

interface SenderRow {
  name: string | null;
  addr: string | null;
  pid: number;
  state: string | null;
  lag_ms: number | null;
}

export const postgresReplicaLag: ReplicaLagSql = {
  unsupported: (url) => (isPgliteUrl(url) ? 'PGlite is an embedded database: it has no replicas' : null),
  async fromPrimary(conn) {
    const rows = await conn.query<SenderRow>(FROM_PRIMARY);
    if (rows.some((r) => r.state === null)) {
      // Without the right, every lag reads NULL, which would look like replicas that never lag.
      throw new DbtideError(
        'this role may not read the replicas\' lag in pg_stat_replication',
        1,
        'GRANT pg_read_all_stats TO the role dbtide connects as, or name each replica with --replica <url>',
      );
    }
    return rows.map((r) => ({ replica: `${r.name || 'replica'} (${r.addr ?? `pid ${r.pid}`})`, lagMs: Math.max(0, Number(r.lag_ms ?? 0)) }));
  },
  async ofReplica(conn) {
    const [row] = await conn.query<{ standby: boolean; lag_ms: number | null }>(OF_REPLICA);
    if (row?.standby !== true) return null;
    if (row.lag_ms === null) return { lagMs: null, why: 'it has WAL to replay and has replayed no transaction yet' };
    // A replica clock behind the primary's would read negative.
    return { lagMs: Math.max(0, Math.round(Number(row.lag_ms))) };
  },
};
