import type { ColumnType } from './column-type.js';
import type { OwnedObjects, Transition } from './transition.js';
import type { UnsupportedObject } from './unsupported.js';

/**
 * The one canonical schema model. Declarations normalize into it and introspection produces it,
 * so diff compares like with like. Plain JSON data: plans and snapshots can be stored.
 */

export type DefaultValue =
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'sql'; expression: string };

export type Identity = 'always' | 'by-default';

export interface ColumnModel {
  name: string;
  type: ColumnType;
  nullable: boolean;
  default: DefaultValue | null;
  identity: Identity | null;
  /** The column's comment; absent when it has none. */
  comment?: string;
}

/**
 * A DEFERRABLE constraint (PostgreSQL): `immediate` is checked per statement unless a transaction
 * defers it (SET CONSTRAINTS), `deferred` at commit. Left out of a model when not deferrable.
 */
export type Deferrable = 'immediate' | 'deferred';

export interface KeyConstraint {
  name: string;
  columns: string[];
  deferrable?: Deferrable;
  /**
   * Unique keys only (PostgreSQL 15+): rows whose key holds NULLs collide too. Left out when false,
   * as a primary key's columns are never NULL.
   */
  nullsNotDistinct?: boolean;
  /** Unique keys only (PostgreSQL 11+): covering columns stored in the key's index (INCLUDE); absent when none. */
  include?: string[];
}

export interface IndexModel {
  name: string;
  /** Column names, or expressions: an entry naming a column of the table is that column (src/model/index-entry.ts). */
  columns: string[];
  unique: boolean;
  /** Predicate of a partial index, or null. */
  where: string | null;
  /** Access method; 'btree' unless stated. */
  using: string;
  /** Covering columns stored in the index but not part of its key (PostgreSQL's INCLUDE); empty when none. */
  include: string[];
  /** A unique index under which NULLs collide too (PostgreSQL 15+'s NULLS NOT DISTINCT). */
  nullsNotDistinct: boolean;
  /** False for an index left INVALID by a failed concurrent build. Declared indexes are valid. */
  valid: boolean;
  /**
   * Live side, PostgreSQL: per key, the operator class the server uses where the entry names none
   * (the default for the key's type and method, which the server never reports); null where the
   * entry names one. A declared entry naming that class is the same key.
   */
  defaultOpclasses?: (string | null)[];
}

export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

export interface ForeignKeyModel {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
  /** False while a constraint added NOT VALID awaits validation. Declared constraints are validated. */
  validated: boolean;
  deferrable?: Deferrable;
}

export interface CheckModel {
  name: string;
  expression: string;
  validated: boolean;
}

/**
 * An EXCLUDE constraint (PostgreSQL): no two rows whose elements all match under their operators.
 * `columns` are index entries, read like an index's (src/model/index-entry.ts): a column or an
 * expression, with an operator class after it where one is named.
 */
export interface ExclusionModel {
  name: string;
  /** Access method of the constraint's index; 'gist' unless stated. */
  using: string;
  columns: string[];
  /** Per entry, the operator two rows must not both match under (`=`, `&&`). */
  operators: string[];
  /** Only rows this predicate holds for are compared, or null. */
  where: string | null;
  deferrable?: Deferrable;
  /** Live side, as for indexes: per entry, the default operator class the server uses where the entry names none. */
  defaultOpclasses?: (string | null)[];
}

export interface TableModel {
  name: string;
  columns: ColumnModel[];
  primaryKey: KeyConstraint | null;
  uniques: KeyConstraint[];
  indexes: IndexModel[];
  foreignKeys: ForeignKeyModel[];
  checks: CheckModel[];
  /** The table's comment; absent when it has none. */
  comment?: string;
  /** What logical decoding writes of a changed row's old version (PostgreSQL); absent when the server's default. */
  replicaIdentity?: ReplicaIdentity;
  /** Left out when there are none, so that models without them stay as they were. */
  exclusions?: ExclusionModel[];
}

/** `full`: every column; `nothing`: no old values; `{ index }`: the columns of that unique index. */
export type ReplicaIdentity = 'full' | 'nothing' | { index: string };

/**
 * A sequence the schema declares (PostgreSQL), not an identity column's own. Numbers are decimal
 * strings: a bigint sequence's bounds exceed JavaScript's numbers.
 */
export interface SequenceModel {
  name: string;
  type: 'smallint' | 'int' | 'bigint';
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  /** The column whose drop drops the sequence too (ALTER SEQUENCE ... OWNED BY). */
  ownedBy: { table: string; column: string } | null;
}

/** A named check of a domain: `VALUE` stands for the value checked. */
export interface DomainCheck {
  name: string;
  expression: string;
  /** Live side only: false for a check added NOT VALID and not validated yet. */
  validated?: false;
}

/** A domain: a base type with NOT NULL, a default and checks, which columns name as their type. */
export interface DomainModel {
  name: string;
  type: ColumnType;
  notNull: boolean;
  default: DefaultValue | null;
  /** Sorted by name. */
  checks: DomainCheck[];
}

/** An enum type; its values in their sort order. */
export interface EnumModel {
  name: string;
  values: string[];
}

export interface SchemaModel {
  /** Keyed by table name; keys in sorted order. */
  tables: Record<string, TableModel>;
  /** Sequences, domains and enum types, keyed by name in sorted order; absent when there are none. */
  sequences?: Record<string, SequenceModel>;
  domains?: Record<string, DomainModel>;
  enums?: Record<string, EnumModel>;
  /** Live side only: dbtide's triggers, alias views and finished data moves. */
  owned?: OwnedObjects;
  /** Live side only: what the server has that dbtide does not model; reported, never dropped. */
  unsupported?: UnsupportedObject[];
  /**
   * Live side only: the copies a NOT NULL goes through and the tables they replaced
   * (src/model/table-copy.ts), by name, kept out of `tables`; absent when there are none.
   */
  copies?: Record<string, TableModel>;
}

/** What a release explicitly removes. Contract drops only these; anything else unknown is drift. */
export interface Tombstones {
  tables: string[];
  /** `fill`: the default expand gives a NOT NULL column the new release no longer writes. */
  columns: { table: string; column: string; fill?: DefaultValue }[];
  indexes: { table: string; name: string }[];
  constraints: { table: string; name: string }[];
  /** Schema objects the release drops; absent when there are none. */
  sequences?: string[];
  domains?: string[];
  enums?: string[];
  /** Values removed from an enum type that stays (the type is rebuilt in contract). */
  enumValues?: { enum: string; value: string }[];
}

export interface DeclaredSchema {
  release: string;
  model: SchemaModel;
  removed: Tombstones;
  /** Declared by this release only; earlier releases' transitions are done once they contracted. */
  transitions: Transition[];
  /** SQL queries that must return no rows once the release is contracted (verify-chain runs them). */
  invariants?: { name: string; sql: string }[];
}

export const emptyTombstones = (): Tombstones => ({ tables: [], columns: [], indexes: [], constraints: [] });
