import type { LockInfo } from '../../src/model/locks.js';

/**
 * What Db2 LUW holds for each statement dbtide writes. Db2 names its table locks by mode (IS, IX,
 * S, U, X, Z); an ALTER TABLE takes Z (super exclusive: no reader or writer gets in) until its unit
 * of work ends, which is brief for a catalog change and long for one that reads every row.
 */
export const DB2_LOCK = {
  /** Session settings, variables, schemas and views of the version schema: no lock on a table. */
  none: { level: 'none on tables', blocksWrites: false, rewritesTable: false, rank: 0 },
  /** A batch's UPDATE: IX on the table, X on the rows of one key range. */
  batch: { level: 'IX on the table, X on one batch of rows', blocksWrites: false, rewritesTable: false, rank: 1 },
  /** A plain CREATE INDEX: "an online index with read-write access to the table" while it builds. */
  onlineIndex: { level: 'CREATE INDEX with read-write access (reads and writes continue)', blocksWrites: false, rewritesTable: false, rank: 2 },
  /** Catalog-only ALTERs, comments, triggers, renames, DROP INDEX: Z until commit, which comes at once. */
  catalog: { level: 'Z (super exclusive), brief: catalog only', blocksWrites: false, rewritesTable: false, rank: 3 },
  /** ADD PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK: every row is checked before the statement ends. */
  checkedConstraint: { level: 'Z (super exclusive) while every row is checked (reads and writes wait)', blocksWrites: true, rewritesTable: false, rank: 3 },
  /** SET NOT NULL: every row is read; the table is left to be reorganized. */
  scan: { level: 'Z (super exclusive) while every row is read (reads and writes wait)', blocksWrites: true, rewritesTable: false, rank: 3 },
  /** SET DATA TYPE other than lengthening a VARCHAR: every row is cast; the table is left to be reorganized. */
  castEveryRow: { level: 'Z (super exclusive) while every row is cast (reads and writes wait)', blocksWrites: true, rewritesTable: true, rank: 3 },
  /** Classic (offline) REORG TABLE: the only kind that clears the reorg-pending state. */
  reorg: { level: 'REORG TABLE, classic (the table is rewritten; writes wait)', blocksWrites: true, rewritesTable: true, rank: 4 },
} satisfies Record<string, LockInfo>;
