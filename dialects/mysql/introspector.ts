/**
 * Reads one database of a live MySQL 8 or MariaDB server into the canonical SchemaModel, from
 * information_schema, with one query per kind of object for the whole database (this runs on
 * every plan). The server's spellings are turned into the model's by introspector-defaults.ts.
 * Columns keep their ordinal order; tables and named objects are sorted here, so that the model
 * depends on neither the server's plan nor its collation.
 */
import { type Connection, type IntrospectOptions } from '../../src/dialect.js';
import { primaryKeyName } from '../../src/declaration/names.js';
import type {
  CheckModel,
  ColumnModel,
  ForeignKeyModel,
  IndexModel,
  ReferentialAction,
  SchemaModel,
  TableModel,
} from '../../src/model/schema-model.js';
import { parseVersion, type Flavour } from './capabilities.js';
import { mysqlColumn, normalizeMysqlExpression, unwrap } from './introspector-defaults.js';
import { OWN_TABLE_PREFIX, SHADOW } from '../../src/model/own-objects.js';
import { isCopyTableName } from '../../src/model/table-copy.js';
import { unsupportedMysql } from './unsupported.js';
import { ALIAS_MARKER } from './transitions.js';
import { syncTriggerName } from './trigger-names.js';

interface Server {
  schema: string;
  flavour: Flavour;
}

/** The database to read (the connection's own unless told), and which server this is. */
async function server(conn: Connection, options?: IntrospectOptions): Promise<Server> {
  const [row] = await conn.query<{ db: string | null; version: string }>('select database() as db, version() as version');
  const schema = options?.schema ?? row?.db;
  if (!schema) throw new Error('no database to read: name one in the URL (mysql://user@host:3306/<database>)');
  return { schema, flavour: parseVersion(row!.version).flavour };
}

/** MariaDB's system-versioned tables are base tables too. */
const TABLES_SQL = `
  select TABLE_NAME as table_name, TABLE_COMMENT as comment
  from information_schema.TABLES
  where TABLE_SCHEMA = ? and TABLE_TYPE in ('BASE TABLE', 'SYSTEM VERSIONED')`;

interface ColumnRow {
  table_name: string;
  name: string;
  column_type: string;
  nullable: 'YES' | 'NO';
  default_text: string | null;
  extra: string;
  generation: string | null;
  comment: string;
}

const COLUMNS_SQL = `
  select TABLE_NAME as table_name, COLUMN_NAME as name, COLUMN_TYPE as column_type, IS_NULLABLE as nullable,
         COLUMN_DEFAULT as default_text, EXTRA as extra, GENERATION_EXPRESSION as generation, COLUMN_COMMENT as comment
  from information_schema.COLUMNS
  where TABLE_SCHEMA = ?
  order by TABLE_NAME, ORDINAL_POSITION`;

interface IndexRow {
  table_name: string;
  name: string;
  non_unique: number | string;
  position: number | string;
  column_name: string | null;
  sub_part: number | string | null;
  collation: string | null;
  index_type: string;
  expression: string | null;
}

/** One row per key part. MySQL 8 lists a functional key part with its EXPRESSION and no column. */
const indexesSql = (flavour: Flavour) => `
  select TABLE_NAME as table_name, INDEX_NAME as name, NON_UNIQUE as non_unique, SEQ_IN_INDEX as position,
         COLUMN_NAME as column_name, SUB_PART as sub_part, COLLATION as collation, INDEX_TYPE as index_type,
         ${flavour === 'mysql' ? 'EXPRESSION' : 'null'} as expression
  from information_schema.STATISTICS
  where TABLE_SCHEMA = ?`;

interface ForeignKeyRow {
  table_name: string;
  name: string;
  column_name: string;
  position: number | string;
  referenced_table: string;
  referenced_column: string;
  on_delete: string;
  on_update: string;
}

/** Both tables are filtered on the schema: information_schema only narrows what a constant selects. */
const FOREIGN_KEYS_SQL = `
  select k.TABLE_NAME as table_name, k.CONSTRAINT_NAME as name, k.COLUMN_NAME as column_name,
         k.ORDINAL_POSITION as position, k.REFERENCED_TABLE_NAME as referenced_table,
         k.REFERENCED_COLUMN_NAME as referenced_column, r.DELETE_RULE as on_delete, r.UPDATE_RULE as on_update
  from information_schema.KEY_COLUMN_USAGE k
  join information_schema.REFERENTIAL_CONSTRAINTS r
    on r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA and r.TABLE_NAME = k.TABLE_NAME and r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
  where k.TABLE_SCHEMA = ? and r.CONSTRAINT_SCHEMA = ? and k.REFERENCED_TABLE_NAME is not null`;

