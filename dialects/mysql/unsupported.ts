/**
 * What one database of a MySQL 8 or MariaDB server holds that dbtide does not model: read from
 * information_schema so that plan reports it as drift and pull lists it, instead of losing it.
 * Table-bound objects are looked for on the tables the introspector read only, which leaves out
 * dbtide's ledger and shadow tables; dbtide's alias views and every object named with its prefix
 * are left out too. Version databases are other databases and are never read. What the model
 * keeps already is not reported: generated columns and ON UPDATE clauses (native column types),
 * ENUM and SET types, FULLTEXT and SPATIAL indexes, table and column comments.
 */
import type { Connection } from '../../src/dialect.js';
import { isOwnObjectName } from '../../src/model/own-objects.js';
import type { SchemaModel } from '../../src/model/schema-model.js';
import type { UnsupportedObject } from '../../src/model/unsupported.js';
import { quote } from './compiler.js';

/** What one reader needs to know besides the connection. */
interface Scope {
  schema: string;
  /** The tables the model has, by name. */
  tables: SchemaModel['tables'];
  /** dbtide's views that keep a renamed table's old name. */
  aliases: Set<string>;
  /** What information_schema says of each table of the database, read once for every reader. */
  tableRows: TableRow[];
}

type Reader = (conn: Connection, scope: Scope) => Promise<UnsupportedObject[]>;

/** A comment or a definition, flattened to one line and cut to a few words. */
function brief(text: string | null): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

interface TableRow {
  name: string;
  type: string;
  engine: string | null;
  collation: string | null;
  options: string | null;
  database_collation: string;
  default_row_format: string;
}

function readTableRows(conn: Connection, schema: string): Promise<TableRow[]> {
  return conn.query<TableRow>(
    `select t.TABLE_NAME as name, t.TABLE_TYPE as type, t.ENGINE as engine, t.TABLE_COLLATION as collation,
            t.CREATE_OPTIONS as options, s.DEFAULT_COLLATION_NAME as database_collation,
            @@innodb_default_row_format as default_row_format
     from information_schema.TABLES t
     join information_schema.SCHEMATA s on s.SCHEMA_NAME = t.TABLE_SCHEMA
     where t.TABLE_SCHEMA = ? and s.SCHEMA_NAME = ?`,
    [schema, schema],
  );
}

/** Sequences (MariaDB's own TABLE_TYPE, absent on MySQL) and what each table says of itself. */
const readTables: Reader = async (conn, { tables, tableRows }) => {
  const found: UnsupportedObject[] = [];
  for (const row of tableRows) {
    if (row.type === 'SEQUENCE' && !isOwnObjectName(row.name)) {
      found.push({ kind: 'sequence', name: row.name, table: null, detail: await sequenceDefinition(conn, row.name) });
    }
    if (!(row.name in tables)) continue;
    const table = (kind: string, detail: string) => found.push({ kind, name: row.name, table: null, detail });
    if (row.type === 'SYSTEM VERSIONED') table('system-versioned table', 'WITH SYSTEM VERSIONING: the server keeps every row version');
    if (row.engine !== null && row.engine.toLowerCase() !== 'innodb') table('engine', `ENGINE=${row.engine}`);
    if (row.collation !== null && row.collation !== row.database_collation) {
      table('collation', `COLLATE ${row.collation} (the database's: ${row.database_collation})`);
    }
    const options = tableOptions(row);
    if (options !== '') table('table options', options);
  }
  return found;
};

/**
 * CREATE_OPTIONS but `partitioned` (reported as the partitions) and an InnoDB row format that is
 * the server's default anyway, which a fresh install gets without asking.
 */
function tableOptions(row: TableRow): string {
  const innodb = row.engine?.toLowerCase() === 'innodb';
  return (row.options ?? '')
    .split(/\s+/)
    .filter((option) => option !== '' && option !== 'partitioned')
    .filter((option) => !(innodb && option.toLowerCase() === `row_format=${row.default_row_format.toLowerCase()}`))
    .join(' ');
}

