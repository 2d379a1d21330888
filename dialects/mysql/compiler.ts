import type { SqlCompiler } from '../../src/dialect.js';
import { NEW_TABLE_LOCK, type LockInfo, type Statement } from '../../src/model/locks.js';
import { MYSQL_LOCK } from './locks.js';
import { foreignKeyClause } from '../../src/model/foreign-key-sql.js';
import { renderIndexKey, type IndexKey } from '../../src/model/index-entry.js';
import { splitKeyWords } from '../../src/model/index-key-words.js';
import type { CheckModel, ColumnModel, DefaultValue, IndexModel, TableModel } from '../../src/model/schema-model.js';
import type { ConstraintKind } from '../../src/model/named-objects.js';
import type { ColumnType } from '../../src/model/column-type.js';

export const quote = (identifier: string) => `\`${identifier.replace(/`/g, '``')}\``;
const list = (columns: string[]) => columns.map(quote).join(', ');
/** Backslashes escape in MySQL string literals unless NO_BACKSLASH_ESCAPES is set; doubling them is right either way. */
export const literal = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * Index keys: columns (quoted, with a prefix length `c(10)` or `DESC`), or expressions (MySQL
 * 8.0.13+ functional keys). A key takes a collation only inside an expression, so a column with
 * one (`email COLLATE utf8mb4_bin`) is the functional key `(`email` COLLATE utf8mb4_bin)`.
 */
export function indexKey(key: IndexKey): string {
  const words = key.kind === 'column' ? splitKeyWords(key.modifiers, true) : null;
  if (key.kind === 'column' && words?.collation) {
    return `(${quote(key.column)} COLLATE ${words.collation})${words.order ? ` ${words.order}` : ''}`;
  }
  return renderIndexKey(key, quote, (expression) => `(${expression})`);
}

export function columnType(type: ColumnType): string {
  switch (type.kind) {
    case 'boolean': return 'tinyint(1)';
    case 'real': return 'float';
    case 'uuid': return 'char(36)';
    case 'binary': return 'longblob';
    case 'varchar': return `varchar(${type.length})`;
    // Microseconds, as PostgreSQL keeps them; DATETIME has no time zone, TIMESTAMP is stored in UTC.
    case 'timestamp': return type.withTimeZone ? 'timestamp(6)' : 'datetime(6)';
    case 'numeric': return type.precision === null ? 'decimal(65,30)' : `decimal(${type.precision},${type.scale ?? 0})`;
    case 'native': return type.sql;
    default: return type.kind;
  }
}

/** `CURRENT_TIMESTAMP` and its synonyms: the only expressions MySQL takes as a default without parentheses. */
const NOW = /^(?:current_timestamp|now|localtime|localtimestamp)(?:\(\s*\d*\s*\))?$/i;

/**
 * A default as MySQL accepts it: literals as they are, the current time with the column's
 * fractional seconds (a DATETIME(6) refuses a plain CURRENT_TIMESTAMP), any other expression in
 * parentheses (MySQL 8.0.13+, MariaDB 10.2+).
 */
export function defaultSql(value: DefaultValue, type?: ColumnType): string {
  if (value.kind === 'literal') return typeof value.value === 'string' ? literal(value.value) : String(value.value).toUpperCase();
  const expression = value.expression.trim();
  if (!NOW.test(expression)) return `(${expression})`;
  if (/\(\s*\d+\s*\)$/.test(expression)) return expression;
  return type?.kind === 'timestamp' ? 'CURRENT_TIMESTAMP(6)' : 'CURRENT_TIMESTAMP';
}

/**
 * NULL is spelled out: with explicit_defaults_for_timestamp off, a bare TIMESTAMP column would
 * become NOT NULL. A generated column (a native type) takes no nullability on MariaDB.
 */
export function columnDefinition(column: ColumnModel): string {
  const generated = column.type.kind === 'native' && /\bGENERATED\s+ALWAYS\s+AS\b/i.test(column.type.sql);
  const parts = [quote(column.name), columnType(column.type), ...(generated ? [] : [column.nullable ? 'NULL' : 'NOT NULL'])];
  if (column.default) parts.push(`DEFAULT ${defaultSql(column.default, column.type)}`);
  if (column.identity) parts.push('AUTO_INCREMENT');
  if (column.comment !== undefined) parts.push(`COMMENT ${literal(column.comment)}`);
  return parts.join(' ');
}