interface CheckRow {
  table_name: string;
  name: string;
  clause: string;
  /** MariaDB: 'Column' for a check written on a column (named after it), else 'Table'. */
  level: string;
  enforced: string;
}

/**
 * MariaDB's CHECK_CONSTRAINTS names the table (check names are per table there); MySQL's does not
 * (they are per schema), so it is joined to TABLE_CONSTRAINTS, whose ENFORCED says whether the
 * check was added NOT ENFORCED.
 */
async function readChecks(conn: Connection, server: Server): Promise<CheckRow[]> {
  if (server.flavour === 'mariadb') {
    return conn.query<CheckRow>(
      `select TABLE_NAME as table_name, CONSTRAINT_NAME as name, CHECK_CLAUSE as clause, LEVEL as level, 'YES' as enforced
       from information_schema.CHECK_CONSTRAINTS
       where CONSTRAINT_SCHEMA = ?`,
      [server.schema],
    );
  }
  return conn.query<CheckRow>(
    `select t.TABLE_NAME as table_name, c.CONSTRAINT_NAME as name, c.CHECK_CLAUSE as clause, 'Table' as level, t.ENFORCED as enforced
     from information_schema.TABLE_CONSTRAINTS t
     join information_schema.CHECK_CONSTRAINTS c
       on c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA and c.CONSTRAINT_NAME = t.CONSTRAINT_NAME
     where t.TABLE_SCHEMA = ? and c.CONSTRAINT_SCHEMA = ? and t.CONSTRAINT_TYPE = 'CHECK'`,
    [server.schema, server.schema],
  );
}

/**
 * A column sync is an UPDATE trigger created first and an INSERT trigger, named as the sync,
 * created last (and dropped last): the INSERT trigger stands for a complete sync.
 */
const OWNED_TRIGGERS_SQL = `
  select EVENT_OBJECT_TABLE as table_name, TRIGGER_NAME as name
  from information_schema.TRIGGERS
  where TRIGGER_SCHEMA = ? and EVENT_MANIPULATION = 'INSERT'`;

const VIEWS_SQL = `select TABLE_NAME as name, VIEW_DEFINITION as definition from information_schema.VIEWS where TABLE_SCHEMA = ?`;

export async function introspectMysql(conn: Connection, options?: IntrospectOptions): Promise<SchemaModel> {
  const db = await server(conn, options);
  const schema = [db.schema];
  // One after another: a Connection is one session, which runs one statement at a time anyway.
  const tableRows = await conn.query<{ table_name: string; comment: string }>(TABLES_SQL, schema);
  const columnRows = await conn.query<ColumnRow>(COLUMNS_SQL, schema);
  const indexRows = await conn.query<IndexRow>(indexesSql(db.flavour), schema);
  const foreignKeyRows = await conn.query<ForeignKeyRow>(FOREIGN_KEYS_SQL, [db.schema, db.schema]);
  const checkRows = await readChecks(conn, db);
  const triggerRows = await conn.query<{ table_name: string; name: string }>(OWNED_TRIGGERS_SQL, schema);
  const viewRows = await conn.query<{ name: string; definition: string | null }>(VIEWS_SQL, schema);

  const tables = new Map<string, TableModel>();
  // A NOT NULL's table copies are read like the schema's tables, then set apart.
  const ownTable = (row: { table_name: string; comment: string }) =>
    (!row.table_name.startsWith(OWN_TABLE_PREFIX) || isCopyTableName(row.table_name)) && !row.comment.startsWith(SHADOW.marker);
  for (const row of tableRows.filter(ownTable).sort((a, b) => byPlainOrder(a.table_name, b.table_name))) {
    // The server's word for no comment is an empty one.
    tables.set(row.table_name, { ...emptyTable(row.table_name), ...(row.comment === '' ? {} : { comment: row.comment }) });
  }
  // A table created or dropped between two of the queries shows up in some but not all;
  // rows of a table missing from the first query are skipped.
  // MariaDB's JSON check stands for the column's type, not for a check of its own.
  const longtexts = new Set(columnRows.filter((c) => c.column_type === 'longtext').map((c) => columnKey(c.table_name, c.name)));
  const jsonColumns = new Set<string>();
  for (const row of sortByName(checkRows)) {
    const table = tables.get(row.table_name);
    if (!table) continue;
    const column = columnKey(row.table_name, row.name);
    if (isMariadbJsonCheck(row) && longtexts.has(column)) jsonColumns.add(column);
    else table.checks.push(toCheck(row, db.flavour));
  }
  for (const row of columnRows) {
    tables.get(row.table_name)?.columns.push(toColumn(row, jsonColumns.has(columnKey(row.table_name, row.name)), db.flavour));
  }
  for (const fk of foreignKeys(foreignKeyRows)) tables.get(fk.table)?.foreignKeys.push(fk.model);
  for (const index of indexes(indexRows, db.flavour)) {
    const table = tables.get(index.table);
    if (table) addIndex(table, index);
  }
  for (const table of tables.values()) {
    table.uniques.sort(byName);
    table.indexes.sort(byName);
    table.foreignKeys.sort(byName);
  }
  const copies = [...tables].filter(([name]) => isCopyTableName(name));
  for (const [name] of copies) tables.delete(name);
  const model: SchemaModel = {
    tables: Object.fromEntries(tables),
    ...(copies.length === 0 ? {} : { copies: Object.fromEntries(copies) }),
    owned: {
      triggers: triggerRows
        .map((t) => ({ table: t.table_name, name: syncTriggerName(t.name) }))
        .filter((t) => t.name.startsWith(OWN_TABLE_PREFIX) && tables.has(t.table))
        .sort((a, b) => byPlainOrder(a.table, b.table) || byPlainOrder(a.name, b.name)),
      aliases: sortByName(viewRows).flatMap((view) => {
        const table = aliasedTable(view.definition, db.schema);
        return table !== null && tables.has(table) ? [{ name: view.name, table }] : [];
      }),
      finishedJobs: [],
    },
  };
  return { ...model, unsupported: await unsupportedMysql(conn, db.schema, model) };
}

