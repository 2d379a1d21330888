import { randomBytes } from 'node:crypto';
import { parseConnectionUrl, withDatabaseName } from '../connection-url.js';
import type { Connection, ScratchDatabase } from '../dialect.js';

export interface ScratchServer {
  /** The server's identifier limit. */
  maxName: number;
  connect(url: string): Promise<Connection>;
  createSql(name: string): string;
  dropSql(name: string): string;
  /** Databases a scratch database leaves beside it (MySQL: its version databases), dropped with it. */
  alongside?(conn: Connection, name: string): Promise<string[]>;
  /** Ends the sessions still connected to `databases`, where DROP would otherwise wait for them (a stopped run's). */
  endSessions?(conn: Connection, databases: string[]): Promise<void>;
}

/**
 * A database `dbtide_<label>_<6 hex>` on the server `url` names, created and dropped through a
 * session of its own; the scratch database's URL differs only in its path.
 */
export async function scratchOnServer(url: string, label: string, server: ScratchServer): Promise<ScratchDatabase> {
  const suffix = randomBytes(3).toString('hex');
  const safe = label.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `dbtide_${safe}`.slice(0, server.maxName - suffix.length - 1) + `_${suffix}`;
  const run = async (work: (conn: Connection) => Promise<unknown>) => {
    const conn = await server.connect(url);
    try {
      await work(conn);
    } finally {
      await conn.close();
    }
  };
  await run((conn) => conn.query(server.createSql(name)));
  const scratchUrl = withDatabaseName(parseConnectionUrl(url), name);
  let dropped = false;
  return {
    url: scratchUrl,
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await run(async (conn) => {
        const others = (await server.alongside?.(conn, name)) ?? [];
        await server.endSessions?.(conn, [name, ...others]);
        for (const other of others) await conn.query(server.dropSql(other));
        await conn.query(server.dropSql(name));
      });
    },
  };
}
