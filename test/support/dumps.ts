/**
 * Whole-database snapshots, to prove a command changed nothing: schema and rows, compared as text.
 * Read through the drivers, from the catalog and the tables themselves, so they work against any
 * server version with no client program of the system (`pg_dump` refuses a newer server).
 */
import { dialectFor } from '../../dialects/registry.js';
import type { Connection } from '../../src/dialect.js';

async function withConnection<T>(url: string, work: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await (await dialectFor(url)).connect(url);
  try {
    return await work(conn);
  } finally {
    await conn.close();
  }
}

const rowsOf = async (conn: Connection, tables: string[], quote: (name: string) => string) => {
  const out: string[] = [];
  for (const table of tables) {
    const rows = await conn.query(`SELECT * FROM ${table.split('.').map(quote).join('.')}`);
    out.push(`rows ${table}`, ...rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).sort());
  }
  return out;
};

/** Namespaces of the database's own: every schema but the server's. */
const USER_NAMESPACES = `SELECT oid FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%'`;

/**
 * PostgreSQL and PGlite: schemas, relations with their columns, defaults, constraints, indexes,
 * views, triggers, functions, types, comments, grants and sequence positions; then every row.
 */
export async function postgresDump(url: string): Promise<string> {
  return withConnection(url, async (conn) => {
    const catalog = await conn.query<{ line: string }>(`
      SELECT format('schema %s %s', nspname, nspacl) AS line FROM pg_namespace WHERE oid IN (${USER_NAMESPACES})
      UNION ALL SELECT format('rel %s %s %s %s %s', c.relkind, c.oid::regclass, c.relacl, obj_description(c.oid, 'pg_class'),
                              CASE c.relkind WHEN 'i' THEN pg_get_indexdef(c.oid) WHEN 'v' THEN pg_get_viewdef(c.oid) WHEN 'm' THEN pg_get_viewdef(c.oid) END)
        FROM pg_class c WHERE c.relnamespace IN (${USER_NAMESPACES})
      UNION ALL SELECT format('col %s.%s %s %s %s %s %s', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                              pg_get_expr(d.adbin, d.adrelid), a.attidentity::text || a.attgenerated::text, col_description(a.attrelid, a.attnum))
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE c.relnamespace IN (${USER_NAMESPACES}) AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL SELECT format('con %s %s.%s %s %s', contype, conrelid::regclass, conname, pg_get_constraintdef(oid), obj_description(oid, 'pg_constraint'))
        FROM pg_constraint WHERE connamespace IN (${USER_NAMESPACES})
      UNION ALL SELECT format('trigger %s %s', tgrelid::regclass, pg_get_triggerdef(oid)) FROM pg_trigger t
       WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace IN (${USER_NAMESPACES}))
      UNION ALL SELECT format('function %s', pg_get_functiondef(p.oid)) FROM pg_proc p WHERE p.pronamespace IN (${USER_NAMESPACES}) AND p.prokind IN ('f', 'p')
      UNION ALL SELECT format('type %s %s %s', t.oid::regtype, t.typtype,
                              (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
        FROM pg_type t WHERE t.typnamespace IN (${USER_NAMESPACES}) AND t.typtype IN ('e', 'd')
      ORDER BY 1`);
    const sequences = await conn.query<{ name: string }>(`SELECT c.oid::regclass::text AS name FROM pg_class c WHERE c.relkind = 'S' AND c.relnamespace IN (${USER_NAMESPACES}) ORDER BY 1`);
    const positions: string[] = [];
    for (const { name } of sequences) {
      const [row] = await conn.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${name}`);
      positions.push(`sequence ${name} ${row!.last_value} ${row!.is_called}`);
    }
    const tables = await conn.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND c.relnamespace IN (${USER_NAMESPACES}) ORDER BY 1`,
    );
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
    return [...catalog.map((c) => c.line), ...positions, ...(await rowsOf(conn, tables.map((t) => t.name), quote))].join('\n');
  });
}

/** MySQL and MariaDB: the URL's database, each table, view, trigger and routine as the server shows it, and every row. */
export async function mysqlDump(url: string): Promise<string> {
  return withConnection(url, async (conn) => {
    const quote = (name: string) => `\`${name.replace(/`/g, '``')}\``;
    const objects = await conn.query<{ name: string; kind: string }>(
      `SELECT TABLE_NAME AS name, TABLE_TYPE AS kind FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1`,
    );
    const lines: string[] = [];
    const shown = async (sql: string) => (await conn.query<Record<string, unknown>>(sql)).map((r) => Object.values(r).map(String).join(' '));
    for (const { name } of objects) lines.push(...(await shown(`SHOW CREATE TABLE ${quote(name)}`)));
    const triggers = await conn.query<{ name: string }>('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1');
    // The trigger's creation time is not what a command changes.
    for (const { name } of triggers) lines.push(...(await conn.query<Record<string, unknown>>(`SHOW CREATE TRIGGER ${quote(name)}`)).map((r) => `trigger ${name} ${String(r['SQL Original Statement'])}`));
    const routines = await conn.query<{ name: string; kind: string }>('SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS kind FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1');
    for (const { name, kind } of routines) lines.push(...(await conn.query<Record<string, unknown>>(`SHOW CREATE ${kind} ${quote(name)}`)).map((r) => `${kind} ${name} ${String(r[`Create ${kind[0]}${kind.slice(1).toLowerCase()}`])}`));
    const tables = objects.filter((o) => o.kind === 'BASE TABLE').map((o) => o.name);
    return [...lines, ...(await rowsOf(conn, tables, quote))].join('\n');
  });
}