/**
 * How the server may run an ALTER. Stating it makes the server refuse rather than fall back to a
 * copy that blocks writes. INSTANT takes only `LOCK=DEFAULT` on MySQL (it never blocks anyway).
 */
const INSTANT: Algorithm = { clause: 'ALGORITHM=INSTANT, LOCK=DEFAULT', lock: MYSQL_LOCK.instant };
const ONLINE: Algorithm = { clause: 'ALGORITHM=INPLACE, LOCK=NONE', lock: MYSQL_LOCK.online };
/** The same clause where the server rebuilds the table in place (nullability, the primary key). */
const ONLINE_REBUILD: Algorithm = { ...ONLINE, lock: MYSQL_LOCK.onlineRebuild };
/** The same clause where the server reads the table to build an index. */
const ONLINE_BUILD: Algorithm = { ...ONLINE, lock: MYSQL_LOCK.onlineBuild };
/** Type changes and checks: the server copies the table; reads continue, writes wait. */
const COPY: Algorithm = { clause: 'ALGORITHM=COPY, LOCK=SHARED', lock: MYSQL_LOCK.copy };
/** The first FULLTEXT index on a table rebuilds it; writes wait. */
const FULLTEXT: Algorithm = { clause: 'ALGORITHM=INPLACE, LOCK=SHARED', lock: MYSQL_LOCK.shared };

interface Algorithm {
  clause: string;
  lock: LockInfo;
}

const alter = (table: string, clause: string, how: Algorithm): Statement => ({ sql: `ALTER TABLE ${quote(table)} ${clause}, ${how.clause}`, lock: how.lock });
const session = (sql: string): Statement => ({ sql, lock: MYSQL_LOCK.none });

const INDEX_KIND: Record<string, string> = { fulltext: 'FULLTEXT ', spatial: 'SPATIAL ' };

function indexClause(index: IndexModel, keys: IndexKey[]): string {
  const kind = index.unique ? 'UNIQUE ' : (INDEX_KIND[index.using] ?? '');
  return `ADD ${kind}INDEX ${quote(index.name)} (${keys.map(indexKey).join(', ')})`;
}

const DROP_CONSTRAINT: Record<ConstraintKind, (name: string) => string> = {
  'primary-key': () => 'DROP PRIMARY KEY',
  unique: (name) => `DROP INDEX ${quote(name)}`,
  'foreign-key': (name) => `DROP FOREIGN KEY ${quote(name)}`,
  check: (name) => `DROP CONSTRAINT ${quote(name)}`,
  // Never planned: a release declaring one is refused (capability exclusionConstraints).
  exclusion: (name) => `DROP CONSTRAINT ${quote(name)}`,
};

