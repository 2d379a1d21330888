import type { CheckModel, ColumnModel, ReferentialAction, DefaultValue, Deferrable, DomainCheck, DomainModel, EnumModel, ExclusionModel, ForeignKeyModel, IndexModel, KeyConstraint, ReplicaIdentity, SchemaModel, SequenceModel, TableModel } from './model/schema-model.js';
import type { IndexKey } from './model/index-entry.js';
import type { VersionSchema } from './model/version-schema.js';
import type { BackfillJob, KeyedTable } from './model/keyed-table.js';
import type { ConstraintKind, NamedObjectKind } from './model/named-objects.js';
import type { SyncSpec } from './model/sync-spec.js';
import type { Cluster } from './model/cluster.js';
import type { LockHolder, LockInfo, Statement } from './model/locks.js';
import type { PrivilegeNeed, PrivilegeReport } from './model/privileges.js';
import type { PrecheckRule } from './model/precheck-rule.js';
import type { ColumnType } from './model/column-type.js';
import type { LeftoverCopy, TableCopy } from './model/table-copy.js';
import type { StatementClassifier } from './model/statement-class.js';

/** One open session. Session state (locks, settings) lives as long as the connection. */
export interface Connection {
  /**
   * The rows the statement answers. A write that answers none (no RETURNING) answers `[{ n }]` on
   * PostgreSQL, PGlite and MySQL: the rows it wrote (MySQL: matched). Db2's driver answers `[]`:
   * count there with `SELECT COUNT(*) FROM OLD TABLE (...)`.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `work`, which queries through this connection, in one transaction: committed when it
   * resolves, rolled back when it throws, and work's error is the one the caller gets (a failed
   * rollback never hides it). `readOnly`: the server refuses writes, and the transaction is rolled
   * back even when work resolves, so nothing it did (settings, temporary tables) outlives it.
   */
  transaction<T>(work: () => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  readOnly?: boolean;
  /**
   * With `readOnly`: statements run first, after which the transaction turns read-only; rolled back
   * with the rest. Only where DDL is transactional and a transaction may turn read-only (PostgreSQL).
   */
  setup?: string[];
}

/** What a dialect can do, for one server version. The planner reads this; nothing else branches on dialect. */
export interface Capabilities {
  /** Server family and version the table was built for, e.g. `postgres 15.4`. */
  server: string;
  /** DDL can run inside a transaction and roll back. */
  transactionalDdl: boolean;
  /** Indexes can be built without blocking writes (PostgreSQL CONCURRENTLY, MySQL INPLACE LOCK=NONE). */
  onlineIndexBuild: boolean;
  /** Index methods whose build makes writes wait even so (MySQL: FULLTEXT, SPATIAL). */
  blockingIndexMethods: string[];
  /**
   * An index a failed online build left invalid: `rebuild-online` (in place, PostgreSQL's REINDEX
   * CONCURRENTLY: needs `SqlCompiler.rebuildIndex`) or `drop-and-create`.
   */
  invalidIndex: 'rebuild-online' | 'drop-and-create';
  /**
   * NOT NULL on a column with rows: `check-then-set` (a CHECK (c IS NOT NULL) added unvalidated and
   * validated online spares SET NOT NULL its scan under the exclusive lock: PostgreSQL),
   * `table-copy` (a small table is rebuilt while writes continue; a large one, whose rebuild
   * stalls every writer of the server at its end, goes through a copy with the columns NOT NULL,
   * kept in step by triggers, filled in small batches, then swapped in by one atomic rename:
   * MySQL and MariaDB; needs `TransitionSql.tableCopy`) or `scan` (under the lock).
   */
  notNull: 'check-then-set' | 'table-copy' | 'scan';
  /**
   * A backfill of a large table: `update` (keyset batches of UPDATE) or `table-copy` (a copy of the
   * table whose batches compute the new columns as they copy the rows, in key order, pages
   * written once and full, where an UPDATE that fills a new column grows every row in place and
   * splits its page: three to four times faster on MySQL and MariaDB; needs
   * `TransitionSql.tableCopy`). Small tables, and those a copy cannot carry, take the UPDATE.
   */
  backfill: 'update' | 'table-copy';
  /**
   * A unique or primary key on a table with rows: `index-then-adopt` (a unique index built online,
   * then adopted by the constraint: PostgreSQL), `online-key` (one statement while writes continue:
   * MySQL) or `blocking`.
   */
  uniqueKey: 'index-then-adopt' | 'online-key' | 'blocking';
  /** ADD COLUMN with a constant default changes only metadata. */
  constantDefaultIsInstant: boolean;
  partialIndexes: boolean;
  /** An index key may name an operator class (PostgreSQL's `text_pattern_ops`); MySQL has none. */
  operatorClasses: boolean;
  /**
   * What an index may say besides its keys: `include`, covering columns (PostgreSQL 11+);
   * `nullsNotDistinct`, NULLs colliding in a unique index or key (PostgreSQL 15+). MySQL has neither.
   */
  indexOptions: { include: boolean; nullsNotDistinct: boolean };
  /** A unique index over whole columns is the server's unique constraint (MySQL): the two cannot be told apart. */
  uniqueIndexIsKey: boolean;
  /** How a foreign key and a check join a table with rows. */
  constraintAdd: { foreignKey: ConstraintAdd; check: ConstraintAdd };
  /** Type changes that only touch metadata (no rewrite, no scan). */
  isMetadataOnlyTypeChange(from: ColumnType, to: ColumnType): boolean;
  /**
   * The condition, in SQL over `column` (quoted), that a row meets when a change of its column's
   * type keeps its value, where the server would reject the others (MySQL: an ENUM or SET losing
   * members); null when the change rejects no value a scan can find first.
   */
  typeChangeKeeps(column: string, from: ColumnType, to: ColumnType): string | null;
  /** SQL expressions known to be non-volatile, so a default using them needs no rewrite. */
  isStableDefaultExpression(expression: string): boolean;
  /**
   * Kinds of named object whose names the server keeps in one namespace per schema (MySQL: per
   * database), one list per namespace. Every other name only has to differ within its table,
   * which the declaration checks for every dialect.
   */
  schemaWideNames: NamedObjectKind[][];
  /**
   * How an application picks the new version's views while a type change is pending: `search-path`
   * (a schema put first on PostgreSQL's search_path, where names it lacks fall through to the
   * base) or `database` (MySQL: the database it connects to, so every table needs a view).
   */
  versionSelection: VersionSelection;
  /**
   * What a foreign key may reference: `key-constraint` (a primary key or UNIQUE constraint only:
   * Db2), `unique-index` (also a unique index over exactly those columns, without a predicate:
   * PostgreSQL, MySQL).
   */
  foreignKeyTarget: 'key-constraint' | 'unique-index';
  /** Whether a foreign key column of type `child` may reference one of type `parent`. */
  foreignKeyTypesMatch(child: ColumnType, parent: ColumnType): boolean;
  /**
   * Comments are part of CREATE TABLE and ADD COLUMN (MySQL); otherwise each follows as its own
   * statement (PostgreSQL's COMMENT ON).
   */
  commentsInDefinition: boolean;
  /** The longest comment the server keeps, in characters (MySQL: 2048 on a table, 1024 on a column); null: no limit. */
  commentLimits: { table: number; column: number } | null;
  /** A table's replica identity can be declared (PostgreSQL: needs `SqlCompiler.setReplicaIdentity`). */
  replicaIdentity: boolean;
  /**
   * Which schema objects besides tables the server has and dbtide declares (PostgreSQL: all three;
   * MySQL: none). Any of them needs `SqlCompiler.schemaObjects`.
   */
  schemaObjects: { sequences: boolean; domains: boolean; enums: boolean };
  /**
   * Kinds of object the server renames in place (`SqlCompiler.renameConstraint`, `renameIndex`):
   * a declared rename of any other kind is refused at plan, never done as a drop and add.
   */
  renameInPlace: NamedObjectKind[];
  /** EXCLUDE constraints (PostgreSQL); elsewhere a release declaring one is refused at plan. */
  exclusionConstraints: boolean;
  /** DEFERRABLE primary keys, unique constraints and foreign keys (PostgreSQL); elsewhere refused at plan. */
  deferrableConstraints: boolean;
  /** The referential actions the server accepts (Db2: ON UPDATE only NO ACTION or RESTRICT); others are refused at plan. */
  foreignKeyActions: { onDelete: ReferentialAction[]; onUpdate: ReferentialAction[] };
  /**
   * A primary key's or unique constraint's columns must be NOT NULL (Db2): a declared key over a
   * nullable column is refused at plan, and a key joining live columns waits for their NOT NULL.
   */
  keyColumnsNotNull: boolean;
  /**
   * Unquoted names fold to upper case (Db2): a declared lower-case name is stored in upper case, so
   * the application's unquoted SQL finds it, and read back in lower case; a name declared in upper
   * case could not round-trip and is refused at plan.
   */
  foldsToUpperCase: boolean;
  /** Why the server cannot hold a column of this type, with what to declare instead; null when it can. */
  typeProblem(type: ColumnType): string | null;
  /**
   * RENAME TABLE works on a table that a trigger is on or a foreign key joins (PostgreSQL, MySQL);
   * Db2 refuses it (SQL0750N), so such a declared rename is refused at plan.
   */
  renameTableWithDependents: boolean;
  /**
   * Types whose values the server can neither index nor compare (Db2's CLOB and BLOB, which `text`
   * and `binary` become): a key, index or foreign key over such a column, or a transition reading
   * or writing one (its trigger compares old and new values), is refused at plan.
   */
  uncomparableTypes: ColumnType['kind'][];
  /**
   * Units of work with a REORG-recommended statement (`Statement.reorg`: Db2's DROP COLUMN, SET or
   * DROP NOT NULL, most SET DATA TYPE) a table takes before it must be reorganized; null: the server
   * has no such rule. Where set, those statements run only in contract and the plan reorganizes each
   * table after them (needs `SqlCompiler.reorgTable` and `Dialect.reorgState`).
   */
  reorgBudget: number | null;
}

export type VersionSelection = 'search-path' | 'database';


/**
 * `not-valid-then-validate`: added unvalidated, enforced on new writes at once, then validated while
 * writes continue (needs `SqlCompiler.validateConstraint`); `unchecked-after-precheck`: added
 * without checking existing rows, which the precheck scanned; `checked-blocking`: the server checks
 * every row while writes wait.
 */
export type ConstraintAdd = 'not-valid-then-validate' | 'unchecked-after-precheck' | 'checked-blocking';

/** Renders each primitive schema action to SQL with the lock it takes. Pure: no I/O. */
export interface SqlCompiler {
  quote(identifier: string): string;
  /** Columns, primary key, unique constraints and checks; indexes and foreign keys are steps of their own. */
  createTable(table: TableModel): Statement;
  dropTable(table: string): Statement;
  addColumn(table: string, column: ColumnModel): Statement;
  dropColumn(table: string, column: string): Statement;
  /** Column changes get the whole declared column: MySQL restates it (MODIFY), PostgreSQL reads what it needs. */
  /** `inPlace`: the capability table found the change metadata-only. */
  alterColumnType(table: string, column: ColumnModel, options: { inPlace: boolean }): Statement;
  setDefault(table: string, column: ColumnModel): Statement;
  dropDefault(table: string, column: string): Statement;
  /** `provenByCheck`: a validated CHECK (c IS NOT NULL) spares the scan, where the server can use one. */
  setNotNull(table: string, column: ColumnModel, options: { provenByCheck: boolean }): Statement;
  dropNotNull(table: string, column: ColumnModel): Statement;
  /** `keys`: the index's entries read against the table's columns (src/model/index-entry.ts). */
  createIndex(table: string, index: IndexModel, keys: IndexKey[], options: { online: boolean }): Statement;
  dropIndex(table: string, name: string, options: { online: boolean }): Statement;
  /** Where `invalidIndex` is `rebuild-online`. */
  rebuildIndex?(name: string): Statement;
  addPrimaryKey(table: string, key: KeyConstraint, options: { usingIndex: string | null }): Statement;
  addUnique(table: string, key: KeyConstraint, options: { usingIndex: string | null }): Statement;
  /** Statements, because an online add may need session settings around it (MySQL's foreign_key_checks). */
  addForeignKey(table: string, fk: ForeignKeyModel, options: { validate: boolean }): Statement[];
  addCheck(table: string, check: CheckModel, options: { validate: boolean }): Statement;
  /** Where `exclusionConstraints`: the constraint, its index built and every row checked as it is added. */
  addExclusion?(table: string, exclusion: ExclusionModel, keys: IndexKey[]): Statement;
  /** Where `deferrableConstraints`: makes a foreign key deferrable (initially immediate or deferred) or not (null), in place. */
  setDeferrable?(table: string, name: string, deferrable: Deferrable | null): Statement;
  /** Where a constraint is added `not-valid-then-validate`. */
  validateConstraint?(table: string, name: string): Statement;
  dropConstraint(table: string, name: string, kind: ConstraintKind): Statement;
  /** Renders a column type the way this dialect spells it. */
  columnType(type: ColumnType): string;
  /** Converts an expression to a type, as a change-type transition does by default. */
  cast(expression: string, type: ColumnType): string;
  renameColumn(table: string, from: string, to: string): Statement;
  renameConstraint(table: string, from: string, to: string): Statement;
  renameIndex(table: string, from: string, to: string): Statement;
  /** Sets the table's comment; null removes it. */
  commentOnTable(table: string, comment: string | null): Statement;
  /** Sets the column's comment (absent: removes it); the whole column, for a server that restates it. */
  commentOnColumn(table: string, column: ColumnModel): Statement;
  /** Where `replicaIdentity` is true. */
  setReplicaIdentity?(table: string, identity: ReplicaIdentity | 'default'): Statement;
  /** Where the capability table has `schemaObjects`. */
  schemaObjects?: SchemaObjectSql;
  /** Where `reorgBudget` is set: reorganizes the table, clearing what its REORG-recommended ALTERs left pending. */
  reorgTable?(table: string): Statement;
}

/** Sequences, domains and enum types. Pure: no I/O. */
export interface SchemaObjectSql {
  createSequence(sequence: SequenceModel): Statement;
  /** Restates every option but ownership. */
  alterSequence(sequence: SequenceModel): Statement;
  /** Sets (or, with `ownedBy` null, removes) the owning column. */
  sequenceOwner(sequence: SequenceModel): Statement;
  dropSequence(name: string): Statement;
  /** The sequence a column default draws from (`nextval('s'::regclass)`), or null. */
  sequenceOfDefault(expression: string): string | null;
  createDomain(domain: DomainModel): Statement;
  domainDefault(domain: string, value: DefaultValue | null): Statement;
  domainNotNull(domain: string, notNull: boolean): Statement;
  /** Added unvalidated (enforced on new values at once), then validated. */
  addDomainCheck(domain: string, check: DomainCheck): Statement;
  validateDomainCheck(domain: string, name: string): Statement;
  /** The domain check's expression as a condition on one column of the domain (`VALUE` made the column). */
  domainCheckOn(column: string, expression: string): string;
  dropDomainCheck(domain: string, name: string): Statement;
  dropDomain(name: string): Statement;
  createEnum(type: EnumModel): Statement;
  addEnumValue(type: string, value: string, place: { before?: string; after?: string }): Statement;
  /**
   * Builds the type anew with the declared values and moves every using column to it (through
   * text), keeping its default; the old type is dropped.
   */
  rebuildEnum(type: EnumModel, users: { table: string; column: ColumnModel }[]): Statement[];
  /** A condition a row of `table` meets while `column` holds none of `values` (NULL passes). */
  enumValuesAbsent(column: string, values: string[]): string;
  dropEnum(name: string): Statement;
  /**
   * Statements that make the objects the plan creates exist inside the expression probe's
   * transaction, which is rolled back; the transaction turns read-only after them. `grownEnums`:
   * live enum types the plan adds values to, stood in for by the declared type (a value added in
   * a transaction cannot be used before it commits).
   */
  probeSetup(objects: { sequences: SequenceModel[]; domains: DomainModel[]; enums: EnumModel[]; grownEnums: EnumModel[] }): string[];
}


/**
 * The SQL of a copy of the table, for a NOT NULL or for backfills (src/plan/operations/table-copy.ts
 * says when each runs). `fills` are the syncs of `copy.fills`, their expressions final.
 */
export interface TableCopySql {
  /**
   * Drops what a stopped run left (triggers first, then the copy), creates the copy like the
   * table with `copy.notNull` as declared, runs `shape` on the empty copy (the keys it gains,
   * rendered by the core), then the triggers that carry every insert, update and delete of the
   * table into it, the INSERT one last: its presence says the copy is complete. With fills, what
   * they carry must not set off the sync triggers the swap puts on the copy.
   */
  create(table: string, copy: TableCopy, fills: SyncSpec[], shape: Statement[]): Statement[];
  /**
   * One batch of the copy, statements run in one transaction, each with the same parameters: the
   * rows of the table in the key range after the first parameters (when `hasAfter`) up to and
   * including the next ones, into the copy, a row the triggers already carried left as they
   * wrote it. Each fill's forward expressions give its new columns where they are all still
   * empty. The last answers one row with `n`, the rows copied.
   */
  copyRows(table: string, copy: TableCopy, hasAfter: boolean, fills: SyncSpec[]): string[];
  /** Statements before each batch's transaction begins. */
  beforeBatch: string[];
  /**
   * The swap, as one group on one session: the table and the copy trade places in one atomic
   * rename (its AUTO_INCREMENT counter carried over first), then the triggers go with the replaced
   * table. The fills' sync triggers are on the copy before the rename: no write finds the table
   * without them.
   */
  swap(table: string, copy: TableCopy, fills: SyncSpec[]): Statement[];
  /** The replaced table, once swapped out. */
  dropOld(old: string): Statement;
  /** What a copy no NOT NULL explains leaves: its triggers, then the tables. */
  dropLeftover(leftover: LeftoverCopy): Statement[];
}

/** SQL of transitions; the core decides when each runs. */
export interface TransitionSql {
  /**
   * The dual-write trigger: a write by old code reaches the new columns, a write by new code
   * reaches the old ones (where a backward expression exists). It must skip writes made by a
   * session that set `BackfillSql.quietTriggers(true)`, and must never write back (no loops).
   */
  createSyncTrigger(sync: SyncSpec): Statement[];
  dropSyncTrigger(table: string, trigger: string): Statement[];
  /**
   * Drops the sync's `trigger` and `column` and gives `shadow` its name; the statements run as one
   * group on one session. Where DDL cannot share a transaction, the table's writes wait across
   * them (a write between the trigger's drop and the swap would reach the old column only), and
   * the drop and rename are one statement: between two, a stopped run would leave neither the old
   * column nor the new name. `tableLock` false: the server's table lock holds on one node of a
   * cluster only, so none is taken; the swap goes first, and a write between it and the triggers'
   * drop fails on the triggers instead of being lost.
   */
  swapColumn(table: string, column: string, shadow: string, trigger: string, options: { tableLock: boolean }): Statement[];
  /** NOT NULL through a copy of the table (`Capabilities.notNull` `table-copy`). */
  tableCopy?: TableCopySql;
  /** Renames the table and leaves a view under the old name that old code can read and write. */
  renameTableWithAlias(from: string, to: string): Statement[];
  dropAlias(name: string): Statement[];
  /**
   * Undoes `renameTableWithAlias` (a rollback): the table takes its old name back from the view
   * that kept it, with no moment at which old code finds neither.
   */
  restoreTableName(alias: string, table: string): Statement[];
  /**
   * Creates the version schema if missing and (re)writes its views over the base's tables, then its
   * marker: simple views, which take writes, each column under its declared name.
   */
  writeVersionSchema(schema: VersionSchema): Statement[];
  /** Drops the version schema, which holds only `views` (its marker among them). */
  dropVersionSchema(name: string, views: string[]): Statement[];
  /** Rows (`name`) of the schemas (MySQL: databases) holding a view named as the first parameter. */
  markedSchemas: string;
  /** Rows (`name`, `is_view`) of the tables and views in the schema named by the first parameter. */
  relationsOf: string;
}


/** SQL of the backfill engine; the algorithm lives in the core. */
export interface BackfillSql {
  /** Returns the last key (one column per key column) in key order, or no row for an empty table. */
  lastKey(source: KeyedTable): string;
  /**
   * The key `offset` rows into the range after `after` (when given) up to `upTo`: the end of the
   * next batch, or no row when fewer rows remain. Parameters: `after` values, `upTo` values, offset.
   */
  batchEnd(source: KeyedTable, hasAfter: boolean): string;
  /**
   * Applies the job to the key range after `after` (when given) up to and including `upTo`;
   * returns one row with `n`, the rows updated. Parameters: `after` values, then `upTo` values.
   */
  update(job: BackfillJob, hasAfter: boolean): string;
  /** What a batch's UPDATE holds while it runs. */
  batchLock: LockInfo;
  /** Session statements that make dbtide's own triggers skip (on) or see (off) this session's writes. */
  quietTriggers(on: boolean): string[];
}

/**
 * SQL of prechecks and repairs. "Offenders" is a SELECT of the primary-key columns of the rows
 * that break a rule (of the constant `1` when the table has no primary key); the core counts,
 * pages and repairs through it. Statements that change rows return one row with `n`.
 * Parameters: key values are flattened row by row (`count` rows of `key.length` values).
 */
export interface ScanSql {
  offenders(table: string, rule: PrecheckRule, key: string[]): string;
  /** One row with `n`: rows breaking a row-local rule in the key range after `after` (when given) up to `upTo`. */
  countInRange(table: string, rule: PrecheckRule, key: string[], hasAfter: boolean): string;
  /** One row with `n`: the rows of `offenders`. */
  count(offenders: string): string;
  /** The first `limit` rows of `offenders` in key order, after the key given as parameters (when `hasAfter`). */
  page(offenders: string, key: string[], hasAfter: boolean, limit: number): string;
  /** Locks the listed rows that still offend, and returns their keys. */
  lockOffenders(table: string, key: string[], count: number, offenders: string): string;
  /**
   * Keys of `child` rows (locked) that reference the listed `parent` rows through `fk` and no
   * other parent row: they would be orphaned. Parameters: the parent keys, twice.
   */
  dependents(child: KeyedTable, fk: ForeignKeyModel, parentKey: string[], count: number): string;
  /** Copies the listed rows into the shadow table with the time and the reason (first parameter). */
  copyToShadow(table: string, shadow: string, columns: string[], key: string[], count: number): string;
  deleteRows(table: string, key: string[], count: number): string;
  /** Sets `column` to its declared default in the listed rows where it is NULL. */
  fillDefault(table: string, column: ColumnModel, key: string[], count: number): string;
  /** Rows (`column_name`, `marker`) of the table `name`: no rows when it does not exist. */
  shadowColumns(name: string): string;
  /** Marks a table as dbtide's shadow of `of`: introspection leaves it out. */
  markShadow(shadow: string, of: string): string[];
}

/** The statements that bound lock waits and keep two runs apart. */
export interface RuntimeSql {
  /** Statements that cap lock waits for the session (or, with `local`, the current transaction); `null`: no cap. */
  lockTimeout(ms: number | null, local: boolean): string[];
  /**
   * The cap on each lock wait when none is given, and the step the server counts caps in (MySQL
   * and Db2: whole seconds, so a cap between steps waits the next one).
   */
  lockWait: { capMs: number; unitMs: number };
  /** The statement that opens a transaction, as a script would run it; null where the first statement opens one (Db2). */
  transactionStart: string | null;
  /** True when the error is a lock wait that timed out, so the statement may be retried. */
  isLockTimeout(error: unknown): boolean;
  /**
   * Tries once to take the run lock: resolves the lock held, or null while another run holds it.
   * `session.conn` is the run's connection; `session.connect` opens another, for a server whose lock
   * cannot live on a connection that commits DDL (Db2 holds a table lock until its unit of work ends).
   */
  tryRunLock(session: RunLockSession, key: string): Promise<HeldRunLock | null>;
  /**
   * Called after a statement (or a step's group of statements) failed, outside a transaction, and
   * before it is retried: removes what it leaves behind (PostgreSQL: the INVALID index of a failed
   * CREATE INDEX CONCURRENTLY; MySQL: the checks or the table lock it set).
   */
  cleanupFailedStatement(conn: Connection, sql: string): Promise<void>;
  /**
   * True for a statement whose lock waits never queue the application behind it (PostgreSQL's
   * CONCURRENTLY builds wait for old transactions without blocking writes): it runs, with its
   * cleanup, without a lock timeout, which would only cancel it half done.
   */
  waitsWithoutBlocking(sql: string): boolean;
  /**
   * The statement to run instead when the server refused `sql` for its algorithm (MySQL refuses
   * ALGORITHM=INSTANT on some tables): another online form, never one that blocks writes; null: none.
   */
  onlineFallback(sql: string, error: unknown): string | null;
  /** Where an operator finds the session holding a lock, for messages. */
  sessionList: string;
  /**
   * Other sessions holding a lock on `table` (or, where the server cannot tell per table, an open
   * transaction that may hold one), longest first: read after a lock wait timed out, so the
   * operator sees who blocks. Where the server keeps no such view, absent.
   */
  lockHolders?(conn: Connection, table: string): Promise<LockHolder[]>;
  /**
   * Checks, before a phase changes anything, that this session may create triggers; returns what
   * stands in the way and how to fix it, or null.
   */
  triggerPreflight(conn: Connection): Promise<{ problem: string; fix: string } | null>;
  /** The types of the ledger's times and long texts (statements); the core declares its tables. */
  ledgerTypes: { timestamp: ColumnType; longText: ColumnType };
  /** Whether the session's schema (MySQL: database) holds a table of that name; errors are the server's. */
  tableExists(conn: Connection, table: string): Promise<boolean>;
  /** The clause that keeps the first `rows` rows of an ordered SELECT. */
  limit(rows: number): string;
  /** Statements that make `schema` the session's default, so unqualified DDL lands there. */
  useSchema(schema: string): string[];
  /** What `--database-schema` names on this server: `schema` (PostgreSQL) or `database` (MySQL). */
  schemaNoun: string;
  /** Whether the schema (MySQL: database) exists, so a misspelt one is refused before planning. */
  schemaExists(conn: Connection, schema: string): Promise<boolean>;
  /** The schema (MySQL: database) the session works in without `--database-schema`, or null when it has none. */
  currentSchema(conn: Connection): Promise<string | null>;
  /** Why a session has no current schema, and what gives it one. */
  noCurrentSchema: { problem: string; fix: string };
  /** Positional parameter placeholder, 1-based. */
  param(index: number): string;
  /** Where the server has replicas dbtide can read the lag of; absent: `--max-replica-lag` is refused. */
  replicaLag?: ReplicaLagSql;
  /** Inserts one row and returns it as stored, generated values included (what a probe reads back by). */
  insertRow(conn: Connection, table: TableModel, row: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** One replica's lag as read; `lagMs` null: the replica cannot say (replication stopped), which counts as behind. */
export interface ReplicaReading {
  /** What events call it: never a password. */
  replica: string;
  lagMs: number | null;
  /** Why `lagMs` is null, for the operator. */
  why?: string;
}

/** How far replicas are behind, for the replica-lag throttle (src/migrate/replica-lag.ts). */
export interface ReplicaLagSql {
  /** Why the server a URL names can have no replica dbtide reads (PGlite: embedded), or null. */
  unsupported(url: string): string | null;
  /**
   * Every replica as the primary sees them (PostgreSQL's pg_stat_replication); an empty list when
   * none is connected. Absent where the primary cannot tell (MySQL): each replica must be named.
   */
  fromPrimary?(conn: Connection): Promise<ReplicaReading[]>;
  /** The step the lag is counted in (MySQL's Seconds_Behind_Source: 1000); absent: 1 ms. */
  unitMs?: number;
  /** The lag of the server `conn` is on, as its replica; null when it is no replica. */
  ofReplica(conn: Connection): Promise<Omit<ReplicaReading, 'replica'> | null>;
  /**
   * Where the server is a node of a cluster: the URLs of every node (`url` with each node's
   * address), to watch when no replica is named; empty when the cluster does not say.
   */
  clusterNodes?(conn: Connection, url: string): Promise<string[]>;
}

export interface RunLockSession {
  conn: Connection;
  connect(): Promise<Connection>;
  /** The cluster the server is a node of: a lock on one node must then hold on every node. */
  cluster: Cluster | null;
}

export interface HeldRunLock {
  /** Gives the lock up (and closes a connection opened for it); safe to call twice. */
  release(): Promise<void>;
}

/**
 * How a dialect spells the parts of an expression probe: the core asks the server to EXPLAIN a
 * SELECT of each declared expression over a row of NULLs standing for the table's columns. Pure.
 */
export interface ExpressionProbeSql {
  /** A NULL standing for a column of `type`, so the server checks operators and functions against the type. */
  nullOf(type: ColumnType): string;
  /** `expression` as a value stored into a column of `type`. */
  valueOf(expression: string, type: ColumnType): string;
  /** The column's declared default, as its column definition renders it. */
  defaultOf(column: ColumnModel): string;
  /** A default may read the row's other columns (MySQL), so its probe gets the row too. */
  defaultsReadRow: boolean;
  /**
   * The statement that makes the server parse, resolve and type `select` without reading a row:
   * `EXPLAIN ...` (PostgreSQL, MySQL); Db2, whose EXPLAIN needs explain tables, compiles a query
   * that returns no row.
   */
  explain(select: string): string;
  /** What makes a SELECT of constants a query: nothing, or Db2's ` FROM SYSIBM.SYSDUMMY1`. */
  fromNoTable: string;
}

/** A throwaway database made for a check (verify-chain), dropped afterwards. */
export interface ScratchDatabase {
  url: string;
  /** Database name or directory, for messages. */
  name: string;
  /** Drops it; safe to call twice. */
  drop(): Promise<void>;
}

/** A table's standing toward reorganization (Db2's SYSIBMADM.ADMINTABINFO). */
export interface ReorgState {
  /** REORG-recommended units of work since the last reorganization. */
  alters: number;
  /** The server allows no more such ALTERs (or, on some tables, no DML) until it is reorganized. */
  pending: boolean;
}

/** What `serverNotes` reads of a planned step. */
export interface PlannedStep {
  phase: string;
  table: string;
  lock: LockInfo;
  /** Data work runs in batches, never as one rebuilding statement. */
  batched: boolean;
}

export interface IntrospectOptions {
  /** Schema (PostgreSQL) or database (MySQL) to read; the dialect's default when omitted. */
  schema?: string;
}

export interface Dialect {
  /** The registry's key for it; the core never branches on it. */
  name: string;
  /** `lockWaitMs` bounds the wait for an embedded database another process has open. */
  connect(url: string, options?: { lockWaitMs?: number }): Promise<Connection>;
  /** The database `url` names takes more than one session at a time (an embedded one takes one). */
  concurrentSessions(url: string): boolean;
  serverVersion(conn: Connection): Promise<string>;
  capabilities(version: string): Capabilities;
  /** The cluster the server is a node of (MariaDB Galera), or null; absent where a server cannot be one. */
  cluster?(conn: Connection): Promise<Cluster | null>;
  /**
   * What this session may not do of `needs`, checked before a phase changes anything, with the
   * statements that grant it; objects are in `options.schema` (the session's default when omitted).
   */
  privileges(conn: Connection, needs: PrivilegeNeed[], options?: IntrospectOptions): Promise<PrivilegeReport>;
  /** Reads the live schema. Tables whose names start with `_dbtide_` are dbtide's own and left out. */
  introspect(conn: Connection, options?: IntrospectOptions): Promise<SchemaModel>;
  /** Estimated rows per table, from statistics (no scans). */
  estimateRows(conn: Connection, tables: string[], options?: IntrospectOptions): Promise<Record<string, number>>;
  /** A table's average row in bytes, from statistics, or null; where a cluster limits a write set's size (`Cluster.writeSetLimit`). */
  averageRowBytes?(conn: Connection, table: string, options?: IntrospectOptions): Promise<number | null>;
  /** Where `reorgBudget` is set: what the server already counts toward each table's reorganization. */
  reorgState?(conn: Connection, tables: string[], options?: IntrospectOptions): Promise<Record<string, ReorgState>>;
  /**
   * What the server's own settings mean for the steps, as plan warnings (MySQL: a table rebuilt
   * online that its buffer pool cannot hold twice stalls writers on disk reads near its end).
   */
  serverNotes?(conn: Connection, steps: PlannedStep[], options?: IntrospectOptions): Promise<string[]>;
  /**
   * The version `plan --dialect` and `lint` plan for without a server: `spell` turns a version as an
   * operator writes it (`11.1`, `10.11`) into what `capabilities` reads; `latest` is the default.
   */
  offline: { latest: string; spell(version: string): string };
  compiler: SqlCompiler;
  runtime: RuntimeSql;
  backfill: BackfillSql;
  transitions: TransitionSql;
  scan: ScanSql;
  probe: ExpressionProbeSql;
  /** Reads this dialect's SQL for the phase policy (src/execute/statement-guard.ts), from the text alone. */
  statements: StatementClassifier;
  /** A new empty database next to the one `url` names (same server, or a new embedded one). */
  createScratch(url: string, label: string): Promise<ScratchDatabase>;
}

