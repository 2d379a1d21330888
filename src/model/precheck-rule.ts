import type { IndexKey } from './index-entry.js';
import type { CheckModel, ForeignKeyModel } from './schema-model.js';
import type { SyncSpec } from './sync-spec.js';

/**
 * What a precheck requires of every row. Plain data: the dialect renders it against the live
 * primary key when the scan runs (which tells duplicates apart and names offending rows).
 */
export type PrecheckRule =
  | { kind: 'not-null'; columns: string[] }
  /**
   * Keys as in an index, read against the table's columns; `where` restricts to a partial index's
   * rows; `nullsNotDistinct`: rows whose key holds NULLs collide too.
   */
  | { kind: 'unique'; keys: IndexKey[]; where: string | null; nullsNotDistinct?: boolean }
  | { kind: 'foreign-key'; foreignKey: ForeignKeyModel }
  | { kind: 'check'; check: CheckModel }
  /** No two rows (where `where` holds) whose keys all match under their operators, as an EXCLUDE constraint says. */
  | { kind: 'exclusion'; keys: IndexKey[]; operators: string[]; where: string | null }
  /** A transition's new columns agree with its forward expressions; `--force` may override it. */
  /** `exact`: every row holds the forward expressions' values; else only: no row is left empty. */
  | { kind: 'verification'; sync: SyncSpec; exact: boolean };

export type PrecheckKind = PrecheckRule['kind'];

/** Rules a row breaks on its own (not through other rows): they can be scanned in key ranges. */
export const isRowLocal = (rule: PrecheckRule) => rule.kind !== 'unique' && rule.kind !== 'exclusion';
