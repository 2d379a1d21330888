import type { Connection } from '../../src/dialect.js';
import type { Cluster } from '../../src/model/cluster.js';

/**
 * The Galera cluster this MariaDB server is a node of, or null. MySQL has no wsrep variables;
 * MariaDB has them with wsrep_on OFF when it is not clustered.
 */
export async function galeraCluster(conn: Connection): Promise<Cluster | null> {
  const rows = await conn.query<{ Variable_name: string; Value: string }>(
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'wsrep_OSU_method', 'wsrep_node_name')",
  );
  const vars = Object.fromEntries(rows.map((r) => [r.Variable_name.toLowerCase(), r.Value]));
  if (vars.wsrep_on !== 'ON') return null;
  const status = await conn.query<{ Variable_name: string; Value: string }>(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_local_state_comment')",
  );
  const values = Object.fromEntries(status.map((r) => [r.Variable_name.toLowerCase(), r.Value]));
  const nodes = Number(values.wsrep_cluster_size ?? 0);
  // wsrep_on without a provider: a standalone server.
  if (!(nodes > 0)) return null;
  const method = vars.wsrep_osu_method ?? 'TOI';
  return {
    kind: 'Galera',
    nodes,
    node: vars.wsrep_node_name ?? '?',
    state: values.wsrep_local_state_comment ?? '?',
    ddl: method === 'RSU' ? 'rolling' : 'total-order',
    ddlSetting: `wsrep_OSU_method=${method}`,
    needsPrimaryKeys: true,
  };
}
