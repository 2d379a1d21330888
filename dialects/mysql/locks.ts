import type { LockInfo } from '../../src/model/locks.js';

/** What MySQL and MariaDB do under each ALGORITHM and LOCK clause dbtide writes, ranked by what they hold. */
export const MYSQL_LOCK = {
  /** Session settings, views, CREATE DATABASE: no table lock. */
  none: { level: 'none on tables', blocksWrites: false, rewritesTable: false, rank: 0 },
  batch: { level: 'row locks, one batch of rows at a time', blocksWrites: false, rewritesTable: false, rank: 1 },
  instant: { level: 'ALGORITHM=INSTANT (metadata only, brief metadata lock)', blocksWrites: false, rewritesTable: false, rank: 2 },
  /** Triggers, renames of tables and views, DROP TABLE. */
  metadata: { level: 'brief metadata lock', blocksWrites: false, rewritesTable: false, rank: 2 },
  online: { level: 'ALGORITHM=INPLACE, LOCK=NONE (reads and writes continue)', blocksWrites: false, rewritesTable: false, rank: 3 },
  onlineBuild: { level: 'ALGORITHM=INPLACE, LOCK=NONE, index built (reads and writes continue)', blocksWrites: false, rewritesTable: false, scansTable: true, rank: 3 },
  onlineRebuild: { level: 'ALGORITHM=INPLACE, LOCK=NONE, table rebuilt (reads and writes continue)', blocksWrites: false, rewritesTable: true, rank: 3 },
  /** LOCK TABLES ... WRITE around a swap: writes wait for the milliseconds it holds. */
  tableWrite: { level: 'LOCK TABLES ... WRITE, for milliseconds', blocksWrites: false, rewritesTable: false, rank: 4 },
  shared: { level: 'ALGORITHM=INPLACE, LOCK=SHARED (writes wait)', blocksWrites: true, rewritesTable: true, rank: 5 },
  copy: { level: 'ALGORITHM=COPY, LOCK=SHARED (the table is copied; writes wait)', blocksWrites: true, rewritesTable: true, rank: 6 },
} satisfies Record<string, LockInfo>;
