import { describe, expect, it } from 'vitest';
import { MYSQL_LOCK } from '../../dialects/mysql/locks.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { describeCluster, writeSetBatchCap, type Cluster } from '../../src/model/cluster.js';
import { clusterLock, clusterWarnings, refuseOnCluster, tablesWithoutPrimaryKey } from '../../src/plan/cluster-rules.js';
import { nodeUrls } from '../../dialects/mysql/galera.js';
import type { Step } from '../../src/plan/step.js';

const galera: Cluster = { kind: 'Galera', nodes: 3, node: 'node1', state: 'Synced', ddl: 'total-order', ddlSetting: 'wsrep_OSU_method=TOI', needsPrimaryKeys: true, batchMs: 10, writeSetLimit: { rows: null, bytes: null } };

const declared = normalizeSchema(
  defineSchema({
    release: 'r1',
    tables: {
      instances: { columns: { id: 'int', uuid: 'varchar(36)' }, primaryKey: ['id'] },
      audit_log: { columns: { at: 'timestamp', note: 'text' } },
      events: { columns: { at: 'timestamp' } },
    },
  }),
);

const step = (lock: Step['lock'], extra: Partial<Step> = {}) => ({ id: 's', lock, estimatedRows: 200_000, ...extra }) as Step;

describe('a cluster that replicates DDL in total order', () => {
  it('costs a table scan or rebuild every node\'s commits for the whole statement, with the rows it reads', () => {
    for (const lock of [MYSQL_LOCK.onlineBuild, MYSQL_LOCK.onlineRebuild, MYSQL_LOCK.copy]) {
      const on = clusterLock(step(lock), galera);
      expect(on.level).toBe(`${lock.level}; Galera wsrep_OSU_method=TOI: no transaction commits on any of the 3 nodes until the whole statement is done (~200,000 rows)`);
      expect(on.blocksWrites).toBe(true);
    }
  });

  it('costs a metadata change a brief wait on every node, and leaves batches of rows as they are', () => {
    for (const lock of [MYSQL_LOCK.instant, MYSQL_LOCK.metadata, MYSQL_LOCK.online]) {
      const on = clusterLock(step(lock), galera);
      expect(on.level).toBe(`${lock.level}; Galera wsrep_OSU_method=TOI: commits wait on every node for the metadata change`);
      expect(on.blocksWrites).toBe(false);
    }
    const batches = step(MYSQL_LOCK.batch, { work: { kind: 'backfill' } as Step['work'] });
    expect(clusterLock(batches, galera)).toBe(batches.lock);
  });

  it('changes nothing off a cluster, or where DDL applies on one node only', () => {
    const s = step(MYSQL_LOCK.onlineRebuild);
    expect(clusterLock(s, null)).toBe(s.lock);
    expect(clusterLock(s, { ...galera, ddl: 'rolling', ddlSetting: 'wsrep_OSU_method=RSU' })).toBe(s.lock);
  });

  it('is described in one line', () => {
    expect(describeCluster(galera)).toBe('Galera cluster of 3 node(s), through node1 (Synced); DDL replicates in total order (wsrep_OSU_method=TOI): while a schema change runs, no transaction commits on any node');
  });
});

describe('tables without a primary key on a cluster that needs one', () => {
  it('are listed, warned of in the plan and refused with the fix', () => {
    expect(tablesWithoutPrimaryKey(declared)).toEqual(['audit_log', 'events']);
    expect(clusterWarnings(galera, declared)).toEqual(['Galera: audit_log, events have no primary key; expand, migrate and contract refuse the release until each declares one']);
    expect(() => refuseOnCluster(galera, declared)).toThrow(/release r1 declares 2 table\(s\) without a primary key, and this Galera cluster cannot replicate their rows safely; nothing was changed: audit_log, events/);
  });

  it('are nothing to refuse off a cluster', () => {
    expect(clusterWarnings(null, declared)).toEqual([]);
    expect(() => refuseOnCluster(null, declared)).not.toThrow();
    expect(() => refuseOnCluster({ ...galera, needsPrimaryKeys: false }, declared)).not.toThrow();
  });
});

describe('batches under the cluster\'s write-set limits', () => {
  const limited = (rows: number | null, bytes: number | null): Cluster => ({ ...galera, writeSetLimit: { rows, bytes } });
  it('take half the rows limit, and a quarter of the bytes limit in average rows; nothing where unlimited', () => {
    expect(writeSetBatchCap(galera, 200)).toBeNull();
    expect(writeSetBatchCap(limited(131_072, null), 200)).toBe(65_536);
    expect(writeSetBatchCap(limited(null, 1_048_576), 256)).toBe(1024);
    expect(writeSetBatchCap(limited(131_072, 1_048_576), 256)).toBe(1024);
    expect(writeSetBatchCap(limited(100, 2_147_483_647), 100)).toBe(50);
  });
  it('count the rows limit alone where the table\'s row size is unknown, and never cap below one row', () => {
    expect(writeSetBatchCap(limited(null, 1_048_576), null)).toBeNull();
    expect(writeSetBatchCap(limited(1, null), null)).toBe(1);
    expect(writeSetBatchCap(limited(null, 100), 1000)).toBe(1);
  });
});

describe("the nodes a Galera cluster lists, as URLs to watch", () => {
  const url = 'mysql://app:s3cret@db.example:3306/nova?ssl=true';
  it("keeps the run's account, database and options, with each node's address", () => {
    expect(nodeUrls('127.0.0.1:3306,127.0.0.1:3307, [::1]:3308', url)).toEqual([
      'mysql://app:s3cret@127.0.0.1:3306/nova?ssl=true',
      'mysql://app:s3cret@127.0.0.1:3307/nova?ssl=true',
      'mysql://app:s3cret@[::1]:3308/nova?ssl=true',
    ]);
  });
  it('gives none where a node lists no address', () => {
    expect(nodeUrls('', url)).toEqual([]);
    expect(nodeUrls('AUTO,127.0.0.1:3306', url)).toEqual([]);
    expect(nodeUrls('127.0.0.1:3306,', url)).toEqual([]);
  });
});
