import type { ScratchDatabase } from '../../src/dialect.js';
import { scratchOnServer } from '../../src/verify/server-scratch.js';
import { quote } from './compiler.js';
import { connectMysql } from './driver.js';

/** A new empty database on the server `url` names. */
export const createScratchMysql = (url: string, label: string): Promise<ScratchDatabase> =>
  scratchOnServer(url, label, {
    maxName: 64,
    connect: connectMysql,
    createSql: (name) => `CREATE DATABASE ${quote(name)}`,
    dropSql: (name) => `DROP DATABASE IF EXISTS ${quote(name)}`,
    // Its version databases, by name: their markers cannot be read once the account that made them is gone.
    alongside: async (conn, name) =>
      (await conn.query<{ name: string }>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA')).map((r) => r.name).filter((n) => n.startsWith(`${name}_`)),
  });
