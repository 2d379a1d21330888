import { OWN_TABLE_PREFIX } from './own-objects.js';
import type { CheckModel, ColumnModel, IndexModel, KeyConstraint } from './schema-model.js';
import type { ColumnSync } from './transition.js';

/**
 * NOT NULL (and, on a cluster, unique keys and column swaps) through a copy of the table
 * (src/diff/not-null-copies.ts), and how far a stopped run got: the live schema says it, so a
 * rerun goes on from there.
 */
export interface TableCopy {
  /** The copy, declared like the table but for the columns made NOT NULL. */
  name: string;
  /** The replaced table's name between the swap and its drop. */
  old: string;
  /** The copy triggers, the INSERT one created last (src/dialect.ts TableCopySql.create). */
  triggers: CopyTriggers;
  /** The copy job's id in the ledger. */
  job: string;
  /** The table's primary key: the copy walks it. */
  key: string[];
  /**
   * Every column of the copy, in its order: what the copy and its triggers carry (the dialect
   * leaves out those the server computes). A swapped column is read from its shadow (`copySource`).
   */
  columns: ColumnModel[];
  /** The columns made NOT NULL, as declared. */
  notNull: ColumnModel[];
  /**
   * Unique keys the copy is made with, so the table gains them at the swap: on a cluster that
   * replicates DDL in total order, building one on the live table stops every node's commits for
   * as long as it reads the table, where on the empty copy it takes no time.
   */
  uniques: KeyConstraint[];
  /** Check constraints the copy is made with, on a cluster, for the same reason: the server validates one by rebuilding the table. */
  checks: CheckModel[];
  /**
   * Type changes whose converted shadow column the copy holds under the column's name, so the
   * swap is the rename: on a cluster, LOCK TABLES (which keeps writes off the table between the
   * in-place swap and its triggers' drop) holds on one node only. The table's sync triggers keep
   * the shadow in step until the rename, and go with the replaced table.
   */
  swaps: ColumnSync[];
  /**
   * Indexes the copy is made with, in expand: on a cluster that replicates DDL in total order,
   * building one on the live table stops every node's commits for as long as it reads the table.
   */
  indexes: IndexModel[];
  /**
   * Syncs whose new columns the copy fills as it copies the rows, and whose triggers it takes along
   * at the swap (src/diff/not-null-copies.ts fillCopy): a backfill in migrate. None for a NOT NULL.
   */
  fills: ColumnSync[];
  /** The copy exists, shaped as it should be, and its triggers are complete. */
  copying: boolean;
  /** The copy job finished while the triggers carried every write. */
  copied: boolean;
}

export interface CopyTriggers {
  insert: string;
  update: string;
  delete: string;
}

/** What a copy leaves that no pending NOT NULL explains: taken down in contract. */
export interface LeftoverCopy {
  /** The copy table, when it exists. */
  copy: string | null;
  /** The replaced table a swap left, when it exists. */
  old: string | null;
  triggers: CopyTriggers | null;
}

/** How copy tables and replaced tables are named (src/plan/owned-names.ts tableCopyNames). */
export const COPY_PREFIX = { copy: `${OWN_TABLE_PREFIX}copy_`, old: `${OWN_TABLE_PREFIX}old_` } as const;

/** The tables a copy names: introspection reads them apart from the schema's. */
export const isCopyTableName = (name: string) => name.startsWith(COPY_PREFIX.copy) || name.startsWith(COPY_PREFIX.old);

/** The table's column a copy's column is read from: a swapped column's shadow, any other itself. */
export const copySource = (copy: Pick<TableCopy, 'swaps'>, column: string): string => copy.swaps.find((s) => s.swap?.column === column)?.swap?.shadow ?? column;
