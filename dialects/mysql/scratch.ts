import type { Connection, ScratchDatabase } from '../../src/dialect.js';
import { scratchOnServer } from '../../src/dialect-kit/server-scratch.js';
import { quote } from './compiler.js';
import { connectMysql } from './driver.js';
import { databasesNamedAfter } from './version-schemas.js';

/** A new empty database on the server `url` names. */
export const createScratchMysql = (url: string, label: string): Promise<ScratchDatabase> =>
  scratchOnServer(url, label, {
    maxName: 64,
    connect: connectMysql,
    createSql: (name) => `CREATE DATABASE ${quote(name)}`,
    dropSql: (name) => `DROP DATABASE IF EXISTS ${quote(name)}`,
    alongside: databasesNamedAfter,
    endSessions,
  });

/** The server has no DROP DATABASE ... FORCE, and DROP waits for the metadata locks of sessions still in the database. */
async function endSessions(conn: Connection, databases: string[]): Promise<void> {
  const sessions = await conn.query<{ id: string }>(
    `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB IN (${databases.map(() => '?').join(', ')}) AND ID <> CONNECTION_ID()`,
    databases,
  );
  // A session may have ended meanwhile.
  for (const s of sessions) await conn.query(`KILL ${Number(s.id)}`).catch(() => {});
}
