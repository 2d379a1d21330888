import type { Capabilities } from '../../src/dialect.js';
import { sameColumnType, type ColumnType } from '../../src/model/column-type.js';
import type { ReferentialAction } from '../../src/model/schema-model.js';

/** The oldest server dbtide plans for: SET NOT NULL through a validated CHECK and REINDEX CONCURRENTLY arrived in 12. */
export const MIN_POSTGRES_MAJOR = 12;

/** A cast as written after a constant: `::text`, `::character varying(10)`, `::text[]`. */
const CAST = String.raw`(?:::[a-z_][a-z0-9_ ]*(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*)*`;

/** Defaults PostgreSQL evaluates once for ADD COLUMN (stable or immutable), so no rewrite follows. */
const STABLE_DEFAULT = new RegExp(
  String.raw`^(?:now\(\)|current_(?:timestamp|date|time|user)|localtimestamp|localtime|statement_timestamp\(\)|` +
    String.raw`transaction_timestamp\(\)|session_user|true|false|null|'(?:[^']|'')*'${CAST}|\(?-?\d+(?:\.\d+)?\)?${CAST})$`,
  'i',
);

/** Type changes PostgreSQL applies without rewriting or scanning the table. */
function isMetadataOnlyTypeChange(from: ColumnType, to: ColumnType): boolean {
  if (from.kind === 'varchar' && to.kind === 'varchar') return to.length >= from.length;
  if (from.kind === 'varchar' && to.kind === 'text') return true;
  if (from.kind === 'numeric' && to.kind === 'numeric') {
    if (to.precision === null) return true;
    return from.precision !== null && from.scale === to.scale && to.precision >= from.precision;
  }
  return false;
}

/**
 * Types whose values one btree operator family compares across types (integer_ops, float_ops,
 * text_ops, datetime_ops): a foreign key between two of a family needs no cast.
 */
const FAMILY: Partial<Record<ColumnType['kind'], string>> = {
  smallint: 'integer', int: 'integer', bigint: 'integer',
  real: 'float', double: 'float',
  varchar: 'text', text: 'text',
  date: 'datetime', timestamp: 'datetime',
};

const foreignKeyTypesMatch = (child: ColumnType, parent: ColumnType) =>
  sameColumnType(child, parent) || (FAMILY[child.kind] !== undefined && FAMILY[child.kind] === FAMILY[parent.kind]) ||
  (child.kind === 'numeric' && parent.kind === 'numeric');

const ALL_ACTIONS: ReferentialAction[] = ['no action', 'restrict', 'cascade', 'set null', 'set default'];

export function postgresCapabilities(version: string): Capabilities {
  const major = Number.parseInt(version, 10);
  if (!(major >= MIN_POSTGRES_MAJOR)) {
    throw new Error(`PostgreSQL ${version} is not supported: dbtide needs PostgreSQL ${MIN_POSTGRES_MAJOR} or later`);
  }
  return {
    server: `PostgreSQL ${version}`,
    transactionalDdl: true,
    onlineIndexBuild: true,
    invalidIndex: 'rebuild-online',
    blockingIndexMethods: [],
    notNull: 'check-then-set',
    backfill: 'update',
    uniqueKey: 'index-then-adopt',
    constraintAdd: { foreignKey: 'not-valid-then-validate', check: 'not-valid-then-validate' },
    constantDefaultIsInstant: true,
    partialIndexes: true,
    operatorClasses: true,
    // INCLUDE arrived in 11, older than any server dbtide plans for.
    indexOptions: { include: true, nullsNotDistinct: major >= 15 },
    uniqueIndexIsKey: false,
    isMetadataOnlyTypeChange,
    // A cast that fails fails the ALTER, which rolls back: nothing is lost.
    typeChangeKeeps: () => null,
    isStableDefaultExpression: (expression) => STABLE_DEFAULT.test(expression.trim()),
    // A key's (and an exclusion constraint's) name is its index's name, and indexes are relations: one namespace per schema.
    // CHECK and FOREIGN KEY names are per table (pg_constraint is unique on table and name).
    schemaWideNames: [['primary-key', 'unique', 'index', 'exclusion']],
    versionSelection: 'search-path',
    foreignKeyTarget: 'unique-index',
    foreignKeyTypesMatch,
    commentsInDefinition: false,
    commentLimits: null,
    replicaIdentity: true,
    schemaObjects: { sequences: true, domains: true, enums: true },
    renameInPlace: ['primary-key', 'unique', 'index', 'foreign-key', 'check', 'exclusion'],
    exclusionConstraints: true,
    deferrableConstraints: true,
    foreignKeyActions: { onDelete: ALL_ACTIONS, onUpdate: ALL_ACTIONS },
    keyColumnsNotNull: false,
    foldsToUpperCase: false,
    typeProblem: () => null,
    uncomparableTypes: [],
    renameTableWithDependents: true,
    reorgBudget: null,
  };
}
