import type { SyncSpec } from './sync-spec.js';
import type { TableCopy } from './table-copy.js';

/** A table walked in primary-key order. */
export interface KeyedTable {
  table: string;
  /** Primary-key columns, the keyset order. */
  key: string[];
}

/** One keyset-batched data move: rows of `table`, in primary-key order, get `set` applied. */
export interface BackfillJob extends KeyedTable {
  /** Stable across runs: the checkpoint is found by it. */
  id: string;
  /** Column -> SQL expression over the row's other columns. */
  set: Record<string, string>;
  /** Only rows meeting this condition (over the row's columns) are written. */
  where: string;
  /**
   * The batch time the job aims for unless the run sets one: shorter where live writers of the
   * rows must not wait behind a batch's row locks for longer than a lock cap.
   */
  targetBatchMs?: number;
}

/** Rows of `table`, in primary-key order, copied into a copy of the table (src/plan/operations/table-copy.ts). */
export interface CopyJob extends KeyedTable {
  id: string;
  /** Sessions side by side unless the run sets it (`BackfillOptions.workers`). */
  workers?: number;
  copy: TableCopy;
  /** The fills' expressions, final (`TableCopy.fills`). */
  fills: SyncSpec[];
  targetBatchMs?: number;
}

/** What a batched job does to each range of keys: an update of the rows, or their copy. */
export type KeyedJob = BackfillJob | CopyJob;
