import type { LockInfo } from '../../src/model/locks.js';

/** PostgreSQL's lock modes, ranked as the server orders them. */
export const PG_LOCK = {
  /** CREATE VIEW, CREATE SCHEMA, CREATE FUNCTION: no lock a table's readers or writers wait for. */
  none: { level: 'none on tables', blocksWrites: false, rewritesTable: false, rank: 0 },
  batch: { level: 'ROW EXCLUSIVE, one batch of rows at a time', blocksWrites: false, rewritesTable: false, rank: 3 },
  online: { level: 'SHARE UPDATE EXCLUSIVE (reads and writes continue)', blocksWrites: false, rewritesTable: false, rank: 4 },
  shareRow: { level: 'SHARE ROW EXCLUSIVE, brief', blocksWrites: false, rewritesTable: false, rank: 6 },
  metadata: { level: 'ACCESS EXCLUSIVE, brief (metadata only)', blocksWrites: false, rewritesTable: false, rank: 8 },
  /** CREATE INDEX without CONCURRENTLY. */
  indexBuild: { level: 'SHARE while the index is built (writes wait)', blocksWrites: true, rewritesTable: true, rank: 5 },
  /** Validating a foreign key as it is added. */
  shareRowScan: { level: 'SHARE ROW EXCLUSIVE during a full scan (writes wait)', blocksWrites: true, rewritesTable: false, rank: 6 },
  scan: { level: 'ACCESS EXCLUSIVE during a full scan', blocksWrites: true, rewritesTable: false, rank: 8 },
  /** ADD CONSTRAINT ... EXCLUDE: no NOT VALID form, so the index is built under the table's strongest lock. */
  exclusion: { level: 'ACCESS EXCLUSIVE while its index is built and every row checked (reads and writes wait)', blocksWrites: true, rewritesTable: false, rank: 8 },
  rewrite: { level: 'ACCESS EXCLUSIVE while the table is rewritten', blocksWrites: true, rewritesTable: true, rank: 8 },
} satisfies Record<string, LockInfo>;
