import type { Phase } from './phase.js';
import type { ColumnType } from './column-type.js';

/**
 * Keeps new columns in step with old ones while old and new code both run: a dual-write trigger
 * from expand to contract, a backfill in migrate, and a verification before contract.
 */
export interface ColumnSync {
  kind: 'column-sync';
  /** Stable across runs: names the trigger and the backfill's checkpoint. */
  id: string;
  table: string;
  /** The dual-write trigger (and its function). */
  trigger: string;
  /** How the transition was declared, for messages. */
  declaredAs: 'rename-column' | 'derive' | 'fill' | 'change-type';
  /**
   * New column -> SQL expression over the old columns (what old code writes reaches the new). A
   * rename's are column names; src/plan/operations/column-sync.ts makes them SQL (`syncSpec`).
   */
  forward: Record<string, string>;
  /** Old column -> SQL expression over the new columns (what new code writes reaches the old); as `forward` for a rename. */
  backward: Record<string, string>;
  /** Old columns that contract drops once the new ones hold their data. */
  retires: string[];
  /**
   * Old columns the forward expressions read: an UPDATE that changes one of them came from old
   * code. Empty means any UPDATE that leaves the new columns alone recomputes them.
   */
  sources: string[];
  /** Fill: the new column only gets the forward value where it is NULL (new code writes its own). */
  fillOnly: boolean;
  /**
   * Change-type: the new type lives in a shadow column until contract swaps it in under the old
   * name. `using` is the conversion; null means a plain cast to `type`. `from`, the live column's
   * type, is set by the diff: what new code writes to the shadow reaches the old column cast back.
   */
  swap: { column: string; shadow: string; type: ColumnType; using: string | null; from?: ColumnType } | null;
}

/** The old name stays usable, as a view, until contract. */
export interface TableRename {
  kind: 'rename-table';
  from: string;
  to: string;
}

/**
 * A constraint or an index renamed in place (never rebuilt), in contract: old code may tell errors
 * apart by the old name. `object` says which the release named, `rename-constraint` or
 * `rename-index`; the live side decides the statement (a MySQL unique key is an index).
 */
export interface NamedObjectRename {
  kind: 'rename-object';
  object: 'constraint' | 'index';
  table: string;
  from: string;
  to: string;
}

/** What a custom data move can do with the database, one batch at a time. */
export interface DataMoveContext {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Positional placeholder for the dialect: `$1` on PostgreSQL, `?` on MySQL. */
  param(index: number): string;
  /** Rows the move should aim to handle in this call. */
  batchSize: number;
}

/** `found`: rows this call handled; `done`: nothing is left. */
export interface DataMoveBatch {
  found: number;
  done: boolean;
}

export type DataMoveFn = (ctx: DataMoveContext) => Promise<DataMoveBatch>;

/** A move written in TypeScript; each call handles one batch and commits with its checkpoint. */
export interface DataMove {
  kind: 'data-move';
  id: string;
  name: string;
  run: DataMoveFn;
}

/**
 * SQL the release author wrote for what the DSL cannot say (a view, a function, an extension), run
 * in its declared phase under the same statement guard as every step, and recorded in the ledger
 * once all its statements ran, so that it runs once.
 */
export interface SqlStep {
  kind: 'sql';
  /** `sql:<name>`: the step's id in plans and the journal, and what the ledger records it under. */
  id: string;
  name: string;
  phase: Phase;
  description: string;
  /** One statement per entry. */
  up: string[];
  /** What undoes it, as declared; kept for the rollback work to come, never run. */
  down: string[];
  /** Of `up`: a recorded step whose statements changed since it ran is drift, not a step to run again. */
  hash: string;
}

export type Transition = ColumnSync | TableRename | NamedObjectRename | DataMove | SqlStep;

/** A raw SQL step the ledger recorded as run, with the hash of the statements that ran. */
export interface RanSqlStep {
  release: string;
  id: string;
  hash: string;
}

/** What dbtide itself keeps in the live database besides tables: read by introspection. */
export interface OwnedObjects {
  /** Dual-write triggers, by table. */
  triggers: { table: string; name: string }[];
  /** Views that keep a renamed table's old name usable until contract. */
  aliases: { name: string; table: string }[];
  /** Backfills and data moves that finished (from the ledger). */
  finishedJobs: string[];
  /**
   * Raw SQL steps that ran (from the ledger). Optional because introspection, which builds the
   * rest of this, never reads the ledger; planning against a database fills it in.
   */
  ranSqlSteps?: RanSqlStep[];
}

export const noOwnedObjects = (): OwnedObjects => ({ triggers: [], aliases: [], finishedJobs: [] });