/**
 * Estimated rows per table from information_schema.TABLES, never a scan. InnoDB's count is itself
 * an estimate; MySQL 8 also caches it for a day unless information_schema_stats_expiry is 0.
 * Tables not found count 0.
 */
export async function estimateRowsMysql(
  conn: Connection,
  tables: string[],
  options?: IntrospectOptions,
): Promise<Record<string, number>> {
  if (tables.length === 0) return {};
  const db = await server(conn, options);
  if (db.flavour === 'mysql') await conn.query('SET SESSION information_schema_stats_expiry = 0');
  const rows = await conn.query<{ table_name: string; estimate: number | string | null }>(
    `select TABLE_NAME as table_name, TABLE_ROWS as estimate
     from information_schema.TABLES
     where TABLE_SCHEMA = ? and TABLE_NAME in (?) and TABLE_TYPE in ('BASE TABLE', 'SYSTEM VERSIONED')`,
    [db.schema, tables],
  );
  const estimates = new Map(rows.map((row) => [row.table_name, Number(row.estimate ?? 0)]));
  return Object.fromEntries(tables.map((table) => [table, estimates.get(table) ?? 0]));
}

/** A table's average row in bytes, from statistics (no scan); null for a table without rows counted. */
export async function averageRowBytesMysql(conn: Connection, table: string, options?: IntrospectOptions): Promise<number | null> {
  const db = await server(conn, options);
  const [row] = await conn.query<{ bytes: number | string | null }>(
    'select AVG_ROW_LENGTH as bytes from information_schema.TABLES where TABLE_SCHEMA = ? and TABLE_NAME = ?',
    [db.schema, table],
  );
  const bytes = Number(row?.bytes ?? 0);
  return bytes > 0 ? bytes : null;
}

function emptyTable(name: string): TableModel {
  return { name, columns: [], primaryKey: null, uniques: [], indexes: [], foreignKeys: [], checks: [] };
}

function toColumn(row: ColumnRow, jsonChecked: boolean, flavour: Flavour): ColumnModel {
  const spelling = { columnType: row.column_type, default: row.default_text, extra: row.extra, generation: row.generation, jsonChecked };
  return { name: row.name, nullable: row.nullable === 'YES', ...mysqlColumn(spelling, flavour), ...(row.comment === '' ? {} : { comment: row.comment }) };
}

/** MariaDB's JSON is a LONGTEXT with a check named after the column: `json_valid(`c`)`. */
const isMariadbJsonCheck = (row: CheckRow) => row.level === 'Column' && row.clause === `json_valid(\`${row.name.replaceAll('`', '``')}\`)`;

function toCheck(row: CheckRow, flavour: Flavour): CheckModel {
  return { name: row.name, expression: unwrap(normalizeMysqlExpression(row.clause, flavour)), validated: row.enforced !== 'NO' };
}

const ACTIONS: Record<string, ReferentialAction> = {
  'NO ACTION': 'no action',
  // InnoDB checks both at once; MariaDB stores a RESTRICT added in place as NO ACTION and an
  // omitted rule as RESTRICT, so reading both as NO ACTION keeps a plan from re-adding the key.
  RESTRICT: 'no action',
  CASCADE: 'cascade',
  'SET NULL': 'set null',
  'SET DEFAULT': 'set default',
};