/** `start with 1 minvalue 1 maxvalue ... increment by 1 cache 1000 nocycle`, as the server prints it. */
async function sequenceDefinition(conn: Connection, name: string): Promise<string> {
  const [row] = await conn.query<Record<string, string>>(`SHOW CREATE SEQUENCE ${quote(name)}`);
  const sql = row?.['Create Table'] ?? '';
  return sql.replace(/^create sequence\s+`(?:[^`]|``)+`\s*/i, '').replace(/\s*engine=innodb$/i, '');
}

/** Views but dbtide's aliases of renamed tables (and its `_dbtide_` names, mid-swap). */
const readViews: Reader = async (conn, { schema, aliases }) => {
  const rows = await conn.query<{ name: string; definition: string | null }>(
    'select TABLE_NAME as name, VIEW_DEFINITION as definition from information_schema.VIEWS where TABLE_SCHEMA = ?',
    [schema],
  );
  return rows
    .filter((row) => !aliases.has(row.name) && !isOwnObjectName(row.name))
    .map((row) => ({ kind: 'view', name: row.name, table: null, detail: brief(unqualified(row.definition ?? '', schema)) }));
};

const NAME = '`(?:[^`]|``)+`';

/**
 * The server prints every name of a view qualified with the database and every column with its
 * table and an alias of its own name (`db`.`t`.`c` AS `c`): without them, the few words a detail
 * has left show what the view reads.
 */
function unqualified(definition: string, schema: string): string {
  return definition.replaceAll(`${quote(schema)}.`, '').replace(new RegExp(`${NAME}\\.(${NAME}) AS \\1`, 'g'), '$1');
}

interface ColumnRow {
  table_name: string;
  name: string;
  collation: string | null;
  extra: string;
}

/**
 * The columns' collations are compared with their tables' here, not in a join of COLUMNS with
 * TABLES: MariaDB joins the two views row by row, a quarter of a second at 1,000 tables.
 */
const readColumns: Reader = async (conn, { schema, tables, tableRows }) => {
  const tableCollation = new Map(tableRows.map((t) => [t.name, t.collation]));
  const rows = await conn.query<ColumnRow>(
    `select TABLE_NAME as table_name, COLUMN_NAME as name, COLLATION_NAME as collation, EXTRA as extra
     from information_schema.COLUMNS
     where TABLE_SCHEMA = ? and (EXTRA like '%INVISIBLE%' or COLLATION_NAME is not null)`,
    [schema],
  );
  const found: UnsupportedObject[] = [];
  for (const row of rows) {
    const table = tables[row.table_name];
    if (!table) continue;
    const column = (kind: string, detail: string) => found.push({ kind, name: row.name, table: row.table_name, detail });
    const own = tableCollation.get(row.table_name) ?? null;
    // MariaDB's JSON is a utf8mb4_bin LONGTEXT whatever the table's collation: the type's, not the column's.
    const json = () => table.columns.find((c) => c.name === row.name)?.type.kind === 'json';
    if (row.collation !== null && own !== null && row.collation !== own && !json()) {
      column('collation', `COLLATE ${row.collation} (the table's: ${own})`);
    }
    if (/\bINVISIBLE\b/i.test(row.extra)) column('invisible column', 'INVISIBLE: SELECT * leaves it out');
  }
  return found;
};

interface IndexRow {
  table_name: string;
  name: string;
  comment: string;
  hidden: number | string;
}

/**
 * Index comments, and indexes the optimizer is told to leave alone: MySQL's INVISIBLE
 * (STATISTICS.IS_VISIBLE) and MariaDB's IGNORED (STATISTICS.IGNORED, from 10.6), so the column
 * is looked up before it is read.
 */
const readIndexes: Reader = async (conn, { schema, tables }) => {
  const flags = await conn.query<{ name: string }>(
    `select COLUMN_NAME as name from information_schema.COLUMNS
     where TABLE_SCHEMA = 'information_schema' and TABLE_NAME = 'STATISTICS' and COLUMN_NAME in ('IS_VISIBLE', 'IGNORED')`,
  );
  const flag = new Set(flags.map((f) => f.name.toUpperCase()));
  const hidden = flag.has('IS_VISIBLE') ? "IS_VISIBLE = 'NO'" : flag.has('IGNORED') ? "IGNORED = 'YES'" : 'false';
  const word = flag.has('IS_VISIBLE') ? 'INVISIBLE' : 'IGNORED';
  const rows = await conn.query<IndexRow>(
    `select distinct TABLE_NAME as table_name, INDEX_NAME as name, INDEX_COMMENT as comment, ${hidden} as hidden
     from information_schema.STATISTICS
     where TABLE_SCHEMA = ? and (INDEX_COMMENT <> '' or ${hidden})`,
    [schema],
  );
  return rows
    .filter((row) => row.table_name in tables)
    .flatMap((row) => [
      ...(Number(row.hidden) === 1 ? [{ kind: 'invisible index', name: row.name, table: row.table_name, detail: `${word}: the optimizer does not use it` }] : []),
      ...(row.comment !== '' ? [{ kind: 'comment', name: row.name, table: row.table_name, detail: `index: ${brief(row.comment)}` }] : []),
    ]);
};

interface PartitionRow {
  table_name: string;
  name: string;
  subpartition: string | null;
  method: string;
  expression: string | null;
  submethod: string | null;
  subexpression: string | null;
  description: string | null;
}

/** A partitioned table and each of its partitions; subpartitions are named in their partition's detail. */
const readPartitions: Reader = async (conn, { schema, tables }) => {
  const rows = await conn.query<PartitionRow>(
    `select TABLE_NAME as table_name, PARTITION_NAME as name, SUBPARTITION_NAME as subpartition,
            PARTITION_METHOD as method, PARTITION_EXPRESSION as expression,
            SUBPARTITION_METHOD as submethod, SUBPARTITION_EXPRESSION as subexpression, PARTITION_DESCRIPTION as description
     from information_schema.PARTITIONS
     where TABLE_SCHEMA = ? and PARTITION_NAME is not null
     order by TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION`,
    [schema],
  );
  const by = (method: string | null, expression: string | null) => `${method}${expression ? ` (${expression})` : ''}`;
  const partitioned = new Map<string, UnsupportedObject>();
  const partitions = new Map<string, UnsupportedObject & { subpartitions: string[] }>();
  for (const row of rows.filter((r) => r.table_name in tables)) {
    const sub = row.submethod ? ` SUBPARTITION BY ${by(row.submethod, row.subexpression)}` : '';
    partitioned.set(row.table_name, { kind: 'partitioned table', name: row.table_name, table: null, detail: `PARTITION BY ${by(row.method, row.expression)}${sub}` });
    const key = `${row.table_name}\0${row.name}`;
    const partition = partitions.get(key) ?? { kind: 'partition', name: row.name, table: row.table_name, detail: bound(row), subpartitions: [] };
    if (row.subpartition !== null) partition.subpartitions.push(row.subpartition);
    partitions.set(key, partition);
  }
  return [
    ...partitioned.values(),
    ...[...partitions.values()].map(({ subpartitions, ...p }) => ({
      ...p,
      detail: subpartitions.length > 0 ? `${p.detail}; subpartitions ${subpartitions.join(', ')}` : p.detail,
    })),
  ];
};

/** A partition's bound as CREATE TABLE writes it; HASH and KEY partitions have none. */
function bound(row: PartitionRow): string {
  const method = row.method.replace(/ COLUMNS$/, '');
  if (method === 'RANGE') return row.description === 'MAXVALUE' ? 'VALUES LESS THAN MAXVALUE' : `VALUES LESS THAN (${row.description})`;
  if (method === 'LIST') return `VALUES IN (${row.description})`;
  return row.description ? `${row.method} ${row.description}` : `${row.method} partition`;
}

const readTriggers: Reader = async (conn, { schema, tables }) => {
  const rows = await conn.query<{ name: string; table_name: string; timing: string; event: string; action: string }>(
    `select TRIGGER_NAME as name, EVENT_OBJECT_TABLE as table_name, ACTION_TIMING as timing,
            EVENT_MANIPULATION as event, ACTION_STATEMENT as action
     from information_schema.TRIGGERS
     where TRIGGER_SCHEMA = ? and EVENT_OBJECT_SCHEMA = ?`,
    [schema, schema],
  );
  return rows
    .filter((row) => !isOwnObjectName(row.name) && row.table_name in tables)
    .map((row) => ({ kind: 'trigger', name: row.name, table: row.table_name, detail: `${row.timing} ${row.event} FOR EACH ROW: ${brief(row.action)}` }));
};

/** Procedures and functions (and MariaDB's packages), with their parameters: a routine has one name, never overloads. */
const readRoutines: Reader = async (conn, { schema }) => {
  const routines = await conn.query<{ name: string; type: string }>(
    'select ROUTINE_NAME as name, ROUTINE_TYPE as type from information_schema.ROUTINES where ROUTINE_SCHEMA = ?',
    [schema],
  );
  const parameters = await conn.query<{ routine: string; type: string; position: number | string; mode: string | null; name: string | null; dtd: string }>(
    `select SPECIFIC_NAME as routine, ROUTINE_TYPE as type, ORDINAL_POSITION as position, PARAMETER_MODE as mode,
            PARAMETER_NAME as name, DTD_IDENTIFIER as dtd
     from information_schema.PARAMETERS
     where SPECIFIC_SCHEMA = ?
     order by ORDINAL_POSITION`,
    [schema],
  );
  return routines
    .filter((routine) => !isOwnObjectName(routine.name))
    .map((routine) => {
      const own = parameters.filter((p) => p.routine === routine.name && p.type === routine.type);
      // Position 0 is a function's result; a function's parameters are all IN, and say no mode.
      const args = own.filter((p) => Number(p.position) > 0).map((p) => [p.mode && routine.type !== 'FUNCTION' ? p.mode : '', p.name, p.dtd].filter(Boolean).join(' '));
      const result = own.find((p) => Number(p.position) === 0);
      return { kind: routine.type.toLowerCase(), name: routine.name, table: null, detail: `(${args.join(', ')})${result ? ` returns ${result.dtd}` : ''}` };
    });
};

const readEvents: Reader = async (conn, { schema }) => {
  const rows = await conn.query<{ name: string; type: string; every: string | null; field: string | null; at: string | null; status: string }>(
    `select EVENT_NAME as name, EVENT_TYPE as type, INTERVAL_VALUE as every, INTERVAL_FIELD as field,
            cast(EXECUTE_AT as char) as at, STATUS as status
     from information_schema.EVENTS
     where EVENT_SCHEMA = ?`,
    [schema],
  );
  return rows
    .filter((row) => !isOwnObjectName(row.name))
    .map((row) => ({
      kind: 'event',
      name: row.name,
      table: null,
      detail: `${row.type === 'RECURRING' ? `EVERY ${row.every} ${row.field}` : `AT ${row.at}`}, ${row.status.toLowerCase()}`,
    }));
};

/**
 * What the database holds that the model leaves out, sorted by kind, table, name. `model` is what
 * the introspector read: its tables and alias views say which objects are dbtide's to manage.
 */
export async function unsupportedMysql(conn: Connection, schema: string, model: SchemaModel): Promise<UnsupportedObject[]> {
  const scope: Scope = { schema, tables: model.tables, aliases: new Set((model.owned?.aliases ?? []).map((a) => a.name)), tableRows: await readTableRows(conn, schema) };
  const found: UnsupportedObject[] = [];
  // One after another: a Connection is one session, which runs one statement at a time anyway.
  for (const read of [readTables, readViews, readColumns, readIndexes, readPartitions, readTriggers, readRoutines, readEvents]) {
    found.push(...(await read(conn, scope)));
  }
  return found.sort((a, b) => byPlainOrder(a.kind, b.kind) || byPlainOrder(a.table ?? '', b.table ?? '') || byPlainOrder(a.name, b.name));
}

/** JavaScript's plain string order, as the introspector sorts: independent of the server's collation. */
function byPlainOrder(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
