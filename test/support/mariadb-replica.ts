/**
 * A MariaDB primary (binary log on) and a replica of it, each a scratch mariadbd of its own
 * (test/support/local-mariadb.ts) on a free local port: the system server on 3306 has no binary
 * log. Replication starts at the primary's binary log position of the moment, as root (no
 * password, from this machine only).
 */
import { connectMysql } from '../../dialects/mysql/driver.js';
import { startLocalMariadb, type StartedMariadb } from './local-mariadb.js';

export interface MariadbReplicaPair {
  /** Root URLs naming no database: add one to the path. */
  primaryUrl: string;
  replicaUrl: string;
  stop(): Promise<void>;
}

export async function startMariadbReplicaPair(): Promise<MariadbReplicaPair> {
  const started: StartedMariadb[] = [];
  const stop = async () => void (await Promise.all(started.splice(0).map((s) => s.stop())));
  try {
    const primary = await startLocalMariadb({ serverArgs: ['--log-bin=primary-bin', '--server-id=1', '--binlog-format=ROW'] });
    started.push(primary);
    const replica = await startLocalMariadb({ serverArgs: ['--server-id=2', '--relay-log=replica-relay'] });
    started.push(replica);
    const source = await connectMysql(primary.url);
    const [position] = await source.query<{ File: string; Position: number }>('SHOW MASTER STATUS').finally(() => source.close());
    const conn = await connectMysql(replica.url);
    try {
      await conn.query(
        `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${new URL(primary.url).port}, MASTER_USER = 'root', MASTER_PASSWORD = '',
           MASTER_LOG_FILE = '${position!.File}', MASTER_LOG_POS = ${position!.Position}`,
      );
      await conn.query('START SLAVE');
      await untilRunning(conn);
    } finally {
      await conn.close();
    }
    return { primaryUrl: primary.url, replicaUrl: replica.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function untilRunning(conn: Awaited<ReturnType<typeof connectMysql>>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = await conn.query<Record<string, unknown>>('SHOW SLAVE STATUS');
    if (row?.Slave_IO_Running === 'Yes' && row.Slave_SQL_Running === 'Yes') return;
    if (row?.Last_IO_Error) throw new Error(`the MariaDB replica cannot replicate: ${String(row.Last_IO_Error)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the MariaDB replica did not start replicating');
}

/** Waits until the replica has applied all the primary has written so far. */
export async function mariadbReplayed(pair: MariadbReplicaPair, timeoutMs = 30_000): Promise<void> {
  const source = await connectMysql(pair.primaryUrl);
  const [position] = await source.query<{ File: string; Position: number }>('SHOW MASTER STATUS').finally(() => source.close());
  const conn = await connectMysql(pair.replicaUrl);
  try {
    const [row] = await conn.query<{ done: number | null }>(`SELECT MASTER_POS_WAIT('${position!.File}', ${position!.Position}, ${Math.ceil(timeoutMs / 1000)}) AS done`);
    if (row?.done === null || Number(row?.done) < 0) throw new Error('the MariaDB replica did not catch up');
  } finally {
    await conn.close();
  }
}
