import type { Connection } from '../../src/dialect.js';
import type { LockHolder } from '../../src/model/locks.js';
import { quote } from './compiler.js';

/**
 * Sessions holding a granted lock on the table (any lock conflicts with the ACCESS EXCLUSIVE most
 * ALTERs take), longest-open transaction first. An idle transaction that only read the table holds
 * ACCESS SHARE until it ends: the usual culprit.
 */
export async function postgresLockHolders(conn: Connection, table: string): Promise<LockHolder[]> {
  const rows = await conn.query<{ session: string; state: string | null; seconds: number | null; query: string | null }>(
    `SELECT DISTINCT a.pid::text AS session, a.state, extract(epoch FROM now() - coalesce(a.xact_start, a.query_start))::float8 AS seconds,
            left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 80) AS query
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.granted AND l.locktype = 'relation' AND l.relation = to_regclass($1) AND l.pid <> pg_backend_pid()
      ORDER BY 3 DESC NULLS LAST`,
    [quote(table)],
  );
  return rows.map((r) => ({
    session: `pid ${r.session}`,
    state: r.state ?? '',
    seconds: r.seconds === null ? null : Number(r.seconds),
    query: r.query ?? '',
    ...(r.state?.startsWith('idle in transaction') ? { idle: true as const } : {}),
  }));
}
