/**
 * Reads one schema of a live PostgreSQL (or PGlite) database into the canonical SchemaModel.
 * Only pg_catalog is read (information_schema has no indexes and is slow), with one query per
 * kind of object for the whole schema. Columns keep their attnum order; tables and named objects
 * are sorted here, so that the model does not depend on the server's plan or collation.
 */
import { type Connection, type IntrospectOptions } from '../../src/dialect.js';
import type { CheckModel, ColumnModel, Deferrable, ExclusionModel, ForeignKeyModel, IndexModel, KeyConstraint, ReferentialAction, ReplicaIdentity, SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { splitKeyWords } from '../../src/model/index-key-words.js';
import { keyWordsOf } from './index-definition.js';
import { parsePostgresDefault } from './introspector-defaults.js';
import { ALIAS_COMMENT_PREFIX } from './transitions.js';
import { unsupportedPostgres } from './unsupported.js';
import { introspectSchemaObjects } from './introspect-schema-objects.js';
import { OWN_TABLE_PREFIX, SHADOW } from '../../src/model/own-objects.js';
import type { ColumnType } from '../../src/model/column-type.js';

const DEFAULT_SCHEMA = 'public';

/**
 * The tables of the schema: ordinary and partitioned, not partitions (their parent stands for
 * them), not dbtide's own (its ledger, and the shadow tables of archived rows, known by their
 * comment). Every query below starts from it with parameters $1 schema, $2 prefix.
 */
const TABLES_CTE = `
  with tables as (
    select c.oid, c.relname::text as table_name
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = $1
      and c.relkind in ('r', 'p')
      and not c.relispartition
      and not starts_with(c.relname, $2)
      and not starts_with(coalesce(obj_description(c.oid, 'pg_class'), ''), '${SHADOW.marker}')
  )`;

/**
 * relreplident: d default, n nothing, f full, i the index marked indisreplident (the same as
 * nothing once that index is dropped).
 */
const TABLES_SQL = `${TABLES_CTE}
  select t.table_name, pg_catalog.obj_description(t.oid, 'pg_class') as comment, c.relreplident::text as replica_identity,
         (select ic.relname::text from pg_catalog.pg_index i join pg_catalog.pg_class ic on ic.oid = i.indexrelid
          where i.indrelid = t.oid and i.indisreplident) as replica_index
  from tables t join pg_catalog.pg_class c on c.oid = t.oid`;

interface TableRow {
  table_name: string;
  comment: string | null;
  replica_identity: 'd' | 'n' | 'f' | 'i';
  replica_index: string | null;
}

/**
 * dbtide's dual-write triggers (named with its prefix), by table: each sync by its INSERT trigger
 * (tgtype bit 4), which exists while the sync is complete (src/dialect-kit/sync-rules.ts updateTriggerName).
 */
const OWNED_TRIGGERS_SQL = `${TABLES_CTE}
  select t.table_name, tg.tgname::text as name
  from tables t join pg_catalog.pg_trigger tg on tg.tgrelid = t.oid
  where not tg.tgisinternal and starts_with(tg.tgname, $2) and tg.tgtype & 4 <> 0
  order by 1, 2`;

/** Views dbtide left under a renamed table's old name; the comment names the table. */
const ALIASES_SQL = `
  select c.relname::text as name, substr(d.description, length($2) + 1) as table_name
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_description d on d.objoid = c.oid and d.classoid = 'pg_catalog.pg_class'::regclass and d.objsubid = 0
  where n.nspname = $1 and c.relkind = 'v' and starts_with(d.description, $2)
  order by 1`;

interface ColumnRow {
  table_name: string;
  name: string;
  type: string;
  not_null: boolean;
  identity: string;
  generated: string;
  default_sql: string | null;
  comment: string | null;
}

const COLUMNS_SQL = `${TABLES_CTE}
  select t.table_name, a.attname::text as name, pg_catalog.col_description(t.oid, a.attnum) as comment,
         pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
         -- PostgreSQL 18's NOT VALID not-null constraint sets attnotnull, yet older rows may be NULL.
         a.attnotnull and not exists (select 1 from pg_catalog.pg_constraint n
                                      where n.conrelid = a.attrelid and n.contype = 'n' and not n.convalidated and a.attnum = any (n.conkey)) as not_null,
         a.attidentity::text as identity, a.attgenerated::text as generated,
         pg_catalog.pg_get_expr(d.adbin, d.adrelid) as default_sql
  from tables t
  join pg_catalog.pg_attribute a on a.attrelid = t.oid
  left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
  where a.attnum > 0 and not a.attisdropped
  order by t.table_name, a.attnum`;

interface ConstraintRow {
  table_name: string;
  name: string;
  kind: 'p' | 'u' | 'f' | 'c';
  validated: boolean;
  columns: string[];
  /** Set for foreign keys only. */
  referenced_table: string | null;
  referenced_columns: string[];
  on_delete: string;
  on_update: string;
  /** Set for checks only. */
  check_sql: string | null;
  /** Unique constraints only: their index's NULLS NOT DISTINCT. */
  nulls_not_distinct: boolean;
  /** Unique constraints only: their index's INCLUDE columns, in index order. */
  include: string[];
  /** condeferrable, condeferred. */
  deferrable: boolean;
  deferred: boolean;
}

/**
 * pg_index.indnullsnotdistinct (PostgreSQL 15+) of the index `i`, false before 15: read through the
 * row's JSON, because naming a column the catalog lacks fails the whole query on 12 to 14.
 */
const NULLS_NOT_DISTINCT = (i: string) => `coalesce((to_jsonb(${i}) ->> 'indnullsnotdistinct')::boolean, false)`;

/**
 * Key columns in key order. NOT NULL ('n', PostgreSQL 18) and trigger ('t') constraints are not
 * modelled; exclusion ('x') constraints are read with their index (EXCLUSIONS_SQL). A constraint with a parent is a copy PostgreSQL made for a
 * partition of a referenced table; its parent already stands for it.
 * A check's expression is pg_get_expr(conbin): exactly what pg_get_constraintdef prints inside
 * `CHECK (...)`, without the NOT VALID / NO INHERIT decorations.
 */
const CONSTRAINTS_SQL = `${TABLES_CTE}
  select t.table_name, c.conname::text as name, c.contype::text as kind, c.convalidated as validated,
         c.condeferrable as deferrable, c.condeferred as deferred,
         array(select a.attname::text
               from unnest(c.conkey) with ordinality as k(attnum, position)
               join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
               order by k.position) as columns,
         r.relname::text as referenced_table,
         array(select a.attname::text
               from unnest(c.confkey) with ordinality as k(attnum, position)
               join pg_catalog.pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum
               order by k.position) as referenced_columns,
         c.confdeltype::text as on_delete, c.confupdtype::text as on_update,
         pg_catalog.pg_get_expr(c.conbin, c.conrelid) as check_sql,
         c.contype = 'u' and coalesce((select ${NULLS_NOT_DISTINCT('x')} from pg_catalog.pg_index x where x.indexrelid = c.conindid), false)
           as nulls_not_distinct,
         array(select a.attname::text
               from pg_catalog.pg_index x
               cross join unnest(x.indkey::int2[]) with ordinality as k(attnum, position)
               join pg_catalog.pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
               where c.contype = 'u' and x.indexrelid = c.conindid and k.position > x.indnkeyatts
               order by k.position) as include
  from tables t
  join pg_catalog.pg_constraint c on c.conrelid = t.oid
  left join pg_catalog.pg_class r on r.oid = c.confrelid
  where c.contype in ('p', 'u', 'f', 'c') and c.conparentid = 0`;

interface IndexRow {
  table_name: string;
  name: string;
  /** Per key: the column's name, or the expression as the server prints it. */
  columns: string[];
  /** Per key: how the definition starts it (a column quoted where it needs to be). */
  key_texts: string[];
  /** Per key: the operator class the index uses, named in the definition or not. */
  opclasses: string[];
  /** INCLUDE columns, in index order. */
  include: string[];
  nulls_not_distinct: boolean;
  definition: string;
  unique: boolean;
  predicate: string | null;
  method: string;
  valid: boolean;
}

/**
 * Indexes that back no constraint of their table (primary key, unique and exclusion constraints
 * own theirs). indkey holds the indnkeyatts key columns (0 for an expression), then the INCLUDE
 * columns, which are always plain columns. A key's collation, operator class and sort order are
 * read from the definition (index-definition.ts).
 */
/** The key columns of the index `i` (columns, key_texts, opclasses of IndexRow). */
const INDEX_KEYS = `
         array(select case when k.attnum = 0 then pg_catalog.pg_get_indexdef(i.indexrelid, k.position::int, true)
                           else a.attname::text end
               from unnest(i.indkey::int2[]) with ordinality as k(attnum, position)
               left join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
               where k.position <= i.indnkeyatts
               order by k.position) as columns,
         array(select pg_catalog.pg_get_indexdef(i.indexrelid, k, true)
               from generate_series(1, i.indnkeyatts::int) as k order by k) as key_texts,
         array(select opc.opcname::text
               from unnest(i.indclass::oid[]) with ordinality as c(oid, position)
               join pg_catalog.pg_opclass opc on opc.oid = c.oid
               where c.position <= i.indnkeyatts
               order by c.position) as opclasses`;

const INDEXES_SQL = `${TABLES_CTE}
  select t.table_name, ic.relname::text as name,${INDEX_KEYS},
         array(select a.attname::text
               from unnest(i.indkey::int2[]) with ordinality as k(attnum, position)
               join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
               where k.position > i.indnkeyatts
               order by k.position) as include,
         ${NULLS_NOT_DISTINCT('i')} as nulls_not_distinct,
         pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) as definition,
         i.indisunique as unique,
         pg_catalog.pg_get_expr(i.indpred, i.indrelid) as predicate,
         am.amname::text as method,
         i.indisvalid and i.indisready as valid
  from tables t
  join pg_catalog.pg_index i on i.indrelid = t.oid
  join pg_catalog.pg_class ic on ic.oid = i.indexrelid
  join pg_catalog.pg_am am on am.oid = ic.relam
  where not exists (
    select 1 from pg_catalog.pg_constraint c
    where c.conrelid = i.indrelid and c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))`;

interface ExclusionRow extends Pick<IndexRow, 'table_name' | 'name' | 'columns' | 'key_texts' | 'opclasses' | 'definition' | 'predicate' | 'method'> {
  /** Per key, the operator's name (conexclop). */
  operators: string[];
  deferrable: boolean;
  deferred: boolean;
}

/** Exclusion constraints, with their index's keys as for indexes; a partition's copy has a parent. */
const EXCLUSIONS_SQL = `${TABLES_CTE}
  select t.table_name, c.conname::text as name,${INDEX_KEYS},
         array(select o.oprname::text
               from unnest(c.conexclop) with ordinality as x(oid, position)
               join pg_catalog.pg_operator o on o.oid = x.oid
               order by x.position) as operators,
         pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) as definition,
         pg_catalog.pg_get_expr(i.indpred, i.indrelid) as predicate,
         am.amname::text as method,
         c.condeferrable as deferrable, c.condeferred as deferred
  from tables t
  join pg_catalog.pg_constraint c on c.conrelid = t.oid and c.contype = 'x' and c.conparentid = 0
  join pg_catalog.pg_index i on i.indexrelid = c.conindid
  join pg_catalog.pg_class ic on ic.oid = i.indexrelid
  join pg_catalog.pg_am am on am.oid = ic.relam`;

export async function introspectPostgres(conn: Connection, options?: IntrospectOptions): Promise<SchemaModel> {
  const params = [options?.schema ?? DEFAULT_SCHEMA, OWN_TABLE_PREFIX];
  // One after another: a Connection is one session, which runs one statement at a time anyway.
  const tableRows = await conn.query<TableRow>(TABLES_SQL, params);
  const columnRows = await conn.query<ColumnRow>(COLUMNS_SQL, params);
  const constraintRows = await conn.query<ConstraintRow>(CONSTRAINTS_SQL, params);
  const indexRows = await conn.query<IndexRow>(INDEXES_SQL, params);
  const exclusionRows = await conn.query<ExclusionRow>(EXCLUSIONS_SQL, params);

  const tables = new Map<string, TableModel>();
  for (const row of [...tableRows].sort((a, b) => byPlainOrder(a.table_name, b.table_name))) tables.set(row.table_name, toTable(row));
  // A table created or dropped between two of the queries shows up in some but not all;
  // rows of a table missing from the first query are skipped.
  for (const row of columnRows) tables.get(row.table_name)?.columns.push(toColumn(row));
  for (const row of sortByName(constraintRows)) {
    const table = tables.get(row.table_name);
    if (table) addConstraint(table, row);
  }
  for (const row of sortByName(indexRows)) tables.get(row.table_name)?.indexes.push(toIndex(row));
  for (const row of sortByName(exclusionRows)) {
    const table = tables.get(row.table_name);
    if (table) table.exclusions = [...(table.exclusions ?? []), toExclusion(row)];
  }
  const triggers = await conn.query<{ table_name: string; name: string }>(OWNED_TRIGGERS_SQL, params);
  const aliases = await conn.query<{ name: string; table_name: string }>(ALIASES_SQL, [params[0], ALIAS_COMMENT_PREFIX]);
  const objects = await introspectSchemaObjects(conn, [params[0]!, params[1]!], columnType);
  return {
    tables: Object.fromEntries(tables),
    ...objects,
    owned: {
      triggers: triggers.map((t) => ({ table: t.table_name, name: t.name })),
      aliases: aliases.map((a) => ({ name: a.name, table: a.table_name })),
      finishedJobs: [],
    },
    unsupported: await unsupportedPostgres(conn, options?.schema ?? DEFAULT_SCHEMA),
  };
}

/**
 * Estimated rows per table from statistics, never a scan. pg_class.reltuples lags until the next
 * ANALYZE or VACUUM (and is -1 before the first); pg_stat_user_tables.n_live_tup follows writes
 * but is lost with a statistics reset. The larger of the two is taken, since underestimating a
 * backfill is the worse mistake. A partitioned table counts its leaf partitions. Tables without
 * statistics, or not found, count 0.
 */
export async function estimateRowsPostgres(
  conn: Connection,
  tables: string[],
  options?: IntrospectOptions,
): Promise<Record<string, number>> {
  const rows = await conn.query<{ table_name: string; estimate: number }>(
    `select c.relname::text as table_name,
            sum(greatest(leaf.reltuples, s.n_live_tup, 0))::float8 as estimate
     from pg_catalog.pg_class c
     join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     -- pg_partition_tree lists nothing for a table that is not partitioned: it is its own leaf.
     cross join lateral (select c.oid as relid
                         union
                         select relid from pg_catalog.pg_partition_tree(c.oid) where isleaf) as leaves
     join pg_catalog.pg_class leaf on leaf.oid = leaves.relid and leaf.relkind = 'r'
     left join pg_catalog.pg_stat_user_tables s on s.relid = leaf.oid
     where n.nspname = $1 and c.relname = any($2::text[]) and c.relkind in ('r', 'p')
     group by c.relname`,
    [options?.schema ?? DEFAULT_SCHEMA, tables],
  );
  const estimates = new Map(rows.map((row) => [row.table_name, Math.round(row.estimate)]));
  return Object.fromEntries(tables.map((table) => [table, estimates.get(table) ?? 0]));
}

function emptyTable(name: string): TableModel {
  return { name, columns: [], primaryKey: null, uniques: [], indexes: [], foreignKeys: [], checks: [] };
}

function toTable(row: TableRow): TableModel {
  const replicaIdentity = row.replica_identity !== 'i' ? (REPLICA_IDENTITY[row.replica_identity] ?? null) : row.replica_index === null ? 'nothing' : { index: row.replica_index };
  return {
    ...emptyTable(row.table_name),
    ...(row.comment === null ? {} : { comment: row.comment }),
    ...(replicaIdentity === null ? {} : { replicaIdentity }),
  };
}

const REPLICA_IDENTITY: Record<string, ReplicaIdentity | null> = { d: null, n: 'nothing', f: 'full' };

function toColumn(row: ColumnRow): ColumnModel {
  const type = columnType(row.type);
  // A generated column's expression also lives in pg_attrdef; it is not a default.
  const defaultSql = row.generated === '' ? row.default_sql : null;
  return {
    name: row.name,
    type,
    nullable: !row.not_null,
    default: parsePostgresDefault(defaultSql, type),
    identity: IDENTITY[row.identity] ?? null,
    ...(row.comment === null ? {} : { comment: row.comment }),
  };
}

const IDENTITY: Record<string, ColumnModel['identity']> = { a: 'always', d: 'by-default' };

/** format_type() spellings of the portable types; jsonb is the portable json, a PostgreSQL json stays native. */
const PORTABLE_TYPES: Record<string, ColumnType> = {
  smallint: { kind: 'smallint' },
  integer: { kind: 'int' },
  bigint: { kind: 'bigint' },
  text: { kind: 'text' },
  boolean: { kind: 'boolean' },
  date: { kind: 'date' },
  real: { kind: 'real' },
  'double precision': { kind: 'double' },
  uuid: { kind: 'uuid' },
  jsonb: { kind: 'json' },
  bytea: { kind: 'binary' },
  'timestamp without time zone': { kind: 'timestamp', withTimeZone: false },
  'timestamp with time zone': { kind: 'timestamp', withTimeZone: true },
  numeric: { kind: 'numeric', precision: null, scale: null },
};

/**
 * Maps format_type() output. Anything the portable types do not cover exactly (varchar without
 * length, timestamp(3), arrays, enums, domains...) stays native, verbatim, so it round-trips.
 */
function columnType(formatted: string): ColumnType {
  const portable = PORTABLE_TYPES[formatted];
  if (portable) return { ...portable };
  const varchar = /^character varying\((\d+)\)$/.exec(formatted);
  if (varchar) return { kind: 'varchar', length: Number(varchar[1]) };
  const numeric = /^numeric\((\d+),(-?\d+)\)$/.exec(formatted);
  if (numeric) return { kind: 'numeric', precision: Number(numeric[1]), scale: Number(numeric[2]) };
  return { kind: 'native', sql: formatted };
}

function addConstraint(table: TableModel, row: ConstraintRow): void {
  switch (row.kind) {
    case 'p':
      table.primaryKey = toKey(row);
      break;
    case 'u':
      table.uniques.push(toKey(row));
      break;
    case 'f':
      table.foreignKeys.push(toForeignKey(row));
      break;
    case 'c':
      table.checks.push(toCheck(row));
      break;
  }
}

function toKey(row: ConstraintRow): KeyConstraint {
  return {
    name: row.name,
    columns: row.columns,
    ...(row.nulls_not_distinct ? { nullsNotDistinct: true } : {}),
    ...(row.include.length > 0 ? { include: row.include } : {}),
    ...deferrableOf(row),
  };
}

/** The model's field, left out for a constraint that is not deferrable. */
const deferrableOf = (row: { deferrable: boolean; deferred: boolean }): { deferrable?: Deferrable } =>
  row.deferrable ? { deferrable: row.deferred ? 'deferred' : 'immediate' } : {};

const ACTIONS: Record<string, ReferentialAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

function toForeignKey(row: ConstraintRow): ForeignKeyModel {
  return {
    name: row.name,
    columns: row.columns,
    referencedTable: row.referenced_table!,
    referencedColumns: row.referenced_columns,
    onDelete: referentialAction(row.on_delete),
    onUpdate: referentialAction(row.on_update),
    validated: row.validated,
    ...deferrableOf(row),
  };
}

function referentialAction(code: string): ReferentialAction {
  const action = ACTIONS[code];
  if (!action) throw new Error(`unknown referential action code "${code}" in pg_constraint`);
  return action;
}

function toCheck(row: ConstraintRow): CheckModel {
  return { name: row.name, expression: row.check_sql!, validated: row.validated };
}

/** A key's entry is its column or expression and the words the definition adds to it. */
function toIndex(row: IndexRow): IndexModel {
  const words = keyWordsOf(row.definition, row.key_texts, row.name);
  return {
    name: row.name,
    columns: row.columns.map((base, i) => base + words[i]!),
    unique: row.unique,
    where: row.predicate,
    using: row.method,
    include: row.include,
    nullsNotDistinct: row.nulls_not_distinct,
    valid: row.valid,
    defaultOpclasses: row.opclasses.map((opclass, i) => (splitKeyWords(words[i]!, true).opclass === null ? opclass : null)),
  };
}

/** Its index's keys, read as an index's are. */
function toExclusion(row: ExclusionRow): ExclusionModel {
  const { using, columns, where, defaultOpclasses } = toIndex({ ...row, include: [], nulls_not_distinct: false, unique: false, valid: true });
  return { name: row.name, using, columns, operators: row.operators, where, ...deferrableOf(row), ...(defaultOpclasses ? { defaultOpclasses } : {}) };
}

function sortByName<T extends { name: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => byPlainOrder(a.name, b.name));
}

/** JavaScript's plain string order (UTF-16 code units): independent of locale and of the server's collation. */
function byPlainOrder(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
