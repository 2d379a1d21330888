import { DbtideError } from '../errors.js';
import type { Cluster } from '../model/cluster.js';
import type { LockInfo } from '../model/locks.js';
import type { DeclaredSchema } from '../model/schema-model.js';
import type { Step } from './step.js';

/** Declared tables without a primary key, whose rows a cluster that needs one cannot replicate safely. */
export const tablesWithoutPrimaryKey = (declared: DeclaredSchema): string[] =>
  Object.values(declared.model.tables)
    .filter((t) => t.primaryKey === null)
    .map((t) => t.name)
    .sort();

/** Refuses, before anything changes, a release the cluster cannot replicate. */
export function refuseOnCluster(cluster: Cluster | null, declared: DeclaredSchema): void {
  if (!cluster?.needsPrimaryKeys) return;
  const keyless = tablesWithoutPrimaryKey(declared);
  if (keyless.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares ${keyless.length} table(s) without a primary key, and this ${cluster.kind} cluster cannot replicate their rows safely; nothing was changed: ${keyless.join(', ')}`,
    1,
    `declare a primary key on each (primaryKey: ['id']), adding a column for it where none is unique (id: { type: 'bigint', identity: true }): the other nodes find a replicated row by its key, and without one by a scan, or not at all`,
  );
}

/**
 * What a step costs on a cluster that replicates DDL in total order: every node applies it at
 * the same point and no transaction commits anywhere until it is done. Data work runs as row
 * batches, which replicate as any write does, and keeps its label.
 */
export function clusterLock(step: Step, cluster: Cluster | null): LockInfo {
  if (cluster?.ddl !== 'total-order' || step.work) return step.lock;
  const scans = step.lock.rewritesTable || step.lock.scansTable === true;
  const rows = step.estimatedRows === null ? '' : ` (~${step.estimatedRows.toLocaleString('en-US')} rows)`;
  const cost = scans
    ? `${cluster.kind} ${cluster.ddlSetting}: no transaction commits on any of the ${cluster.nodes} nodes until the whole statement is done${rows}`
    : `${cluster.kind} ${cluster.ddlSetting}: commits wait on every node for the metadata change`;
  return { ...step.lock, level: `${step.lock.level}; ${cost}`, blocksWrites: step.lock.blocksWrites || scans };
}

/** The plan's notes for a cluster: what it is, and the tables it refuses. */
export function clusterWarnings(cluster: Cluster | null, declared: DeclaredSchema): string[] {
  if (!cluster) return [];
  const keyless = cluster.needsPrimaryKeys ? tablesWithoutPrimaryKey(declared) : [];
  return keyless.length === 0 ? [] : [`${cluster.kind}: ${keyless.join(', ')} ha${keyless.length === 1 ? 's' : 've'} no primary key; expand, migrate and contract refuse the release until each declares one`];
}