function referentialAction(rule: string): ReferentialAction {
  const action = ACTIONS[rule];
  if (!action) throw new Error(`unknown referential action "${rule}" in information_schema.REFERENTIAL_CONSTRAINTS`);
  return action;
}

/** Foreign keys from their key-column rows, columns in key order. MySQL has no unvalidated foreign keys. */
function foreignKeys(rows: ForeignKeyRow[]): { table: string; model: ForeignKeyModel }[] {
  return byObject(rows).map((parts) => {
    const first = parts[0]!;
    return {
      table: first.table_name,
      model: {
        name: first.name,
        columns: parts.map((p) => p.column_name),
        referencedTable: first.referenced_table,
        referencedColumns: parts.map((p) => p.referenced_column),
        onDelete: referentialAction(first.on_delete),
        onUpdate: referentialAction(first.on_update),
        validated: true,
      },
    };
  });
}

interface LiveIndex {
  table: string;
  name: string;
  unique: boolean;
  using: string;
  /** Key parts as index entries: `col`, `col(10)`, `col DESC`, or an expression. */
  entries: string[];
  /** Every key part is a whole column in ascending order. */
  plain: boolean;
}

function indexes(rows: IndexRow[], flavour: Flavour): LiveIndex[] {
  return byObject(rows).map((parts) => {
    const first = parts[0]!;
    // A spatial key part reports a SUB_PART (32) it was never given.
    const prefix = (p: IndexRow) => (p.sub_part === null || first.index_type === 'SPATIAL' ? '' : `(${p.sub_part})`);
    const entries = parts.map((p) => {
      const part = p.expression === null ? `${p.column_name}${prefix(p)}` : unwrap(normalizeMysqlExpression(p.expression, flavour));
      return p.collation === 'D' ? `${part} DESC` : part;
    });
    return {
      table: first.table_name,
      name: first.name,
      unique: Number(first.non_unique) === 0,
      using: first.index_type.toLowerCase(),
      entries,
      plain: parts.every((p) => p.expression === null && prefix(p) === '' && p.collation !== 'D'),
    };
  });
}

/**
 * MySQL keeps keys as indexes. The primary key is `PRIMARY` there, and takes the declared name; a
 * unique index on whole columns is a unique constraint (one with a prefix or an expression stays an
 * index); the index MySQL made for a foreign key (named as the key, on its columns) is the key's.
 */
function addIndex(table: TableModel, index: LiveIndex): void {
  if (index.name === 'PRIMARY') {
    table.primaryKey = { name: primaryKeyName(table.name), columns: index.entries };
  } else if (index.unique && index.plain) {
    table.uniques.push({ name: index.name, columns: index.entries });
  } else if (!table.foreignKeys.some((fk) => fk.name === index.name && fk.columns.every((c, i) => index.entries[i] === c))) {
    const model: IndexModel = { name: index.name, columns: index.entries, unique: index.unique, where: null, using: index.using, include: [], nullsNotDistinct: false, valid: true };
    table.indexes.push(model);
  }
}

/**
 * The table an alias view of dbtide's reads: servers print a view's query in full, ending
 * `from `db`.`table` where 'dbtide:alias' is not null` (MySQL puts the condition in parentheses).
 * A view without the marker is a user's, even over one table.
 */
const QUOTED = '`((?:[^`]|``)+)`';
const ALIAS_DEFINITION = new RegExp(String.raw`\sfrom\s+${QUOTED}\.${QUOTED}\s+where\s+\(?'${ALIAS_MARKER}' is not null\)?$`, 'i');

function aliasedTable(definition: string | null, schema: string): string | null {
  const from = ALIAS_DEFINITION.exec(definition?.trim() ?? '');
  if (!from || from[1]!.replaceAll('``', '`') !== schema) return null;
  return from[2]!.replaceAll('``', '`');
}

const columnKey = (table: string, column: string) => `${table}\0${column}`;

/** Rows of one key or index per object, in key order. */
function byObject<T extends { table_name: string; name: string; position: number | string }>(rows: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = columnKey(row.table_name, row.name);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].map((parts) => parts.sort((a, b) => Number(a.position) - Number(b.position)));
}

const byName = (a: { name: string }, b: { name: string }) => byPlainOrder(a.name, b.name);

function sortByName<T extends { name: string }>(rows: T[]): T[] {
  return [...rows].sort(byName);
}

/** JavaScript's plain string order (UTF-16 code units): independent of locale and of the server's collation. */
function byPlainOrder(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
