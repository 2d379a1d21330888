import type { Connection, Dialect } from '../dialect.js';
import { keptStart } from '../declaration/names.js';
import { MARKER_COLUMNS, VERSION_MARKER, type LiveVersionSchema } from '../model/version-schema.js';

type Sql = Pick<Dialect, 'transitions' | 'compiler'>;

/**
 * The version schemas whose marker names `base`; the plan writes, rewrites and drops them. Only
 * schemas named as one of the base's could be (`versionSchemaName` keeps the start of `<base>_`
 * whatever it shortens), so other bases' markers on the server are not read.
 */
export async function readVersionSchemas(conn: Connection, sql: Sql, base: string): Promise<LiveVersionSchema[]> {
  const found: LiveVersionSchema[] = [];
  const prefix = keptStart(`${base}_`);
  const marked = await conn.query<{ name: string }>(sql.transitions.markedSchemas, [VERSION_MARKER]);
  for (const { name } of marked.filter((m) => m.name.startsWith(prefix))) {
    const marker = await readMarker(conn, sql, name);
    if (marker?.base_schema !== base) continue;
    const relations = await conn.query<{ name: string; is_view: unknown }>(sql.transitions.relationsOf, [name]);
    found.push({
      name,
      marker: { base, release: String(marker.release_name), signature: String(marker.signature), stage: marker.stage === 'final' ? 'final' : 'window' },
      relations: relations.map((r) => ({ name: r.name, view: r.is_view === true || Number(r.is_view) === 1 })),
    });
  }
  return found;
}

/**
 * Another base's version schema on the same server may be closed to this user (MySQL grants per
 * database); one this user cannot read is not one it wrote.
 */
async function readMarker(conn: Connection, sql: Sql, schema: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { quote } = sql.compiler;
    return (await conn.query(`SELECT ${MARKER_COLUMNS.join(', ')} FROM ${quote(schema)}.${quote(VERSION_MARKER)}`))[0];
  } catch {
    return undefined;
  }
}
