import type { Capabilities } from '../../src/dialect.js';
import { sameColumnType, type ColumnType } from '../../src/model/column-type.js';

/** The oldest Db2 LUW dbtide plans for: `IS DISTINCT FROM` in triggers, OFFSET and FETCH FIRST arrived in 11.1. */
export const MIN_DB2: number[] = [11, 1];

/** BOOLEAN columns arrived in 11.1.1.1 (Mod Pack 1 Fix Pack 1). */
const BOOLEAN_SINCE = [11, 1, 1, 1];

/**
 * The numbers of `DB2 v11.5.9.0` (SYSIBMADM.ENV_INST_INFO's SERVICE_LEVEL, what `serverVersion`
 * reads), `SQL11059` (the product identifier a connection reports: version, release, modification)
 * or a version as an operator writes it (`11.1`).
 */
export function parseDb2Version(version: string): number[] {
  const product = /^SQL(\d\d)(\d\d)(\d)$/i.exec(version.trim());
  if (product) return product.slice(1).map(Number);
  return (/(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version) ?? []).slice(1).flatMap((n) => (n === undefined ? [] : [Number(n)]));
}

export const atLeast = (have: number[], want: number[]) => {
  for (let i = 0; i < want.length; i++) if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  return true;
};

/**
 * Only lengthening a VARCHAR keeps a table out of reorg-pending and reads no row; every other SET
 * DATA TYPE casts each row and counts toward the reorganization.
 */
function isMetadataOnlyTypeChange(from: ColumnType, to: ColumnType): boolean {
  return from.kind === 'varchar' && to.kind === 'varchar' && to.length >= from.length;
}

/** Constants and special registers: what a Db2 column default may be at all. */
const CONSTANT_DEFAULT = /^(?:true|false|null|'(?:[^']|'')*'|-?\d+(?:\.\d+)?|current[ _](?:timestamp|date|time|user))$/i;

/** Db2 compares a foreign key's columns with its parent's by type, and lengths of strings may differ. */
const foreignKeyTypesMatch = (child: ColumnType, parent: ColumnType) =>
  sameColumnType(child, parent) || (child.kind === 'varchar' && parent.kind === 'varchar');

/** Types Db2 has no column type for, with what to declare instead: a stand-in would not read back as declared. */
function typeProblem(type: ColumnType, version: number[]): string | null {
  switch (type.kind) {
    case 'boolean':
      return atLeast(version, BOOLEAN_SINCE) ? null : `Db2 ${version.join('.')} has no BOOLEAN (it arrived in ${BOOLEAN_SINCE.join('.')}): declare smallint with a check (c IN (0, 1)), or upgrade the server`;
    case 'uuid':
      return 'Db2 has no uuid type: declare native("CHAR(36)") (or native("CHAR(16) FOR BIT DATA")) and generate the values in the application';
    case 'json':
      return 'Db2 has no JSON column type: declare text (a CLOB) and check documents with IS JSON in a check';
    case 'timestamp':
      return type.withTimeZone ? 'Db2 has no timestamp with a time zone: declare timestamp and store UTC' : null;
    case 'numeric':
      if (type.precision === null) return 'Db2 has no DECIMAL without a precision (a bare DECIMAL is DECIMAL(5,0)): declare numeric(p,s), p up to 31';
      return type.precision > 31 ? `Db2 keeps at most 31 digits in a DECIMAL: declare numeric(31,${Math.min(type.scale ?? 0, 31)}) or less` : null;
    case 'varchar':
      return type.length > 32672 ? `a Db2 VARCHAR holds at most 32672 bytes: declare text (a CLOB) for ${type.length}` : null;
    default:
      return null;
  }
}

export function db2Capabilities(version: string): Capabilities {
  const numbers = parseDb2Version(version);
  if (numbers.length < 2 || !atLeast(numbers, MIN_DB2)) {
    throw new Error(`Db2 ${version} is not supported: dbtide needs Db2 LUW ${MIN_DB2.join('.')} or later`);
  }
  return {
    server: `Db2 ${numbers.join('.')}`,
    transactionalDdl: true,
    // A plain CREATE INDEX lets writes go on while it builds; a failed one rolls back and leaves nothing.
    onlineIndexBuild: true,
    invalidIndex: 'drop-and-create',
    blockingIndexMethods: [],
    // SET NOT NULL reads every row under its lock and counts toward the reorganization: contract, after the precheck.
    notNull: 'scan',
    backfill: 'update',
    // The key's columns are NOT NULL by then; ADD UNIQUE checks every row while writes wait.
    uniqueKey: 'blocking',
    // No NOT VALID: an added foreign key or check is checked against every row while writes wait.
    constraintAdd: { foreignKey: 'checked-blocking', check: 'checked-blocking' },
    constantDefaultIsInstant: true,
    // CREATE INDEX ... WHERE arrived in 12.1 for unique indexes only: not declared on Db2.
    partialIndexes: false,
    operatorClasses: false,
    // INCLUDE columns are for unique indexes only on Db2, which dbtide does not tell apart: not declared.
    indexOptions: { include: false, nullsNotDistinct: false },
    uniqueIndexIsKey: false,
    isMetadataOnlyTypeChange,
    // A value the new type cannot hold fails the ALTER, which rolls back: nothing is lost.
    typeChangeKeeps: () => null,
    isStableDefaultExpression: (expression) => CONSTANT_DEFAULT.test(expression.trim()),
    // Constraint and index names are each unique per schema (SYSCAT.TABCONST is keyed by table, but
    // an index and the constraint that made it share the name in SYSCAT.INDEXES, unique per schema).
    schemaWideNames: [['primary-key', 'unique', 'index']],
    // CURRENT SCHEMA names one schema, with no fall-through: the version schema has a view of every table.
    versionSelection: 'database',
    foreignKeyTarget: 'key-constraint',
    foreignKeyTypesMatch,
    commentsInDefinition: false,
    // COMMENT ON keeps up to 254 bytes; counted as characters here, the stricter for plain text.
    commentLimits: { table: 254, column: 254 },
    replicaIdentity: false,
    schemaObjects: { sequences: false, domains: false, enums: false },
    renameInPlace: ['index'],
    exclusionConstraints: false,
    deferrableConstraints: false,
    foreignKeyActions: { onDelete: ['no action', 'restrict', 'cascade', 'set null'], onUpdate: ['no action', 'restrict'] },
    keyColumnsNotNull: true,
    foldsToUpperCase: true,
    typeProblem: (type) => typeProblem(type, numbers),
    // CLOB and BLOB: no index, no key, no comparison (a trigger's IS DISTINCT FROM included).
    uncomparableTypes: ['text', 'binary'],
    renameTableWithDependents: false,
    reorgBudget: 3,
  };
}
