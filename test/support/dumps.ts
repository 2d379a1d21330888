/**
 * Whole-database snapshots, to prove a command changed nothing: schema and rows, compared as text.
 */
import { execFileSync } from 'node:child_process';
import { databaseOf } from '../../dialects/mysql/driver.js';
import { connectPglite } from '../../dialects/postgres/driver.js';

/** pg_dump of schema and data; its per-dump random `\restrict` key is left out. */
export const pgDump = (url: string) =>
  execFileSync('pg_dump', ['--no-owner', url], { encoding: 'utf8' }).replace(/^\\(un)?restrict .*$/gm, '');

/** mysqldump of schema and data, without the time it was taken. */
export function mysqlDump(url: string): string {
  const server = new URL(url);
  const password = decodeURIComponent(server.password);
  return execFileSync('mysqldump', [
    '--skip-dump-date', '--triggers', '--routines',
    '-h', server.hostname, '-P', server.port || '3306', '-u', decodeURIComponent(server.username),
    ...(password ? [`-p${password}`] : []),
    databaseOf(url)!,
  ], { encoding: 'utf8' });
}

/**
 * PGlite rewrites files of its data directory whenever it is opened, so its "dump" is every
 * relation, column, constraint, index and row, read through the catalog.
 */
export async function pgliteDump(url: string): Promise<string> {
  const conn = await connectPglite(url);
  try {
    const catalog = await conn.query<{ line: string }>(`
      SELECT format('%s %s %s', c.relkind, c.relname, pg_get_indexdef(c.oid)) AS line
        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
      UNION ALL SELECT format('col %s.%s %s %s', attrelid::regclass, attname, format_type(atttypid, atttypmod), attnotnull)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = 'public'::regnamespace AND attnum > 0 AND NOT attisdropped
      UNION ALL SELECT format('con %s.%s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      ORDER BY 1`);
    const tables = await conn.query<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1",
    );
    const rows: string[] = [];
    for (const { relname } of tables) {
      const data = await conn.query(`SELECT * FROM "${relname}"`);
      rows.push(relname, ...data.map((r) => JSON.stringify(r)).sort());
    }
    return [...catalog.map((c) => c.line), ...rows].join('\n');
  } finally {
    await conn.close();
  }
}

