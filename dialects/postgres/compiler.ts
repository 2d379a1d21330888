import type { SqlCompiler } from '../../src/dialect.js';
import { NEW_TABLE_LOCK, type LockInfo, type Statement } from '../../src/model/locks.js';
import { PG_LOCK } from './locks.js';
import { foreignKeyClause } from '../../src/model/foreign-key-sql.js';
import { readIndexKeys, renderIndexKey, type IndexKey } from '../../src/model/index-entry.js';
import type { CheckModel, ColumnModel, DefaultValue, Deferrable, ExclusionModel, IndexModel, KeyConstraint, ReplicaIdentity, TableModel } from '../../src/model/schema-model.js';
import type { ColumnType } from '../../src/model/column-type.js';

export const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const list = (columns: string[]) => columns.map(quote).join(', ');
export const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Columns are quoted; expressions are written as declared. */
export const indexKey = (key: IndexKey) => renderIndexKey(key, quote, (expression) => expression);

export function columnType(type: ColumnType): string {
  switch (type.kind) {
    case 'int': return 'integer';
    case 'double': return 'double precision';
    case 'json': return 'jsonb';
    case 'binary': return 'bytea';
    case 'varchar': return `varchar(${type.length})`;
    case 'timestamp': return type.withTimeZone ? 'timestamptz' : 'timestamp';
    case 'numeric': return type.precision === null ? 'numeric' : `numeric(${type.precision},${type.scale ?? 0})`;
    case 'native': return type.sql;
    default: return type.kind;
  }
}

export function defaultSql(value: DefaultValue): string {
  if (value.kind === 'sql') return value.expression;
  return typeof value.value === 'string' ? literal(value.value) : String(value.value);
}

