/** How a step locks the table: what an operator needs to judge it. */
export interface LockInfo {
  /** The strongest lock taken, in the dialect's words. */
  level: string;
  /** True when concurrent writes wait for longer than an instant. */
  blocksWrites: boolean;
  /** True when the whole table is rewritten or scanned under that lock. */
  rewritesTable: boolean;
}

/** Locks in the words of PostgreSQL's lock modes, which operators know best; dialects map them. */
export const LOCK = {
  none: { level: 'none (new table)', blocksWrites: false, rewritesTable: false },
  metadata: { level: 'ACCESS EXCLUSIVE, brief (metadata only)', blocksWrites: false, rewritesTable: false },
  online: { level: 'SHARE UPDATE EXCLUSIVE (reads and writes continue)', blocksWrites: false, rewritesTable: false },
  shareRow: { level: 'SHARE ROW EXCLUSIVE, brief', blocksWrites: false, rewritesTable: false },
  scan: { level: 'ACCESS EXCLUSIVE during a full scan', blocksWrites: true, rewritesTable: false },
  rewrite: { level: 'ACCESS EXCLUSIVE while the table is rewritten', blocksWrites: true, rewritesTable: true },
  /** Views over the tables are written or dropped; the tables' readers and writers do not wait. */
  view: { level: 'none on tables (views only)', blocksWrites: false, rewritesTable: false },
  /** The table is rebuilt while reads and writes continue (MySQL's INPLACE, LOCK=NONE). */
  onlineRewrite: { level: 'rebuilt online (reads and writes continue)', blocksWrites: false, rewritesTable: true },
} satisfies Record<string, LockInfo>;

export type LockName = keyof typeof LOCK;
