import { randomBytes } from 'node:crypto';
import { parseConnectionUrl } from '../../src/connection-url.js';
import type { Connection, ScratchDatabase } from '../../src/dialect.js';
import { connectDb2 } from './driver.js';
import { quoteStored } from './stored-name.js';

/** Schema names are at most 128 bytes; dbtide's are ASCII. */
const MAX_NAME = 128;

/**
 * A throwaway schema `DBTIDE_<LABEL>_<6 hex>` in the database `url` names (CREATE DATABASE takes
 * SYSADM and minutes; a schema takes neither). Its URL is `url` with `currentSchema` set to it.
 * The name is stored in upper case, so it reads the same quoted or not.
 */
export async function createScratchDb2(url: string, label: string, connect: (url: string) => Promise<Connection> = connectDb2): Promise<ScratchDatabase> {
  const suffix = randomBytes(3).toString('hex').toUpperCase();
  const name = `DBTIDE_${label.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`.slice(0, MAX_NAME - suffix.length - 1) + `_${suffix}`;
  const run = async (work: (conn: Connection) => Promise<unknown>) => {
    const conn = await connect(url);
    try {
      await work(conn);
    } finally {
      await conn.close();
    }
  };
  await run((conn) => conn.query(`CREATE SCHEMA ${quoteStored(name)}`));
  let dropped = false;
  return {
    url: withCurrentSchema(url, name),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await run(async (conn) => {
        // Version schemas are named after their base schema.
        const rows = await conn.query<{ name: string }>('SELECT SCHEMANAME AS "name" FROM SYSCAT.SCHEMATA');
        const versions = rows.map((r) => r.name.trim()).filter((n) => n.startsWith(`${name}_`));
        for (const schema of [...versions, name]) await dropSchema(conn, schema);
      });
    },
  };
}

/**
 * SYSPROC.ADMIN_DROP_SCHEMA(schema, dropmode NULL, errortabschema INOUT, errortab INOUT) drops the
 * schema with everything in it. Objects it could not drop are listed in an error table it creates
 * (in SYSTOOLSPACE, under the session user's schema), whose name comes back non-null only then.
 * INOUT arguments are parameter markers, bound in ibm_db's parameter-object form.
 */
async function dropSchema(conn: Connection, schema: string): Promise<void> {
  const [user] = await conn.query<{ name: string }>('SELECT SESSION_USER AS "name" FROM SYSIBM.SYSDUMMY1');
  const errorSchema = user!.name.trim();
  const errorTable = `${schema}_DROP_ERRORS`.slice(0, MAX_NAME);
  const inout = (value: string) => ({ ParamType: 'INOUT', DataType: 'CHAR', Data: value, Length: MAX_NAME });
  const out = await conn.query<string | null>('CALL SYSPROC.ADMIN_DROP_SCHEMA(?, NULL, ?, ?)', [schema, inout(errorSchema), inout(errorTable)]);
  if (out.some((value) => value !== null && value !== undefined && String(value).trim() !== '')) {
    throw new Error(`could not drop every object of schema ${schema}: see table ${quoteStored(errorSchema)}.${quoteStored(errorTable)} (drop it afterwards)`);
  }
}

/** `url` with the CLI's CURRENTSCHEMA set to `schema`, every other part as typed (the password reaches the driver unchanged). */
function withCurrentSchema(url: string, schema: string): string {
  const { scheme, raw } = parseConnectionUrl(url);
  const params = raw.params.filter(([k]) => k.toLowerCase() !== 'currentschema').map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
  return `${scheme}://${raw.userinfo === undefined ? '' : `${raw.userinfo}@`}${raw.hostPort}${raw.path}?${[...params, `currentSchema=${encodeURIComponent(schema)}`].join('&')}`;
}
