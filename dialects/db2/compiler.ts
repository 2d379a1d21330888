import type { SqlCompiler } from '../../src/dialect.js';
import { NEW_TABLE_LOCK, type LockInfo, type Statement } from '../../src/model/locks.js';
import { foreignKeyClause } from '../../src/model/foreign-key-sql.js';
import { renderIndexKey, type IndexKey } from '../../src/model/index-entry.js';
import type { ColumnModel, DefaultValue, KeyConstraint, TableModel } from '../../src/model/schema-model.js';
import type { ConstraintKind } from '../../src/model/named-objects.js';
import type { ColumnType } from '../../src/model/column-type.js';
import { DB2_LOCK } from './locks.js';
import { literal, quote } from './names.js';

const list = (columns: string[]) => columns.map(quote).join(', ');

/**
 * Db2 types for dbtide's portable ones. Long texts and bytes are LOBs of 1M, which read back with
 * their length, unlike an unbounded type Db2 does not have. A numeric declared without precision
 * has no Db2 equivalent (a bare DECIMAL is DECIMAL(5,0)), and uuid, json and timestamptz none at
 * all: a release declaring them is refused at plan (capabilities.typeProblem). They are rendered
 * only for dbtide's own tables, whose archive time is a timestamptz, kept in UTC.
 */
export function columnType(type: ColumnType): string {
  switch (type.kind) {
    case 'int': return 'INTEGER';
    case 'text':
    case 'json':
      return 'CLOB(1M)';
    case 'binary': return 'BLOB(1M)';
    case 'uuid': return 'CHAR(36)';
    case 'varchar': return `VARCHAR(${type.length})`;
    case 'timestamp': return 'TIMESTAMP(6)';
    case 'numeric': return type.precision === null ? 'DECIMAL(31,8)' : `DECIMAL(${type.precision},${type.scale ?? 0})`;
    case 'native': return type.sql;
    default: return type.kind.toUpperCase();
  }
}

/** PostgreSQL's and MySQL's spellings of the current date and time, as Db2's special registers (what SYSCAT.COLUMNS keeps). */
const SPECIAL_REGISTERS: [RegExp, string][] = [
  [/^(?:current[_ ]timestamp|now|localtimestamp)(?:\s*\(\s*\))?$/i, 'CURRENT TIMESTAMP'],
  [/^current[_ ]date$/i, 'CURRENT DATE'],
  [/^(?:current[_ ]time|localtime)$/i, 'CURRENT TIME'],
];

/** A default as Db2 takes one: a constant, a special register, or the expression as declared. */
export function defaultSql(value: DefaultValue): string {
  if (value.kind === 'literal') return typeof value.value === 'string' ? literal(value.value) : String(value.value).toUpperCase();
  const expression = value.expression.trim();
  return SPECIAL_REGISTERS.find(([pattern]) => pattern.test(expression))?.[1] ?? expression;
}

/**
 * NOT NULL comes before GENERATED, the order Db2 documents. A NOT NULL column added to a table
 * with rows needs its default; the planner gives it one (Db2 refuses the ALTER otherwise).
 */
export function columnDefinition(column: ColumnModel): string {
  const parts = [quote(column.name), columnType(column.type)];
  if (!column.nullable || column.identity) parts.push('NOT NULL');
  if (column.default) parts.push(`DEFAULT ${defaultSql(column.default)}`);
  if (column.identity) parts.push(`GENERATED ${column.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY (START WITH 1 INCREMENT BY 1)`);
  return parts.join(' ');
}

/** Columns are quoted; a sort order follows; an expression key (Db2 11.5+) is written as declared. */
export const indexKey = (key: IndexKey) => renderIndexKey(key, quote, (expression) => expression);

const statement = (sql: string, lock: LockInfo): Statement => ({ sql, lock });
const alter = (table: string, clause: string, lock: LockInfo = DB2_LOCK.catalog): Statement => statement(`ALTER TABLE ${quote(table)} ${clause}`, lock);
/** A REORG-recommended ALTER: the planner keeps it in contract and reorganizes the table after it. */
const reorgAlter = (table: string, clause: string, lock: LockInfo): Statement => ({ ...alter(table, clause, lock), reorg: true });

const keyClause = (kind: 'PRIMARY KEY' | 'UNIQUE', key: KeyConstraint) => `ADD CONSTRAINT ${quote(key.name)} ${kind} (${list(key.columns)})`;

/** DROP PRIMARY KEY needs no name (a table has one); a foreign key is named by its kind, as Db2's ALTER TABLE offers. */
const DROP_CONSTRAINT: Record<ConstraintKind, (name: string) => string> = {
  'primary-key': () => 'DROP PRIMARY KEY',
  unique: (name) => `DROP UNIQUE ${quote(name)}`,
  'foreign-key': (name) => `DROP FOREIGN KEY ${quote(name)}`,
  check: (name) => `DROP CHECK ${quote(name)}`,
  // Never planned: a release declaring one is refused (capability exclusionConstraints).
  exclusion: (name) => `DROP CONSTRAINT ${quote(name)}`,
};

const commentText = (comment: string | null | undefined) => literal(comment ?? '');

/**
 * One compiler for every Db2 LUW dbtide serves, so a boolean is always BOOLEAN, which arrived in
 * 11.1.1.1: on an older server the capability table refuses a declared boolean at plan. Names go
 * through names.ts: a lower-case declared name is stored in upper case, what the application's
 * unquoted SQL reads.
 */
