import { describe, expect, it } from 'vitest';
import { MYSQL_LOCK } from '../../dialects/mysql/locks.js';
import { rebuildMemoryWarnings } from '../../dialects/mysql/rebuild-memory.js';
import type { PlannedStep } from '../../src/dialect.js';
import type { LockInfo } from '../../src/model/locks.js';

const MIB = 2 ** 20;
const step = (table: string, lock: LockInfo = MYSQL_LOCK.onlineRebuild, phase = 'contract', batched = false): PlannedStep => ({ phase, table, lock, batched });

describe('a table rebuilt online that the buffer pool cannot hold twice', () => {
  it('is named, with its size, the pool, what to raise it to, and the phases that rebuild it', () => {
    const [warning, ...rest] = rebuildMemoryWarnings([step('instances'), step('instances', MYSQL_LOCK.onlineRebuild, 'expand'), step('small')], 128 * MIB, { instances: 100 * MIB, small: MIB });
    expect(rest).toEqual([]);
    expect(warning).toBe(
      'contract and expand rebuilds instances (~100 MiB) online, and the buffer pool (128 MiB) cannot hold it and its copy: the rebuild evicts the application\'s pages, and writes stall on disk reads near its end (hundreds of ms); raise innodb_buffer_pool_size to at least 200 MiB first (SET GLOBAL innodb_buffer_pool_size takes effect at once), or run contract and expand when writes are few',
    );
  });

  it('is not mentioned where the pool holds it twice, nor for steps that do not rebuild in one statement', () => {
    expect(rebuildMemoryWarnings([step('instances')], 1024 * MIB, { instances: 100 * MIB })).toEqual([]);
    expect(rebuildMemoryWarnings([step('instances', MYSQL_LOCK.onlineRebuild, 'migrate', true)], 128 * MIB, { instances: 100 * MIB })).toEqual([]);
    const index = Object.keys(MYSQL_LOCK).map((k) => MYSQL_LOCK[k as keyof typeof MYSQL_LOCK]).filter((l) => !l.rewritesTable || l.blocksWrites);
    expect(rebuildMemoryWarnings(index.map((l) => step('instances', l)), 128 * MIB, { instances: 100 * MIB })).toEqual([]);
  });
});
