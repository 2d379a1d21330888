/**
 * The replica-lag throttle of a run: which replicas it watches, refused settings, and the
 * sessions that read their lag. The waiting itself is lag-throttle.ts's.
 */
import type { Connection, ReplicaLagSql, ReplicaReading } from '../dialect.js';
import { dialectFor } from '../../dialects/registry.js';
import type { Database } from '../engine.js';
import { DbtideError } from '../errors.js';
import type { Emit } from '../execute/events.js';
import { redactSecrets, redactUrl } from '../redact.js';
import { lagThrottle, type BeforeBatch } from './lag-throttle.js';

export interface ReplicaLagOptions {
  /** Batches of data work wait while any replica is further behind than this, in ms. */
  maxLagMs: number;
  /**
   * URLs of the replicas to read the lag on, each as its own session. None: the primary's own view
   * of its replicas (PostgreSQL's pg_stat_replication); MySQL and MariaDB need them named.
   */
  replicas?: string[];
  /** How often the lag is read at most, in ms (default: a quarter of the limit, from 20 to 200). */
  checkEveryMs?: number;
}

/** A run's watch on its replicas: the hook its batches await, and the sessions to close afterwards. */
export interface ReplicaWatch {
  beforeBatch: BeforeBatch;
  close(): Promise<void>;
}

const NO_THROTTLE_FIX = 'run without a replica lag limit (--max-replica-lag, --replica), and pace the data work with --sleep-ms instead';

/**
 * Refuses what cannot work before anything connects or changes (a dry run too): a limit that is
 * no whole number of ms, a server without replicas to read, a replica URL of another kind.
 */
export async function refuseReplicaLag(db: Database, options: ReplicaLagOptions): Promise<ReplicaLagSql> {
  const { maxLagMs, replicas = [] } = options;
  if (!Number.isSafeInteger(maxLagMs) || maxLagMs < 1) {
    throw new DbtideError(`the replica lag limit must be a whole number of ms, at least 1; got ${String(maxLagMs)}`, 1, 'give --max-replica-lag <ms>, e.g. --max-replica-lag 1000');
  }
  const lag = db.dialect.runtime.replicaLag;
  if (!lag) throw new DbtideError(`a replica lag limit is not supported on ${db.caps.server}: dbtide reads no replica lag there`, 1, NO_THROTTLE_FIX);
  const own = lag.unsupported(db.url);
  if (own !== null) throw new DbtideError(`no replica lag to wait for on ${db.caps.server}: ${own}`, 1, NO_THROTTLE_FIX);
  for (const url of replicas) {
    const dialect = await dialectFor(url);
    if (dialect.name !== db.dialect.name) {
      throw new DbtideError(`replica ${redactUrl(url)} is a ${dialect.name} URL, but the database is ${db.caps.server}`, 1, `give the URL of a replica of ${db.name}`);
    }
    const why = lag.unsupported(url);
    if (why !== null) throw new DbtideError(`replica ${redactUrl(url)} cannot be watched: ${why}`, 1, `give the URL of a replica of ${db.name}`);
  }
  if (replicas.length === 0 && !lag.fromPrimary && !(db.cluster && lag.clusterNodes)) {
    throw new DbtideError(
      `${db.caps.server} does not tell its replicas' lag to the primary: a replica lag limit needs each replica named`,
      1,
      'give --replica <url> for each replica to watch (library: replicaLag.replicas), with a user that may run SHOW REPLICA STATUS (REPLICATION CLIENT)',
    );
  }
  return lag;
}

/**
 * Opens the sessions that read the lag and checks each replica is one, so a wrong URL fails the
 * run before its first change; a session of its own on the primary too, as batches may run on
 * several sessions at once.
 */
export async function openReplicaWatch(db: Database, options: ReplicaLagOptions, emit: Emit): Promise<ReplicaWatch> {
  const lag = await refuseReplicaLag(db, options);
  const replicas = options.replicas?.length ? options.replicas : await clusterNodes(db, lag, emit);
  const sources: LagSource[] = [];
  try {
    if (replicas.length === 0) {
      sources.push(await primarySource(db, lag));
    } else {
      for (const url of replicas) sources.push(await replicaSource(db, lag, url));
    }
  } catch (error) {
    await Promise.all(sources.map((s) => s.close()));
    throw error;
  }
  noteLagUnit(db, lag, options.maxLagMs, emit);
  const beforeBatch = lagThrottle({
    limitMs: options.maxLagMs,
    read: async () => (await Promise.all(sources.map((s) => s.read()))).flat(),
    emit,
    ...(options.checkEveryMs === undefined ? {} : { checkEveryMs: options.checkEveryMs }),
    noReplicas: `no replica is connected to ${db.caps.server} (pg_stat_replication is empty): data work goes on without waiting for replicas`,
  });
  return { beforeBatch, close: async () => void (await Promise.all(sources.map((s) => s.close()))) };
}