export const db2Compiler: SqlCompiler = {
  quote,
  columnType,
  createTable(table: TableModel) {
    const lines = table.columns.map(columnDefinition);
    if (table.primaryKey) lines.push(`CONSTRAINT ${quote(table.primaryKey.name)} PRIMARY KEY (${list(table.primaryKey.columns)})`);
    for (const u of table.uniques) lines.push(`CONSTRAINT ${quote(u.name)} UNIQUE (${list(u.columns)})`);
    for (const c of table.checks) lines.push(`CONSTRAINT ${quote(c.name)} CHECK (${c.expression})`);
    return statement(`CREATE TABLE ${quote(table.name)} (\n  ${lines.join(',\n  ')}\n)`, NEW_TABLE_LOCK);
  },
  dropTable: (table) => statement(`DROP TABLE ${quote(table)}`, DB2_LOCK.catalog),
  addColumn: (table, column) => alter(table, `ADD COLUMN ${columnDefinition(column)}`),
  // Catalog only, but the dropped column's bytes stay in every row until the table is reorganized.
  dropColumn: (table, column) => reorgAlter(table, `DROP COLUMN ${quote(column)}`, DB2_LOCK.catalog),
  // Only lengthening a VARCHAR is metadata; any other change casts every row.
  alterColumnType: (table, column, { inPlace }) => {
    const clause = `ALTER COLUMN ${quote(column.name)} SET DATA TYPE ${columnType(column.type)}`;
    return inPlace ? alter(table, clause) : reorgAlter(table, clause, DB2_LOCK.castEveryRow);
  },
  setDefault: (table, column) => alter(table, `ALTER COLUMN ${quote(column.name)} SET DEFAULT ${defaultSql(column.default!)}`),
  dropDefault: (table, column) => alter(table, `ALTER COLUMN ${quote(column)} DROP DEFAULT`),
  // No check proves NOT NULL to Db2 (capabilities.notNull is `scan`): every row is read.
  setNotNull: (table, column) => reorgAlter(table, `ALTER COLUMN ${quote(column.name)} SET NOT NULL`, DB2_LOCK.scan),
  dropNotNull: (table, column) => reorgAlter(table, `ALTER COLUMN ${quote(column.name)} DROP NOT NULL`, DB2_LOCK.catalog),
  // Db2 has no CONCURRENTLY: the plain form is its online build, and a failed one rolls back
  // whole. An unqualified index lands in CURRENT SCHEMA, with its table.
  createIndex: (table, index, keys) =>
    statement(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quote(index.name)} ON ${quote(table)} (${keys.map(indexKey).join(', ')})`, DB2_LOCK.onlineIndex),
  dropIndex: (_table, name) => statement(`DROP INDEX ${quote(name)}`, DB2_LOCK.catalog),
  // With a matching unique index, Db2 makes it the key's (SQL0598W) instead of building one; the
  // statement is the same, and every row is still checked.
  addPrimaryKey: (table, key) => alter(table, keyClause('PRIMARY KEY', key), DB2_LOCK.checkedConstraint),
  addUnique: (table, key) => alter(table, keyClause('UNIQUE', key), DB2_LOCK.checkedConstraint),
  // Always enforced: the capability table says `checked-blocking`, so the planner never asks for
  // an unvalidated key. Db2's NOT ENFORCED keys are trusted by the optimizer without being true.
  addForeignKey: (table, fk) => [alter(table, `ADD CONSTRAINT ${quote(fk.name)} ${foreignKeyClause(fk, quote)}`, DB2_LOCK.checkedConstraint)],
  addCheck: (table, check) => alter(table, `ADD CONSTRAINT ${quote(check.name)} CHECK (${check.expression})`, DB2_LOCK.checkedConstraint),
  dropConstraint: (table, name, kind) => alter(table, DROP_CONSTRAINT[kind](name)),
  cast: (expression, type) => `CAST(${expression} AS ${columnType(type)})`,
  renameColumn: (table, from, to) => alter(table, `RENAME COLUMN ${quote(from)} TO ${quote(to)}`),
  renameConstraint() {
    throw new Error('internal: Db2 renames no constraint in place (capabilities.renameInPlace is index only)');
  },
  renameIndex: (_table, from, to) => statement(`RENAME INDEX ${quote(from)} TO ${quote(to)}`, DB2_LOCK.catalog),
  // An empty comment is none: Db2 keeps no NULL comment apart from it.
  commentOnTable: (table, comment) => statement(`COMMENT ON TABLE ${quote(table)} IS ${commentText(comment)}`, DB2_LOCK.catalog),
  commentOnColumn: (table, column) => statement(`COMMENT ON COLUMN ${quote(table)}.${quote(column.name)} IS ${commentText(column.comment)}`, DB2_LOCK.catalog),
  // Classic REORG, the only kind a reorg-pending table takes. ADMIN_CMD takes the command as a
  // string, so the quoted name sits inside a literal; unqualified, it is the session's schema. The
  // utility commits the unit of work it is called in before it starts: it runs as a step of its own.
  reorgTable: (table) => statement(`CALL SYSPROC.ADMIN_CMD(${literal(`REORG TABLE ${quote(table)}`)})`, DB2_LOCK.reorg),
};
