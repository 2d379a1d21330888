/** What a statement does to the schema and its rows, as far as its text tells. */
export type StatementClass =
  | 'additive'
  | 'relaxing'
  | 'tightening'
  | 'validation'
  | 'destructive'
  | 'rewrite'
  | 'data'
  | 'maintenance'
  | 'session'
  | 'read'
  | 'unknown';

/**
 * A dialect's reading of its own SQL for the phase policy, from the text alone: deliberately
 * independent of the planner, so the policy holds even when the planner is wrong.
 */
export interface StatementClassifier {
  /** A string holding several statements is as bad as its worst statement; one holding none is unknown. */
  classify(sql: string): StatementClass;
  /** How many statements the string holds, as the server runs them (a trigger's or function's body is part of its own). */
  count(sql: string): number;
  /**
   * Whether `sqls[i]`, one of a step's statements (which run together), renames a table in a way
   * old code can live with: the step keeps the old name showing the same rows, through a view.
   */
  compensatedRename(sqls: string[], i: number): boolean;
  /**
   * Whether `sql` (raw text) only drops dbtide's own objects (a table copy, its triggers, the table
   * it replaced), or prepares and runs a statement of dbtide's name: nothing of the application's.
   */
  ownObjectsOnly(sql: string): boolean;
}
