import type { IndexModel } from './schema-model.js';

/** An index (or unique key) of the column, built again on the shadow and renamed back in the swap. */
export interface ShadowIndex {
  /** The live index's name, which the copy takes in the swap. */
  name: string;
  /** The copy, over the shadow instead of the column, under a name of dbtide's. */
  copy: IndexModel;
  built: boolean;
}

/**
 * NOT NULL through a shadow column (src/diff/not-null-shadows.ts), and how far a stopped run got:
 * the live schema says it, so a rerun goes on from there.
 */
export interface NotNullShadow {
  column: string;
  /** The copy trigger created last (src/dialect.ts NotNullShadowSql.copyTriggers). */
  trigger: string;
  /** The fill's job id in the ledger. */
  job: string;
  /** The table's primary key: the fill walks it. */
  key: string[];
  indexes: ShadowIndex[];
  /** Indexes of the column the release removes: the swap drops them with the column. */
  drops: string[];
  added: boolean;
  copying: boolean;
  /** The fill finished while the triggers copied every write. */
  filled: boolean;
}

/** A shadow whose column the release no longer makes NOT NULL, or whose column is gone: what is left of it. */
export interface LeftoverShadow {
  column: string | null;
  trigger: string | null;
  indexes: string[];
}
