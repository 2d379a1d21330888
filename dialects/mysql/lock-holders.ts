import type { Connection } from '../../src/dialect.js';
import type { LockHolder } from '../../src/model/locks.js';

interface Row {
  session: string | number;
  state: string | null;
  /** The session's command: `Sleep` while its client thinks. */
  command: string | null;
  seconds: number | string | null;
  query: string | null;
}

const holder = (r: Row): LockHolder => ({
  session: `connection ${r.session}`,
  state: r.state ?? '',
  seconds: r.seconds === null ? null : Number(r.seconds),
  query: (r.query ?? '').replace(/\s+/g, ' ').slice(0, 80),
  ...(r.command === 'Sleep' ? { idle: true as const } : {}),
});

/**
 * Sessions holding the table's metadata lock, from performance_schema where it runs (MySQL 8's
 * default). Where it does not (MariaDB's default), the server cannot tell per table: every other
 * session of this database with an open transaction may hold it (a transaction keeps the metadata
 * lock of each table it touched until it ends), so those are named, longest first.
 */
export async function mysqlLockHolders(conn: Connection, table: string): Promise<LockHolder[]> {
  const [enabled] = await conn.query<{ on: number | string }>('SELECT @@performance_schema AS `on`');
  if (Number(enabled?.on) === 1) {
    const rows = await conn.query<Row>(
      `SELECT DISTINCT t.PROCESSLIST_ID AS session, p.COMMAND AS state, p.COMMAND AS command, p.TIME AS seconds, p.INFO AS query
         FROM performance_schema.metadata_locks m
         JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
         LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.PROCESSLIST_ID
        WHERE m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = DATABASE() AND m.OBJECT_NAME = ? AND m.LOCK_STATUS = 'GRANTED'
          AND t.PROCESSLIST_ID <> CONNECTION_ID()
        ORDER BY seconds DESC`,
      [table],
    );
    return rows.map(holder);
  }
  const rows = await conn.query<Row>(
    `SELECT x.trx_mysql_thread_id AS session, CONCAT('open transaction, ', p.COMMAND) AS state, p.COMMAND AS command,
            TIMESTAMPDIFF(SECOND, x.trx_started, NOW()) AS seconds, COALESCE(x.trx_query, p.INFO) AS query
       FROM information_schema.INNODB_TRX x LEFT JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id
      WHERE x.trx_mysql_thread_id <> CONNECTION_ID() AND (p.DB IS NULL OR p.DB = DATABASE())
      ORDER BY x.trx_started`,
  );
  return rows.map((r) => ({ ...holder(r), maybe: true }));
}