/**
 * With no replica named, on a node of a cluster: every node the cluster lists, each read as a
 * replica is (its queue and flow control). A cluster that lists none is refused as a server
 * without replicas is.
 */
async function clusterNodes(db: Database, lag: ReplicaLagSql, emit: Emit): Promise<string[]> {
  if (!db.cluster || !lag.clusterNodes) return [];
  const nodes = await lag.clusterNodes(db.conn, db.url);
  if (nodes.length === 0) {
    throw new DbtideError(
      `this ${db.cluster.kind} cluster lists no client address for its nodes (wsrep_incoming_addresses), so a replica lag limit has no node to watch`,
      1,
      'give --replica <node URL> for each node to watch (library: replicaLag.replicas), or set wsrep_node_incoming_address on each node',
    );
  }
  emit({ type: 'notice', message: `watching the ${nodes.length} node(s) of the ${db.cluster.kind} cluster: ${nodes.map((n) => redactUrl(n)).join(', ')}` });
  return nodes;
}

/** Says how a limit between two steps of the server's lag reading acts: MySQL counts whole seconds. */
function noteLagUnit(db: Database, lag: ReplicaLagSql, limitMs: number, emit: Emit): void {
  const unit = lag.unitMs ?? 1;
  if (limitMs % unit === 0) return;
  const waitsFrom = (Math.floor(limitMs / unit) + 1) * unit;
  emit({ type: 'notice', message: `${db.caps.server} counts replica lag in steps of ${unit} ms: a limit of ${limitMs} ms holds data work back while a replica is ${waitsFrom} ms or more behind` });
}

interface LagSource {
  read(): Promise<ReplicaReading[]>;
  close(): Promise<void>;
}

async function primarySource(db: Database, lag: ReplicaLagSql): Promise<LagSource> {
  const conn = await db.dialect.connect(db.url);
  try {
    // Read once now: a role that may not read the lag is refused before the first change.
    await lag.fromPrimary!(conn);
  } catch (error) {
    await conn.close().catch(() => {});
    throw error;
  }
  return { read: () => lag.fromPrimary!(conn), close: () => conn.close().catch(() => {}) };
}

/**
 * A replica that cannot be read during the run counts as behind, with the reason: its session is
 * opened again at the next reading, and the work waits until it answers within the limit.
 */
async function replicaSource(db: Database, lag: ReplicaLagSql, url: string): Promise<LagSource> {
  const replica = replicaName(url);
  const connect = async () => {
    try {
      return await db.dialect.connect(url);
    } catch (error) {
      const message = redactSecrets((error as Error).message ?? String(error), url);
      throw new DbtideError(`replica ${redactUrl(url)} cannot be connected to: ${message}`, 1, (error as DbtideError).hint ?? `check the replica URL (${redactUrl(url)}) and that the server is running`);
    }
  };
  let conn: Connection | null = await connect();
  try {
    if ((await lag.ofReplica(conn)) === null) {
      throw new DbtideError(`${redactUrl(url)} is not a replica: it replicates from no server`, 1, `give the URL of a replica of ${db.name}`);
    }
  } catch (error) {
    await conn.close().catch(() => {});
    if (error instanceof DbtideError) throw error;
    throw new DbtideError(`replica ${redactUrl(url)}: its lag cannot be read: ${redactSecrets((error as Error).message ?? String(error), url)}`, 1, 'connect as a user that may read the replication status (MySQL: REPLICATION CLIENT)');
  }
  return {
    async read() {
      try {
        conn ??= await connect();
        const reading = await lag.ofReplica(conn);
        return [reading === null ? { replica, lagMs: null, why: 'it is no longer a replica (promoted?)' } : { replica, ...reading }];
      } catch (error) {
        await conn?.close().catch(() => {});
        conn = null;
        return [{ replica, lagMs: null, why: `its lag cannot be read: ${redactSecrets((error as Error).message ?? String(error), url)}` }];
      }
    },
    close: async () => void (await conn?.close().catch(() => {})),
  };
}

/** `host:port/database`, as `Database.name` calls the primary: never a password. */
function replicaName(url: string): string {
  const shown = redactUrl(url);
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/?#]*)([^?#]*)/i.exec(shown);
  return m ? `${m[1]}${m[2]}` : shown;
}

/** Runs the hooks one after the other; undefined when there is none. */
export function inTurn(...hooks: (BeforeBatch | undefined)[]): BeforeBatch | undefined {
  const given = hooks.filter((h): h is BeforeBatch => h !== undefined);
  if (given.length <= 1) return given[0];
  return async (signal) => {
    for (const hook of given) await hook(signal);
  };
}
