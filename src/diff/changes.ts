import type {
  CheckModel,
  ColumnModel,
  DefaultValue,
  DomainCheck,
  DomainModel,
  EnumModel,
  SequenceModel,
  Deferrable,
  ExclusionModel,
  ForeignKeyModel,
  IndexModel,
  KeyConstraint,
  ReplicaIdentity,
  TableModel,
} from '../model/schema-model.js';
import type { ColumnSync, DataMove, SqlStep } from '../model/transition.js';
import type { LeftoverCopy, TableCopy } from '../model/table-copy.js';
import type { VersionSchema } from '../model/version-schema.js';
import type { ConstraintKind, NamedObjectKind } from '../model/named-objects.js';

/** A constraint or index a renamed table keeps under its old name until contract renames it. */
export interface ObjectRename {
  object: NamedObjectKind;
  from: string;
  to: string;
}

/**
 * One difference between the declared and the live schema. Pure data: the diff produces it,
 * the planner turns it into phased steps.
 */
export type Change =
  | { kind: 'create-table'; table: TableModel }
  | { kind: 'drop-table'; table: string }
  | { kind: 'add-column'; table: string; column: ColumnModel }
  | { kind: 'drop-column'; table: string; column: string }
  | { kind: 'alter-column-type'; table: string; column: ColumnModel; from: ColumnModel }
  | { kind: 'set-not-null'; table: string; column: ColumnModel }
  /** The same for every such column of the table at once, through a copy of it (src/diff/not-null-copies.ts). */
  | { kind: 'set-not-null-through-copy'; table: string; copy: TableCopy }
  | { kind: 'drop-table-copy'; table: string; leftover: LeftoverCopy }
  | { kind: 'backfill-through-copy'; table: string; copy: TableCopy }
  /** On a cluster: a large table's new indexes built on a copy of it, in expand (src/diff/not-null-copies.ts). */
  | { kind: 'index-through-copy'; table: string; copy: TableCopy }
  | { kind: 'drop-not-null'; table: string; column: ColumnModel }
  /** `afterSync`: the default of a column a dual-write trigger fills waits until the trigger is gone. */
  | { kind: 'set-default'; table: string; column: ColumnModel; afterSync?: string }
  | { kind: 'drop-default'; table: string; column: string }
  | { kind: 'add-primary-key'; table: string; key: KeyConstraint; existingIndex: { valid: boolean } | null }
  | { kind: 'add-unique'; table: string; key: KeyConstraint; existingIndex: { valid: boolean } | null }
  | { kind: 'add-index'; table: string; index: IndexModel }
  | { kind: 'rebuild-index'; table: string; index: IndexModel }
  /** `relaxes`: a tombstoned unique index, which only accepts more rows once gone: dropped in expand. */
  | { kind: 'drop-index'; table: string; name: string; relaxes?: true }
  | { kind: 'add-foreign-key'; table: string; foreignKey: ForeignKeyModel; existing: 'none' | 'unvalidated' }
  | { kind: 'add-check'; table: string; check: CheckModel; existing: 'none' | 'unvalidated' }
  /** On a live table (a new table's are in its CREATE TABLE). */
  | { kind: 'add-exclusion'; table: string; exclusion: ExclusionModel }
  /**
   * A foreign key made deferrable, or not, in place. `relaxes`: it is checked later than before
   * (not deferrable, then initially immediate, then initially deferred): in expand.
   */
  | { kind: 'set-deferrable'; table: string; name: string; deferrable: Deferrable | null; relaxes: boolean }
  /** `relaxes`: a tombstoned unique, foreign-key, check or exclusion constraint: dropped in expand. */
  | { kind: 'drop-constraint'; table: string; name: string; constraint: ConstraintKind; relaxes?: true }
  /**
   * A table's comment (no `column`) or a column's: `column` is the live column carrying the
   * declared comment, as a server that restates the whole column (MySQL) must keep the rest of it.
   * `comment` null removes it.
   */
  | { kind: 'set-comment'; table: string; column?: ColumnModel; comment: string | null }
  /** `default` where the declaration no longer states one; `columns`: the key columns of the index it names. */
  | { kind: 'set-replica-identity'; table: string; identity: ReplicaIdentity | 'default'; columns: string[] }
  /** Transitions (declared): see src/diff/transitions.ts. */
  | { kind: 'rename-table'; table: string; from: string }
  | { kind: 'drop-alias'; table: string; alias: string; renames: ObjectRename[] }
  /** A declared rename of a constraint or index (src/diff/object-renames.ts); `object`: what the live one is. */
  | { kind: 'rename-object'; table: string; object: NamedObjectKind; from: string; to: string }
  /** `key`: the table's primary key (SyncSpec.key). */
  | { kind: 'install-sync'; table: string; sync: ColumnSync; key: string[] }
  | { kind: 'backfill'; table: string; sync: ColumnSync; key: string[] }
  | { kind: 'remove-sync'; table: string; sync: ColumnSync }
  /** `unlocked`: on a cluster, why no copy carries the swap, which then runs without a table lock. */
  | { kind: 'swap-column'; table: string; sync: ColumnSync; unlocked?: string }
  | { kind: 'data-move'; table: string; move: DataMove }
  /** A raw SQL step the ledger has not recorded as run. */
  | { kind: 'sql'; table: ''; step: SqlStep }
  /**
   * The new version's views (src/diff/version-schemas.ts); `syncs`: the transitions whose swaps
   * they wait on (window) or for (final); `afterSwap`: final views replacing a window's, in contract.
   */
  | { kind: 'create-version-schema'; table: ''; schema: VersionSchema; syncs: string[]; afterSwap: boolean }
  /** `views`: what it holds; `after`: transitions whose swaps go first. */
  | { kind: 'drop-version-schema'; table: ''; name: string; views: string[]; after: string[] }
  /** Sequences, domains and enum types (src/diff/schema-objects.ts); `table` is '' for them. */
  | { kind: 'create-sequence'; table: ''; sequence: SequenceModel }
  | { kind: 'alter-sequence'; table: ''; sequence: SequenceModel }
  | { kind: 'sequence-owner'; table: ''; sequence: SequenceModel }
  | { kind: 'drop-sequence'; table: ''; name: string }
  | { kind: 'create-domain'; table: ''; domain: DomainModel }
  | { kind: 'domain-default'; table: ''; domain: string; value: DefaultValue | null }
  | { kind: 'domain-not-null'; table: ''; domain: string; notNull: boolean; users: { table: string; column: ColumnModel }[] }
  /** `existing`: a check added NOT VALID by an interrupted run, left to validate. */
  | { kind: 'add-domain-check'; table: ''; domain: string; check: DomainCheck; existing: 'none' | 'unvalidated'; users: { table: string; column: ColumnModel }[] }
  /** `relaxes`: the declaration no longer lists it (dropped in expand); otherwise it is replaced. */
  | { kind: 'drop-domain-check'; table: ''; domain: string; name: string; relaxes?: true }
  | { kind: 'drop-domain'; table: ''; name: string }
  | { kind: 'create-enum'; table: ''; enum: EnumModel }
  /** Placed before `before`, or after `after`, so the declared order holds; neither when the type has no value yet. */
  | { kind: 'add-enum-value'; table: ''; enum: string; value: string; before?: string; after?: string }
  /** Values removed: the type is rebuilt as declared; `users` are the columns of that type. */
  | { kind: 'rebuild-enum'; table: ''; enum: EnumModel; removed: string[]; users: { table: string; column: ColumnModel }[] }
  | { kind: 'drop-enum'; table: ''; name: string }
  /** A live object the declaration neither declares nor tombstones: reported, never dropped. */
  | { kind: 'drift'; table: string; object: string; detail: string };

export type ChangeKind = Change['kind'];
