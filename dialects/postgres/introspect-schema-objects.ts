/**
 * The sequences, domains and enum types of one schema. An identity column's sequence is the
 * column's own, and an extension's objects are the extension's: neither is read. Names with
 * dbtide's prefix are its own.
 */
import type { Connection } from '../../src/dialect.js';
import type { DomainModel, EnumModel, SchemaModel, SequenceModel } from '../../src/model/schema-model.js';
import type { ColumnType } from '../../src/model/column-type.js';
import { parsePostgresDefault } from './introspector-defaults.js';

const notInExtension = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_catalog.pg_depend e
               where e.classid = '${catalog}'::regclass and e.objid = ${oid} and e.deptype = 'e')`;

/** $1 schema, $2 prefix. The owning column is the sequence's automatic dependency on a column. */
const SEQUENCES_SQL = `
  select c.relname::text as name, pg_catalog.format_type(s.seqtypid, null) as type,
         s.seqstart::text as start, s.seqincrement::text as increment, s.seqmin::text as min, s.seqmax::text as max,
         s.seqcache::text as cache, s.seqcycle as cycle, o.relname::text as owned_table, a.attname::text as owned_column
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_sequence s on s.seqrelid = c.oid
  left join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid
       and d.refclassid = 'pg_catalog.pg_class'::regclass and d.deptype = 'a' and d.refobjsubid > 0
  left join pg_catalog.pg_class o on o.oid = d.refobjid
  left join pg_catalog.pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
  where n.nspname = $1 and c.relkind = 'S' and not starts_with(c.relname, $2)
    and not exists (select 1 from pg_catalog.pg_depend i
                    where i.classid = 'pg_catalog.pg_class'::regclass and i.objid = c.oid and i.deptype = 'i')
    and ${notInExtension('pg_catalog.pg_class', 'c.oid')}`;

/** A domain check's expression as pg_get_expr prints it, `VALUE` for the value: what CHECK (...) holds. */
const DOMAINS_SQL = `
  select t.typname::text as name, pg_catalog.format_type(t.typbasetype, t.typtypmod) as type, t.typnotnull as not_null,
         t.typdefault as default_sql,
         array(select c.conname::text from pg_catalog.pg_constraint c where c.contypid = t.oid and c.contype = 'c' order by c.conname) as check_names,
         array(select pg_catalog.pg_get_expr(c.conbin, 0) from pg_catalog.pg_constraint c where c.contypid = t.oid and c.contype = 'c' order by c.conname) as check_expressions,
         array(select c.convalidated from pg_catalog.pg_constraint c where c.contypid = t.oid and c.contype = 'c' order by c.conname) as check_validated
  from pg_catalog.pg_type t
  join pg_catalog.pg_namespace n on n.oid = t.typnamespace
  where n.nspname = $1 and t.typtype = 'd' and not starts_with(t.typname, $2) and ${notInExtension('pg_catalog.pg_type', 't.oid')}`;

const ENUMS_SQL = `
  select t.typname::text as name,
         array(select e.enumlabel::text from pg_catalog.pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) as labels
  from pg_catalog.pg_type t
  join pg_catalog.pg_namespace n on n.oid = t.typnamespace
  where n.nspname = $1 and t.typtype = 'e' and not starts_with(t.typname, $2) and ${notInExtension('pg_catalog.pg_type', 't.oid')}`;

interface SequenceRow {
  name: string;
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  owned_table: string | null;
  owned_column: string | null;
}

interface DomainRow {
  name: string;
  type: string;
  not_null: boolean;
  default_sql: string | null;
  check_names: string[];
  check_expressions: string[];
  check_validated: boolean[];
}

const SEQUENCE_TYPES: Record<string, SequenceModel['type']> = { smallint: 'smallint', integer: 'int', bigint: 'bigint' };

/** The three kinds, each left out when the schema has none. */
export async function introspectSchemaObjects(
  conn: Connection,
  params: [string, string],
  columnType: (formatted: string) => ColumnType,
): Promise<Pick<SchemaModel, 'sequences' | 'domains' | 'enums'>> {
  const sequences = (await conn.query<SequenceRow>(SEQUENCES_SQL, params)).map(
    (r): SequenceModel => ({
      name: r.name,
      type: SEQUENCE_TYPES[r.type] ?? 'bigint',
      start: String(r.start),
      increment: String(r.increment),
      min: String(r.min),
      max: String(r.max),
      cache: String(r.cache),
      cycle: r.cycle,
      ownedBy: r.owned_table && r.owned_column ? { table: r.owned_table, column: r.owned_column } : null,
    }),
  );
  const domains = (await conn.query<DomainRow>(DOMAINS_SQL, params)).map((r): DomainModel => {
    const type = columnType(r.type);
    return {
      name: r.name,
      type,
      notNull: r.not_null,
      default: parsePostgresDefault(r.default_sql, type),
      checks: r.check_names.map((name, i) => ({ name, expression: r.check_expressions[i]!, ...(r.check_validated[i] ? {} : { validated: false as const }) })),
    };
  });
  const enums = (await conn.query<{ name: string; labels: string[] }>(ENUMS_SQL, params)).map((r): EnumModel => ({ name: r.name, values: r.labels }));
  return {
    ...keyed('sequences', sequences),
    ...keyed('domains', domains),
    ...keyed('enums', enums),
  };
}

function keyed<K extends string, T extends { name: string }>(key: K, items: T[]): Partial<Record<K, Record<string, T>>> {
  if (items.length === 0) return {};
  const sorted = [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { [key]: Object.fromEntries(sorted.map((i) => [i.name, i])) } as Partial<Record<K, Record<string, T>>>;
}
