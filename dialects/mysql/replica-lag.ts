import type { Connection, ReplicaLagSql, ReplicaReading } from '../../src/dialect.js';
import { galeraBackPressure, galeraNodeUrls } from './galera.js';

/** ER_PARSE_ERROR: a server older than SHOW REPLICA STATUS (MySQL before 8.0.22, MariaDB before 10.5). */
const PARSE_ERROR = 1064;

type StatusRow = Record<string, unknown>;

async function replicaStatus(conn: Connection): Promise<StatusRow[]> {
  try {
    return await conn.query<StatusRow>('SHOW REPLICA STATUS');
  } catch (error) {
    if ((error as { errno?: unknown } | null)?.errno !== PARSE_ERROR) throw error;
    return conn.query<StatusRow>('SHOW SLAVE STATUS');
  }
}

/** MySQL 8.0.22+ names the columns Replica_/Source; MariaDB keeps Slave_/Master under either statement. */
const field = (row: StatusRow, replica: string, slave: string) => row[replica] ?? row[slave] ?? null;

/**
 * A stopped thread leaves Seconds_Behind_Source NULL or frozen, and a replica that applies
 * nothing falls further behind every second: both count as behind, with the reason.
 */
function lagOf(row: StatusRow): Omit<ReplicaReading, 'replica'> {
  const io = field(row, 'Replica_IO_Running', 'Slave_IO_Running');
  const sql = field(row, 'Replica_SQL_Running', 'Slave_SQL_Running');
  if (io !== 'Yes' || sql !== 'Yes') {
    const error = row['Last_IO_Error'] || row['Last_SQL_Error'];
    return { lagMs: null, why: `replication is not running (IO thread: ${String(io)}, SQL thread: ${String(sql)})${error ? `: ${String(error)}` : ''}` };
  }
  const seconds = field(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master');
  if (seconds === null) return { lagMs: null, why: 'the replica reports no lag (Seconds_Behind_Source is NULL)' };
  return { lagMs: Number(seconds) * 1000 };
}

/** The worst channel speaks for a replica with several sources. */
const worst = (a: Omit<ReplicaReading, 'replica'>, b: Omit<ReplicaReading, 'replica'>) =>
  a.lagMs === null ? a : b.lagMs === null || b.lagMs > a.lagMs ? b : a;

export const mysqlReplicaLag: ReplicaLagSql = {
  unsupported: () => null,
  unitMs: 1000,
  // A Galera node is read for what it holds the cluster back by: its receive queue and flow control.
  async ofReplica(conn) {
    const galera = await galeraBackPressure(conn);
    if (galera) return galera;
    const rows = await replicaStatus(conn);
    return rows.length === 0 ? null : rows.map(lagOf).reduce(worst);
  },
  clusterNodes: galeraNodeUrls,
};