function columnDefinition(column: ColumnModel): string {
  const parts = [quote(column.name), columnType(column.type)];
  if (column.identity) parts.push(`GENERATED ${column.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  if (column.default) parts.push(`DEFAULT ${defaultSql(column.default)}`);
  if (!column.nullable) parts.push('NOT NULL');
  return parts.join(' ');
}

const uniqueClause = (key: KeyConstraint) =>
  `UNIQUE ${key.nullsNotDistinct ? 'NULLS NOT DISTINCT ' : ''}(${list(key.columns)})${key.include ? ` INCLUDE (${list(key.include)})` : ''}`;

const commentText = (comment: string | null | undefined) => (comment == null ? 'NULL' : literal(comment));

const replicaIdentityClause = (identity: ReplicaIdentity | 'default') =>
  typeof identity === 'string' ? identity.toUpperCase() : `USING INDEX ${quote(identity.index)}`;

/** ` DEFERRABLE INITIALLY DEFERRED`, or nothing for a constraint that is not deferrable. */
const deferrableClause = (deferrable: Deferrable | undefined) => (deferrable ? ` DEFERRABLE INITIALLY ${deferrable.toUpperCase()}` : '');

/** `EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (...)`: keys as in an index. */
const exclusionClause = (x: ExclusionModel, keys: IndexKey[]) =>
  `EXCLUDE USING ${x.using} (${keys.map((k, i) => `${indexKey(k)} WITH ${x.operators[i]}`).join(', ')})${x.where ? ` WHERE (${x.where})` : ''}` +
  deferrableClause(x.deferrable);

const alter = (table: string, clause: string, lock: LockInfo = PG_LOCK.metadata): Statement => ({ sql: `ALTER TABLE ${quote(table)} ${clause}`, lock });
const statement = (sql: string, lock: LockInfo): Statement => ({ sql, lock });

export const postgresCompiler: SqlCompiler = {
  quote,
  columnType,
  createTable(table: TableModel) {
    const lines = table.columns.map(columnDefinition);
    if (table.primaryKey) {
      lines.push(`CONSTRAINT ${quote(table.primaryKey.name)} PRIMARY KEY (${list(table.primaryKey.columns)})${deferrableClause(table.primaryKey.deferrable)}`);
    }
    for (const u of table.uniques) lines.push(`CONSTRAINT ${quote(u.name)} ${uniqueClause(u)}${deferrableClause(u.deferrable)}`);
    for (const c of table.checks) lines.push(`CONSTRAINT ${quote(c.name)} CHECK (${c.expression})`);
    const columns = table.columns.map((c) => c.name);
    for (const x of table.exclusions ?? []) lines.push(`CONSTRAINT ${quote(x.name)} ${exclusionClause(x, readIndexKeys(x.columns, columns))}`);
    return statement(`CREATE TABLE ${quote(table.name)} (\n  ${lines.join(',\n  ')}\n)`, NEW_TABLE_LOCK);
  },
  dropTable: (table) => statement(`DROP TABLE IF EXISTS ${quote(table)}`, PG_LOCK.metadata),
  // An identity column fills every row; a constant default is stored once (PostgreSQL 11+).
  addColumn: (table, column) => alter(table, `ADD COLUMN IF NOT EXISTS ${columnDefinition(column)}`, column.identity ? PG_LOCK.rewrite : PG_LOCK.metadata),
  dropColumn: (table, column) => alter(table, `DROP COLUMN IF EXISTS ${quote(column)}`),
  alterColumnType: (table, { name, type }, { inPlace }) =>
    alter(table, `ALTER COLUMN ${quote(name)} TYPE ${columnType(type)} USING ${quote(name)}::${columnType(type)}`, inPlace ? PG_LOCK.metadata : PG_LOCK.rewrite),
  setDefault: (table, column) => alter(table, `ALTER COLUMN ${quote(column.name)} SET DEFAULT ${defaultSql(column.default!)}`),
  dropDefault: (table, column) => alter(table, `ALTER COLUMN ${quote(column)} DROP DEFAULT`),
  setNotNull: (table, column, { provenByCheck }) =>
    alter(table, `ALTER COLUMN ${quote(column.name)} SET NOT NULL`, provenByCheck ? PG_LOCK.metadata : PG_LOCK.scan),
  dropNotNull: (table, column) => alter(table, `ALTER COLUMN ${quote(column.name)} DROP NOT NULL`),
  createIndex(table, index: IndexModel, keys, { online }) {
    return statement(
      `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${online ? 'CONCURRENTLY ' : ''}${quote(index.name)} ON ${quote(table)}` +
        `${index.using === 'btree' ? '' : ` USING ${index.using}`} (${keys.map(indexKey).join(', ')})` +
        (index.include.length > 0 ? ` INCLUDE (${list(index.include)})` : '') +
        (index.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '') +
        (index.where ? ` WHERE ${index.where}` : ''),
      online ? PG_LOCK.online : PG_LOCK.indexBuild,
    );
  },
  dropIndex: (_table, name, { online }) =>
    statement(`DROP INDEX ${online ? 'CONCURRENTLY ' : ''}IF EXISTS ${quote(name)}`, online ? PG_LOCK.online : PG_LOCK.metadata),
  rebuildIndex: (name) => statement(`REINDEX INDEX CONCURRENTLY ${quote(name)}`, PG_LOCK.online),
  // Without an index built first, the key's index is built under the exclusive lock.
  addPrimaryKey: (table, key: KeyConstraint, { usingIndex }) =>
    alter(
      table,
      `ADD CONSTRAINT ${quote(key.name)} PRIMARY KEY ${usingIndex ? `USING INDEX ${quote(usingIndex)}` : `(${list(key.columns)})`}${deferrableClause(key.deferrable)}`,
      usingIndex ? PG_LOCK.metadata : PG_LOCK.scan,
    ),
  // An adopted index brings its NULLS NOT DISTINCT along (USING INDEX takes no such words).
  addUnique: (table, key, { usingIndex }) =>
    alter(
      table,
      `ADD CONSTRAINT ${quote(key.name)} ${usingIndex ? `UNIQUE USING INDEX ${quote(usingIndex)}` : uniqueClause(key)}${deferrableClause(key.deferrable)}`,
      usingIndex ? PG_LOCK.metadata : PG_LOCK.scan,
    ),
  addForeignKey: (table, fk, { validate }) => [
    alter(
      table,
      `ADD CONSTRAINT ${quote(fk.name)} ${foreignKeyClause(fk, quote)}${deferrableClause(fk.deferrable)}${validate ? '' : ' NOT VALID'}`,
      validate ? PG_LOCK.shareRowScan : PG_LOCK.shareRow,
    ),
  ],
  addCheck: (table, check: CheckModel, { validate }) =>
    alter(table, `ADD CONSTRAINT ${quote(check.name)} CHECK (${check.expression})${validate ? '' : ' NOT VALID'}`, validate ? PG_LOCK.scan : PG_LOCK.metadata),
  addExclusion: (table, x, keys) => alter(table, `ADD CONSTRAINT ${quote(x.name)} ${exclusionClause(x, keys)}`, PG_LOCK.exclusion),
  // Foreign keys only (PostgreSQL refuses it for other constraints); metadata under a brief ACCESS EXCLUSIVE.
  setDeferrable: (table, name, deferrable) =>
    alter(table, `ALTER CONSTRAINT ${quote(name)} ${deferrable ? deferrableClause(deferrable).trim() : 'NOT DEFERRABLE'}`),
  validateConstraint: (table, name) => alter(table, `VALIDATE CONSTRAINT ${quote(name)}`, PG_LOCK.online),
  dropConstraint: (table, name) => alter(table, `DROP CONSTRAINT IF EXISTS ${quote(name)}`),
  cast: (expression, type) => `CAST(${expression} AS ${columnType(type)})`,
  renameColumn: (table, from, to) => alter(table, `RENAME COLUMN ${quote(from)} TO ${quote(to)}`),
  renameConstraint: (table, from, to) => alter(table, `RENAME CONSTRAINT ${quote(from)} TO ${quote(to)}`),
  renameIndex: (_table, from, to) => statement(`ALTER INDEX ${quote(from)} RENAME TO ${quote(to)}`, PG_LOCK.metadata),
  // COMMENT ON takes SHARE UPDATE EXCLUSIVE on the table: reads and writes go on.
  commentOnTable: (table, comment) => statement(`COMMENT ON TABLE ${quote(table)} IS ${commentText(comment)}`, PG_LOCK.online),
  commentOnColumn: (table, column) => statement(`COMMENT ON COLUMN ${quote(table)}.${quote(column.name)} IS ${commentText(column.comment)}`, PG_LOCK.online),
  // ACCESS EXCLUSIVE for a catalog update: no scan, no rewrite.
  setReplicaIdentity: (table, identity) => alter(table, `REPLICA IDENTITY ${replicaIdentityClause(identity)}`),
};
