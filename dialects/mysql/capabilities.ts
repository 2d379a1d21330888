import type { Capabilities } from '../../src/dialect.js';
import { sameColumnType, type ColumnType } from '../../src/model/column-type.js';
import { appendsMembers, membersKept } from './enum-types.js';

export type Flavour = 'mysql' | 'mariadb';

/**
 * The oldest servers dbtide plans for: INSTANT ADD and DROP COLUMN at any position arrived in
 * MySQL 8.0.29 and MariaDB 10.4; RENAME COLUMN in MariaDB 10.5.
 */
export const MINIMUM: Record<Flavour, number[]> = { mysql: [8, 0, 29], mariadb: [10, 5, 0] };

/** `10.11.6-MariaDB-0+deb12u1` or `8.0.36`: the flavour and the numeric version. */
export function parseVersion(version: string): { flavour: Flavour; numbers: number[] } {
  const flavour: Flavour = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  const numbers = (/^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version) ?? []).slice(1).map((n) => Number(n ?? 0));
  return { flavour, numbers };
}

const atLeast = (have: number[], want: number[]) => {
  for (let i = 0; i < want.length; i++) if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  return true;
};

/** A VARCHAR keeps its length in one byte up to 255 bytes, two above: widening across that line copies the table. */
const LENGTH_BYTE_LIMIT = 255;
/** utf8mb4, the default character set of both servers. */
const BYTES_PER_CHAR = 4;

/**
 * Widening a VARCHAR within one length-byte class, and members appended to an ENUM or SET within
 * one storage size, are done in place without a copy; every other type change copies.
 */
function isMetadataOnlyTypeChange(from: ColumnType, to: ColumnType): boolean {
  if (appendsMembers(from, to)) return true;
  if (from.kind !== 'varchar' || to.kind !== 'varchar' || to.length < from.length) return false;
  return (from.length * BYTES_PER_CHAR <= LENGTH_BYTE_LIMIT) === (to.length * BYTES_PER_CHAR <= LENGTH_BYTE_LIMIT);
}

/** Constants only: MySQL refuses INSTANT for an ADD COLUMN whose default is an expression. */
const CONSTANT_DEFAULT = /^(?:true|false|null|'(?:[^'\\]|''|\\.)*'|-?\d+(?:\.\d+)?)$/i;

/**
 * InnoDB's rule: integer and decimal columns must match exactly (size and sign), string columns
 * may differ in length.
 */
const foreignKeyTypesMatch = (child: ColumnType, parent: ColumnType) =>
  sameColumnType(child, parent) || (child.kind === 'varchar' && parent.kind === 'varchar');

export function mysqlCapabilities(version: string): Capabilities {
  const { flavour, numbers } = parseVersion(version);
  const minimum = MINIMUM[flavour];
  const name = flavour === 'mariadb' ? 'MariaDB' : 'MySQL';
  if (numbers.length === 0 || !atLeast(numbers, minimum)) {
    throw new Error(`${name} ${version} is not supported: dbtide needs ${name} ${minimum.join('.')} or later`);
  }
  return {
    server: `${name} ${numbers.join('.')}`,
    transactionalDdl: false,
    onlineIndexBuild: true,
    invalidIndex: 'drop-and-create',
    blockingIndexMethods: ['fulltext', 'spatial'],
    // A large table's rebuild makes writers wait at its end for as long as it takes to apply what
    // they wrote meanwhile; a copy filled in key order and swapped in by one rename does not.
    notNull: 'table-copy',
    backfill: 'table-copy',
    uniqueKey: 'online-key',
    // Adding a check copies the table on both servers; a foreign key is added in place once
    // foreign_key_checks is off, which skips checking existing rows (the orphan precheck did).
    constraintAdd: { foreignKey: 'unchecked-after-precheck', check: 'checked-blocking' },
    constantDefaultIsInstant: true,
    partialIndexes: false,
    operatorClasses: false,
    indexOptions: { include: false, nullsNotDistinct: false },
    uniqueIndexIsKey: true,
    isMetadataOnlyTypeChange,
    typeChangeKeeps: membersKept,
    isStableDefaultExpression: (expression) => CONSTANT_DEFAULT.test(expression.trim()),
    // Index (and so unique key) names are per table; InnoDB keeps foreign key names per database;
    // CHECK names are per database on MySQL (CHECK_CONSTRAINTS has no table) and per table on MariaDB.
    schemaWideNames: flavour === 'mariadb' ? [['foreign-key']] : [['foreign-key'], ['check']],
    versionSelection: 'database',
    foreignKeyTarget: 'unique-index',
    foreignKeyTypesMatch,
    commentsInDefinition: true,
    // Longer ones fail the statement under strict SQL mode, and are cut short without it.
    commentLimits: { table: 2048, column: 1024 },
    replicaIdentity: false,
    // MariaDB has sequences of its own; dbtide reports them as unsupported there.
    schemaObjects: { sequences: false, domains: false, enums: false },
    // A unique key is an index here, renamed by RENAME INDEX in place (MariaDB 10.5.2+). Neither
    // server has a statement that renames a CHECK or a foreign key (ALTER TABLE ... RENAME
    // CONSTRAINT is a syntax error), and the primary key is always named PRIMARY.
    renameInPlace: flavour === 'mariadb' && !atLeast(numbers, [10, 5, 2]) ? [] : ['unique', 'index'],
    exclusionConstraints: false,
    deferrableConstraints: false,
    // InnoDB parses SET DEFAULT and refuses it when the key is created.
    foreignKeyActions: { onDelete: ['no action', 'restrict', 'cascade', 'set null'], onUpdate: ['no action', 'restrict', 'cascade', 'set null'] },
    keyColumnsNotNull: false,
    foldsToUpperCase: false,
    typeProblem: () => null,
    uncomparableTypes: [],
    renameTableWithDependents: true,
    reorgBudget: null,
  };
}