/** MySQL 8 and MariaDB share this SQL; where they differ, the capability table keeps the planner away. */
export const mysqlCompiler: SqlCompiler = {
  quote,
  columnType,
  createTable(table: TableModel) {
    const lines = table.columns.map(columnDefinition);
    if (table.primaryKey) lines.push(`PRIMARY KEY (${list(table.primaryKey.columns)})`);
    for (const u of table.uniques) lines.push(`CONSTRAINT ${quote(u.name)} UNIQUE (${list(u.columns)})`);
    for (const c of table.checks) lines.push(`CONSTRAINT ${quote(c.name)} CHECK (${c.expression})`);
    const comment = table.comment === undefined ? '' : ` COMMENT = ${literal(table.comment)}`;
    return { sql: `CREATE TABLE ${quote(table.name)} (\n  ${lines.join(',\n  ')}\n)${comment}`, lock: NEW_TABLE_LOCK };
  },
  dropTable: (table) => ({ sql: `DROP TABLE IF EXISTS ${quote(table)}`, lock: MYSQL_LOCK.metadata }),
  addColumn: (table, column) => alter(table, `ADD COLUMN ${columnDefinition(column)}`, INSTANT),
  dropColumn: (table, column) => alter(table, `DROP COLUMN ${quote(column)}`, INSTANT),
  // MODIFY restates the whole column; a type change other than widening a VARCHAR copies the table.
  alterColumnType: (table, column, { inPlace }) => alter(table, `MODIFY COLUMN ${columnDefinition(column)}`, inPlace ? ONLINE : COPY),
  setDefault: (table, column) =>
    alter(table, `ALTER COLUMN ${quote(column.name)} SET DEFAULT ${defaultSql(column.default!, column.type)}`, INSTANT),
  dropDefault: (table, column) => alter(table, `ALTER COLUMN ${quote(column)} DROP DEFAULT`, INSTANT),
  // Changing nullability rebuilds the table in place while writes continue.
  setNotNull: (table, column) => alter(table, `MODIFY COLUMN ${columnDefinition({ ...column, nullable: false })}`, ONLINE_REBUILD),
  dropNotNull: (table, column) => alter(table, `MODIFY COLUMN ${columnDefinition({ ...column, nullable: true })}`, ONLINE_REBUILD),
  createIndex: (table, index, keys) => alter(table, indexClause(index, keys), index.using === 'fulltext' || index.using === 'spatial' ? FULLTEXT : ONLINE_BUILD),
  dropIndex: (table, name) => alter(table, `DROP INDEX ${quote(name)}`, ONLINE),
  addPrimaryKey: (table, key) => alter(table, `ADD PRIMARY KEY (${list(key.columns)})`, ONLINE_REBUILD),
  addUnique: (table, key) => alter(table, `ADD CONSTRAINT ${quote(key.name)} UNIQUE (${list(key.columns)})`, ONLINE_BUILD),
  // With foreign_key_checks on, the server copies the table to check every row; the orphan
  // precheck has scanned them instead, so the key is added in place (runtime re-enables the
  // checks when the ALTER fails).
  addForeignKey: (table, fk) => [
    session('SET foreign_key_checks = 0'),
    alter(table, `ADD CONSTRAINT ${quote(fk.name)} ${foreignKeyClause(fk, quote)}`, ONLINE),
    session('SET foreign_key_checks = 1'),
  ],
  addCheck: (table, check: CheckModel) => alter(table, `ADD CONSTRAINT ${quote(check.name)} CHECK (${check.expression})`, COPY),
  dropConstraint: (table, name, kind) => alter(table, DROP_CONSTRAINT[kind](name), kind === 'primary-key' ? COPY : ONLINE),
  cast: (expression, type) => `CAST(${expression} AS ${castType(type)})`,
  renameColumn: (table, from, to) => alter(table, `RENAME COLUMN ${quote(from)} TO ${quote(to)}`, INSTANT),
  renameConstraint(table, from, to) {
    // Only keys carry names a rename keeps; MySQL renames their index.
    return alter(table, `RENAME INDEX ${quote(from)} TO ${quote(to)}`, ONLINE);
  },
  renameIndex: (table, from, to) => alter(table, `RENAME INDEX ${quote(from)} TO ${quote(to)}`, ONLINE),
  // An empty comment is none. Both change only metadata: MariaDB 10.11 takes them INSTANT; where a
  // server refuses that, the runtime's fallback runs them INPLACE, LOCK=NONE.
  commentOnTable: (table, comment) => alter(table, `COMMENT = ${literal(comment ?? '')}`, INSTANT),
  // MODIFY restates the column as it is, with the new comment (none when absent).
  commentOnColumn: (table, column) => alter(table, `MODIFY COLUMN ${columnDefinition(column)}`, INSTANT),
};

/** CAST accepts only a few type names: SIGNED, DECIMAL, CHAR, DATETIME... */
function castType(type: ColumnType): string {
  switch (type.kind) {
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'boolean':
      return 'SIGNED';
    case 'real': return 'FLOAT';
    case 'double': return 'DOUBLE';
    case 'text':
    case 'varchar':
    case 'uuid':
      return 'CHAR';
    case 'binary': return 'BINARY';
    case 'timestamp': return 'DATETIME(6)';
    case 'numeric': return type.precision === null ? 'DECIMAL(65,30)' : `DECIMAL(${type.precision},${type.scale ?? 0})`;
    default: return columnType(type);
  }
}
