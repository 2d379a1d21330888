/**
 * A column sync ready for SQL: every new column with the expression (over the same row's other
 * columns) that computes it from the old ones, and the reverse where declared.
 */
export interface SyncSpec {
  table: string;
  trigger: string;
  forward: Record<string, string>;
  backward: Record<string, string>;
  /** Only fill new columns that are NULL (new code writes them itself). */
  fillOnly: boolean;
  /** Old columns whose change marks an UPDATE by old code; empty: any UPDATE not touching the new columns. */
  sources: string[];
  /**
   * The table's primary key, where the trigger is created: a dialect whose trigger writes the row
   * again after an UPDATE finds it by this (PostgreSQL, dialects/postgres/transitions.ts).
   */
  key?: string[];
}
