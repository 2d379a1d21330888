/**
 * The server is one node of a cluster that replicates synchronously (a MariaDB Galera cluster):
 * what that changes for a run. The run lock must hold on every node, a DDL statement costs what
 * it does to the whole cluster, and the other nodes' queues are back-pressure for data work.
 */
export interface Cluster {
  /** What operators call it: `Galera`. */
  kind: string;
  /** Nodes in the cluster now. */
  nodes: number;
  /** This node, as the cluster names it, and its state (`Synced`). */
  node: string;
  state: string;
  /**
   * How DDL replicates: `total-order` (every node applies it at the same point of the stream, and
   * no transaction commits on any node until it is done: Galera's TOI) or `rolling` (this node
   * only, desynced: RSU).
   */
  ddl: 'total-order' | 'rolling';
  /** The server's own setting behind `ddl`, for messages (`wsrep_OSU_method=TOI`). */
  ddlSetting: string;
  /** Rows of a table without a primary key do not replicate safely: such tables are refused. */
  needsPrimaryKeys: boolean;
  /**
   * The longest a batch of data work should take: every node applies each batch's write set in
   * commit order, and its own application's commits wait behind it.
   */
  batchMs: number;
  /**
   * The most rows and bytes one transaction may write (Galera: wsrep_max_ws_rows,
   * wsrep_max_ws_size), null where unlimited: a batch over either fails on commit.
   */
  writeSetLimit: { rows: number | null; bytes: number | null };
}

/**
 * The most rows a batch writes on the cluster: half of each limit, as an UPDATE's write set
 * carries the row before and after, and a batch's triggers may write as much again; null where
 * nothing limits it. `rowBytes`: the table's average row, null where unknown (then only the rows
 * limit counts).
 */
export function writeSetBatchCap(cluster: Cluster, rowBytes: number | null): number | null {
  const { rows, bytes } = cluster.writeSetLimit;
  const caps = [
    ...(rows === null ? [] : [Math.floor(rows / 2)]),
    ...(bytes === null || rowBytes === null || rowBytes <= 0 ? [] : [Math.floor(bytes / (4 * rowBytes))]),
  ];
  return caps.length === 0 ? null : Math.max(1, Math.min(...caps));
}

/** One line for plan and status: what the cluster is and what its DDL costs. */
export function describeCluster(c: Cluster): string {
  const ddl =
    c.ddl === 'total-order'
      ? `DDL replicates in total order (${c.ddlSetting}): while a schema change runs, no transaction commits on any node`
      : `DDL applies on this node only (${c.ddlSetting})`;
  return `${c.kind} cluster of ${c.nodes} node(s), through ${c.node} (${c.state}); ${ddl}`;
}
