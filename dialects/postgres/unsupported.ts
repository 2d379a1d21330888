/**
 * What one schema of a PostgreSQL (or PGlite) database holds that dbtide does not model: read
 * from pg_catalog so that plan reports it as drift and pull lists it, instead of losing it. Left
 * out: what dbtide keeps there itself (names with its prefix, shadow tables and alias views known
 * by their comments) and every member of an extension (the extension is reported instead).
 */
import type { Connection } from '../../src/dialect.js';
import { OWN_TABLE_PREFIX, SHADOW } from '../../src/model/own-objects.js';
import type { UnsupportedObject } from '../../src/model/unsupported.js';
import { ALIAS_COMMENT_PREFIX } from './transitions.js';

/** A comment or a definition, flattened to one line and cut to a few words. */
const brief = (text: string) =>
  `(select case when length(f) > 60 then left(f, 59) || '…' else f end
    from (select btrim(regexp_replace(${text}, '\\s+', ' ', 'g')) as f) as b)`;

const notInExtension = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_catalog.pg_depend e
               where e.classid = '${catalog}'::regclass and e.objid = ${oid} and e.deptype = 'e')`;

/** The schema's relations of every kind, but dbtide's and extensions'. $1 schema, $2 prefix, $3 and $4 dbtide's comment markers. */
const RELATIONS_CTE = `
  with relations as (
    select c.oid, c.relname::text as name, c.relkind, c.relispartition, c.relpersistence, c.reloptions,
           c.relrowsecurity, c.relforcerowsecurity, c.relpartbound
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = $1
      and not starts_with(c.relname, $2)
      and not starts_with(coalesce(obj_description(c.oid, 'pg_class'), ''), $3)
      and not starts_with(coalesce(obj_description(c.oid, 'pg_class'), ''), $4)
      and ${notInExtension('pg_catalog.pg_class', 'c.oid')}
  ),
  tables as (select * from relations where relkind in ('r', 'p')),
  columns as (
    select t.name as table_name, a.*
    from tables t join pg_catalog.pg_attribute a on a.attrelid = t.oid
    -- An inherited column (a partition's, a child table's) is reported where it is declared.
    where a.attnum > 0 and not a.attisdropped and a.attislocal
  )`;

const RELATION_KINDS = `case relkind when 'v' then 'view' when 'm' then 'materialized view' else 'foreign table' end`;

/** Each returns kind, name, table_name (null for an object of the schema) and detail, all text. */
const KINDS = [
  `select ${RELATION_KINDS}, name, null,
          case when relkind = 'f' then (select 'server ' || s.srvname from pg_catalog.pg_foreign_table f
                                         join pg_catalog.pg_foreign_server s on s.oid = f.ftserver where f.ftrelid = r.oid)
               else ${brief(`rtrim(pg_catalog.pg_get_viewdef(r.oid, true), ';')`)} end
   from relations r where relkind in ('v', 'm', 'f')`,

  `select 'partitioned table', name, null, pg_catalog.pg_get_partkeydef(oid) from tables where relkind = 'p'`,
  `select 'partition', c.name, p.relname::text, pg_catalog.pg_get_expr(c.relpartbound, c.oid)
   from tables c join pg_catalog.pg_inherits i on i.inhrelid = c.oid join pg_catalog.pg_class p on p.oid = i.inhparent
   where c.relispartition`,
  `select 'inheritance', c.name, null, 'inherits from ' || string_agg(p.relname::text, ', ' order by i.inhseqno)
   from tables c join pg_catalog.pg_inherits i on i.inhrelid = c.oid join pg_catalog.pg_class p on p.oid = i.inhparent
   where not c.relispartition group by c.name`,
  `select 'unlogged table', name, null, 'UNLOGGED; a fresh install creates it logged' from tables where relpersistence = 'u'`,
  `select 'storage options', name, null, array_to_string(reloptions, ', ') from tables where reloptions is not null`,
  `select 'storage options', ic.relname::text, t.name, array_to_string(ic.reloptions, ', ')
   from tables t join pg_catalog.pg_index i on i.indrelid = t.oid join pg_catalog.pg_class ic on ic.oid = i.indexrelid
   where ic.reloptions is not null and not ic.relispartition`,
  `select 'row level security', name, null, case when relforcerowsecurity then 'enabled, forced' else 'enabled' end
   from tables where relrowsecurity`,
  `select 'policy', p.polname::text, t.name,
          concat_ws(' ', 'FOR ' || case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                                                 when 'd' then 'DELETE' else 'ALL' end,
                    case when not p.polpermissive then 'AS RESTRICTIVE' end,
                    'USING (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')',
                    'WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')')
   from tables t join pg_catalog.pg_policy p on p.polrelid = t.oid`,
  // A view's own rule (_RETURN) is the view.
  `select 'rule', r.rulename::text, t.name,
          'ON ' || case r.ev_type when '1' then 'SELECT' when '2' then 'UPDATE' when '3' then 'INSERT' else 'DELETE' end
          || case when r.is_instead then ' DO INSTEAD' else ' DO ALSO' end
   from relations t join pg_catalog.pg_rewrite r on r.ev_class = t.oid where r.rulename <> '_RETURN'`,
  // tgtype's bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate, 64 instead of. A
  // partition's copy of its parent's trigger depends on it ('P'; pg_trigger.tgparentid is 13+).
  `select 'trigger', tg.tgname::text, t.name,
          concat_ws(' ', case when tg.tgtype & 2 <> 0 then 'BEFORE' when tg.tgtype & 64 <> 0 then 'INSTEAD OF' else 'AFTER' end,
                    array_to_string(array[case when tg.tgtype & 4 <> 0 then 'INSERT' end, case when tg.tgtype & 16 <> 0 then 'UPDATE' end,
                                          case when tg.tgtype & 8 <> 0 then 'DELETE' end, case when tg.tgtype & 32 <> 0 then 'TRUNCATE' end], ' OR '),
                    case when tg.tgtype & 1 <> 0 then 'FOR EACH ROW' else 'FOR EACH STATEMENT' end)
          || ', executes ' || f.proname || '()'
   from relations t
   join pg_catalog.pg_trigger tg on tg.tgrelid = t.oid
   join pg_catalog.pg_proc f on f.oid = tg.tgfoid
   where not tg.tgisinternal and not starts_with(tg.tgname, $2)
     and not exists (select 1 from pg_catalog.pg_depend d
                     where d.classid = 'pg_catalog.pg_trigger'::regclass and d.objid = tg.oid and d.deptype = 'P')`,
  `select 'generated column', c.attname::text, c.table_name,
          'GENERATED ALWAYS AS (' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) || ') '
          || case c.attgenerated when 's' then 'STORED' else 'VIRTUAL' end
   from columns c join pg_catalog.pg_attrdef d on d.adrelid = c.attrelid and d.adnum = c.attnum
   where c.attgenerated <> ''`,
  `select 'NOT NULL constraint', k.conname::text, t.name,
          'NOT VALID on ' || (select string_agg(quote_ident(a.attname), ', ') from pg_catalog.pg_attribute a where a.attrelid = k.conrelid and a.attnum = any (k.conkey))
          || ': rows from before it may hold NULL, so the column is read as nullable; declaring it notNull makes contract check the rows and validate it'
   from tables t join pg_catalog.pg_constraint k on k.conrelid = t.oid
   where k.contype = 'n' and not k.convalidated`,
  `select 'collation', c.attname::text, c.table_name, 'COLLATE ' || quote_ident(co.collname)
   from columns c
   join pg_catalog.pg_type ty on ty.oid = c.atttypid
   join pg_catalog.pg_collation co on co.oid = c.attcollation
   where c.attcollation <> ty.typcollation`,
  // Comments on tables and columns are declared; on indexes and constraints they are not.
  `select 'comment', ic.relname::text, t.name, 'index: ' || ${brief('d.description')}
   from tables t
   join pg_catalog.pg_index i on i.indrelid = t.oid
   join pg_catalog.pg_class ic on ic.oid = i.indexrelid
   join pg_catalog.pg_description d on d.objoid = ic.oid and d.classoid = 'pg_catalog.pg_class'::regclass and d.objsubid = 0`,
  `select 'comment', c.conname::text, t.name, 'constraint: ' || ${brief('d.description')}
   from tables t
   join pg_catalog.pg_constraint c on c.conrelid = t.oid
   join pg_catalog.pg_description d on d.objoid = c.oid and d.classoid = 'pg_catalog.pg_constraint'::regclass`,

  `select case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' when 'w' then 'window function' else 'function' end,
          p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', null,
          concat_ws(', ', case when p.prokind <> 'p' then 'returns ' || pg_catalog.pg_get_function_result(p.oid) end, 'language ' || l.lanname)
   from pg_catalog.pg_proc p
   join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   join pg_catalog.pg_language l on l.oid = p.prolang
   where n.nspname = $1 and not starts_with(p.proname, $2) and ${notInExtension('pg_catalog.pg_proc', 'p.oid')}
     -- A range type's constructors are part of the type.
     and not exists (select 1 from pg_catalog.pg_depend d
                     where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'i')`,
  // Sequences, domains and enum types are declared (introspect-schema-objects.ts). A table's, view's
  // or sequence's row type is that relation's; a free-standing one has relkind 'c'.
  `select case t.typtype when 'c' then 'composite type' else 'range type' end,
          t.typname::text, null,
          case t.typtype
            when 'c' then (select '(' || string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' order by a.attnum) || ')'
                           from pg_catalog.pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped)
            else (select 'of ' || pg_catalog.format_type(r.rngsubtype, null) from pg_catalog.pg_range r where r.rngtypid = t.oid)
          end
   from pg_catalog.pg_type t
   join pg_catalog.pg_namespace n on n.oid = t.typnamespace
   where n.nspname = $1 and t.typtype in ('c', 'r') and not starts_with(t.typname, $2)
     and (t.typtype <> 'c' or (select k.relkind from pg_catalog.pg_class k where k.oid = t.typrelid) = 'c')
     and ${notInExtension('pg_catalog.pg_type', 't.oid')}`,
  `select 'extension', x.extname::text, null, 'version ' || x.extversion
   from pg_catalog.pg_extension x join pg_catalog.pg_namespace n on n.oid = x.extnamespace where n.nspname = $1`,
];

/** One round trip for every kind. */
const UNSUPPORTED_SQL = `${RELATIONS_CTE}
  select kind::text, name::text, table_name::text, detail::text from (
    ${KINDS.join('\n    union all\n    ')}
  ) as found (kind, name, table_name, detail)`;

/** What the schema holds that dbtide does not model, sorted by kind, table, name. */
export async function unsupportedPostgres(conn: Connection, schema: string): Promise<UnsupportedObject[]> {
  const rows = await conn.query<{ kind: string; name: string; table_name: string | null; detail: string | null }>(UNSUPPORTED_SQL, [
    schema,
    OWN_TABLE_PREFIX,
    SHADOW.marker,
    ALIAS_COMMENT_PREFIX,
  ]);
  return rows
    .map((r) => ({ kind: r.kind, name: r.name, table: r.table_name, detail: r.detail ?? '' }))
    .sort((a, b) => byPlainOrder(a.kind, b.kind) || byPlainOrder(a.table ?? '', b.table ?? '') || byPlainOrder(a.name, b.name));
}

/** JavaScript's plain string order, as the introspector sorts: independent of the server's collation. */
function byPlainOrder(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
