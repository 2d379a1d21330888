import type { Connection, ReplicaReading } from '../../src/dialect.js';
import type { Cluster } from '../../src/model/cluster.js';

/**
 * The Galera cluster this MariaDB server is a node of, or null. MySQL has no wsrep variables;
 * MariaDB has them with wsrep_on OFF when it is not clustered.
 */
export async function galeraCluster(conn: Connection): Promise<Cluster | null> {
  const rows = await conn.query<{ Variable_name: string; Value: string }>(
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'wsrep_OSU_method', 'wsrep_node_name', 'wsrep_max_ws_rows', 'wsrep_max_ws_size')",
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
    // Measured on three nodes on 2 cores: 25 ms copy batches held the other nodes' writers up to
    // 290 ms during 004-liberty's contract at 200,000 instances, 10 ms ones 130 ms.
    batchMs: 10,
    writeSetLimit: { rows: writeSetLimit(vars.wsrep_max_ws_rows), bytes: writeSetLimit(vars.wsrep_max_ws_size) },
  };
}

/** A write-set limit; 0 (or unset) is none. */
const writeSetLimit = (value: string | undefined): number | null => (Number(value ?? 0) > 0 ? Number(value) : null);

/** Galera's default flow-control limit (gcs.fc_limit), where the provider options do not say. */
const FC_LIMIT = 16;

/**
 * How far a Galera node holds the cluster back, as a replica reading, or null when the server is
 * no Galera node. A node whose receive queue reaches its flow-control limit makes every node pause
 * its commits, so data work waits before that: while the node's queue is at half the limit or
 * more, or flow control is on. A desynced node (a backup, FLUSH TABLES WITH READ LOCK) sends no
 * flow control; its queue still says how far it has fallen behind. There is no lag in ms to read:
 * behind counts as unknown with the reason, caught up as 0.
 */
export async function galeraBackPressure(conn: Connection): Promise<Omit<ReplicaReading, 'replica'> | null> {
  const rows = await conn.query<{ Variable_name: string; Value: string }>(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_recv_queue', 'wsrep_flow_control_active', 'wsrep_local_state_comment')",
  );
  const status = Object.fromEntries(rows.map((r) => [r.Variable_name.toLowerCase(), r.Value]));
  if (status.wsrep_local_recv_queue === undefined) return null;
  const [{ Value: options = '' } = { Value: '' }] = await conn.query<{ Value: string }>("SHOW GLOBAL VARIABLES LIKE 'wsrep_provider_options'");
  if (options === '') return null;
  const limit = Number(/gcs\.fc_limit\s*=\s*(\d+)/.exec(options)?.[1] ?? FC_LIMIT);
  const queue = Number(status.wsrep_local_recv_queue);
  const state = status.wsrep_local_state_comment ?? '?';
  if (status.wsrep_ready !== 'ON') return { lagMs: null, why: `the node is not ready (${state})` };
  if (status.wsrep_flow_control_active === 'true') return { lagMs: null, why: `the cluster is in flow control (receive queue ${queue}, limit ${limit})` };
  if (queue >= Math.max(1, Math.floor(limit / 2))) return { lagMs: null, why: `its receive queue holds ${queue} write sets (flow control at ${limit}; node ${state})` };
  return { lagMs: 0 };
}

/**
 * Every node's client address, as the cluster lists them (wsrep_incoming_addresses), as URLs
 * (`nodeUrls`).
 */
export async function galeraNodeUrls(conn: Connection, url: string): Promise<string[]> {
  const [row] = await conn.query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'wsrep_incoming_addresses'");
  return nodeUrls(row?.Value ?? '', url);
}

/**
 * `url` with each node's address of a `host:port,...` list, its account, database and options
 * kept; empty where a node lists none (`AUTO`, or no address configured).
 */
export function nodeUrls(addresses: string, url: string): string[] {
  const listed = addresses.split(',').map((a) => a.trim());
  if (listed.some((a) => !/^(\[[^\]]+\]|[^:\s,]+):\d+$/.test(a))) return [];
  return listed.map((address) => {
    const node = new URL(url);
    node.host = address;
    return node.toString();
  });
}
