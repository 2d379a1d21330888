import type { Capabilities, SqlCompiler, TransitionSql } from '../dialect.js';
import type { IndexKey } from '../model/index-entry.js';
import type { Change } from '../diff/changes.js';
import type { Phase, Precheck, RawStep, StepOperation, StepWork } from './step.js';
import type { LockInfo, Statement } from '../model/locks.js';
import type { StatementClassifier } from '../model/statement-class.js';

export interface PlanContext {
  caps: Capabilities;
  sql: SqlCompiler;
  transitions: TransitionSql;
  /** Tables and columns this plan creates: no old code reads or writes them yet. */
  newTables: ReadonlySet<string>;
  newColumns: ReadonlySet<string>;
  /**
   * Where a column's values are read in its declared type: a column this plan swaps for its
   * converted copy is read from that copy (a precheck runs before the phase's swap), any other
   * column from itself.
   */
  converted(table: string, column: string): string;
  /** An index's entries read against the declared columns of its table. */
  indexKeys(table: string, entries: string[]): IndexKey[];
  /** What a backfill batch holds (the dialect's BackfillSql). */
  batchLock: LockInfo;
  /** The dialect's reading of SQL for the phase policy: raw SQL steps are checked against it while planning. */
  statements: StatementClassifier;
  warn(message: string): void;
}

/**
 * What an operation proposes before phases are settled. `render` gets the final phase, because a
 * step demoted behind a dependency (e.g. a foreign key waiting for a unique key built in contract)
 * must then use that phase's low-lock form.
 */
export interface StepDraft {
  operation: StepOperation;
  /** The object acted on (`table.column`, ...): with the operation, the step's stable id. */
  name: string;
  /** Another object the step acts on besides its table, for privileges: a view, a schema. */
  subject?: string;
  /** It removes what the old version may use, or data: contract only, and an operator confirms it. */
  destructive?: true;
  /** It only lets more writes succeed (a dropped NOT NULL, a tombstoned rule's drop). */
  relaxing?: true;
  earliest: Phase;
  table: string;
  description: string;
  render(phase: Phase): Statement[];
  transactional: boolean;
  /** The statements run as one group on one session even where DDL cannot share a transaction. */
  together?: true;
  /**
   * The step's lock where no statement of its own states it (a backfill, a data move). Otherwise
   * the strongest of its statements' locks is the step's, and none in the expand that creates its
   * table, which nobody reads or writes yet.
   */
  lock?: LockInfo;
  prechecks(phase: Phase): Precheck[];
  provides: string[];
  needs: string[];
  /** Data work the executor does itself (backfill batches, a data move), instead of or after `render`. */
  work?: StepWork;
  /** A raw SQL step's ledger record and declared undo (`Step.raw`). */
  raw?: RawStep;
  /** `Step.restartsJob`. */
  restartsJob?: string;
  /** `Step.finishesJobs`. */
  finishesJobs?: string[];
}

export type Operation<K extends Change['kind']> = (change: Extract<Change, { kind: K }>, ctx: PlanContext) => StepDraft[];

export const fact = {
  table: (t: string) => `table:${t}`,
  column: (t: string, c: string) => `column:${t}.${c}`,
  notNull: (t: string, c: string) => `not-null:${t}.${c}`,
  uniqueKey: (t: string, columns: string[]) => `unique:${t}(${columns.join(',')})`,
  constraint: (t: string, name: string) => `constraint:${t}.${name}`,
  /** The index of that name is built and valid: an index, or the index of a key. */
  index: (t: string, name: string) => `index:${t}.${name}`,
  /** The name is free: a redefinition drops the old object before it creates the new one. */
  nameFree: (t: string, name: string) => `name-free:${t}.${name}`,
  /** The dual-write trigger of a transition is in place. */
  synced: (id: string) => `synced:${id}`,
  backfilled: (id: string) => `backfilled:${id}`,
  /** The dual-write trigger of a transition is gone. */
  unsynced: (id: string) => `unsynced:${id}`,
  /** No view of a version schema reads the table (src/diff/version-schemas.ts). */
  unviewed: (t: string) => `unviewed:${t}`,
  /** No dbtide trigger reads or writes the column any more: it may be dropped. */
  released: (t: string, c: string) => `released:${t}.${c}`,
};


export const allNew = (ctx: PlanContext, table: string, columns: string[]) =>
  ctx.newTables.has(table) || (columns.length > 0 && columns.every((c) => ctx.newColumns.has(`${table}.${c}`)));

/** Says which columns a precheck reads from their converted copies (`columns` and `read` align). */
export function convertedNote(columns: string[], read: string[]): string {
  const copies = columns.flatMap((c, i) => (read[i] === c ? [] : [`${c} from ${read[i]}`]));
  return copies.length === 0 ? '' : ` in the new type (read before the swap: ${copies.join(', ')})`;
}
