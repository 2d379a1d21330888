/**
 * A PostgreSQL primary and a streaming replica of it, for the replica-lag tests and bench: both
 * in one scratch directory on free local ports, from the system's PostgreSQL 15 binaries, run as
 * the `postgres` user when this process is root (initdb refuses root). The system cluster is not
 * used as the primary: its pg_hba.conf need not allow replication connections, and it is not ours
 * to change. Stopped and removed by `stop`, and at process exit if a run died before that.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

export const PG_BIN = process.env.DBTIDE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

const TOOLS = ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'];

/** Why no replica can be started here, or null. */
export function replicaToolsMissing(): string | null {
  const missing = TOOLS.filter((t) => !existsSync(join(PG_BIN, t)));
  if (missing.length > 0) return `${missing.join(', ')} not found in ${PG_BIN} (set DBTIDE_PG_BIN)`;
  if (process.getuid?.() === 0 && osUser('postgres') === null) return 'running as root, and there is no postgres user to run the servers as';
  return null;
}

function osUser(name: string): { uid: number; gid: number } | null {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export interface ReplicaPair {
  /** Admin URLs (user postgres, trust) of the primary's `postgres` database and of the replica's. */
  primaryUrl: string;
  replicaUrl: string;
  /** The scratch directory both data directories and their logs are in. */
  dir: string;
  stop(): Promise<void>;
}

export interface ReplicaPairOptions {
  /** Extra `name=value` settings of the replica (a small shared_buffers slows its replay). */
  replicaSettings?: string[];
  primarySettings?: string[];
}

const run = promisify(execFile);

/** Durability off: the data is thrown away; only replication must be real. */
const FAST = ['fsync=off', 'full_page_writes=off', 'synchronous_commit=off'];

export async function startReplicaPair(options: ReplicaPairOptions = {}): Promise<ReplicaPair> {
  const missing = replicaToolsMissing();
  if (missing) throw new Error(`no PostgreSQL replica can be started: ${missing}`);
  const asUser = process.getuid?.() === 0 ? osUser('postgres')! : null;
  const dir = await mkdtemp(join(tmpdir(), 'dbtide-replica-'));
  if (asUser) await chown(dir, asUser.uid, asUser.gid);
  const tool = (name: string, args: string[]) => run(join(PG_BIN, name), args, { ...(asUser ?? {}), env: { ...process.env, LC_ALL: 'C' }, timeout: 60_000 });
  const primary = join(dir, 'primary');
  const replica = join(dir, 'replica');
  const started: string[] = [];
  const stopNow = () => {
    for (const data of started.reverse()) {
      try {
        execFileSync(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...(asUser ?? {}), stdio: 'ignore', timeout: 30_000 });
      } catch {
        // Not running (any more).
      }
    }
    started.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  const start = async (data: string, port: number, settings: string[]) => {
    const flags = [`-p ${port}`, '-h 127.0.0.1', `-k ${dir}`, ...settings.map((s) => `-c ${s}`)].join(' ');
    started.push(data);
    await tool('pg_ctl', ['-D', data, '-l', `${data}.log`, '-o', flags, '-w', '-t', '60', 'start']);
  };
  try {
    await tool('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-locale']);
    const primaryPort = await freePort();
    // initdb's pg_hba.conf lets local replication connections in, with --auth=trust.
    await start(primary, primaryPort, [...FAST, 'wal_level=replica', 'max_wal_senders=5', ...(options.primarySettings ?? [])]);
    await tool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replica, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    const replicaPort = await freePort();
    await start(replica, replicaPort, [...FAST, 'hot_standby=on', ...(options.replicaSettings ?? [])]);
    const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
    await untilStreaming(primaryUrl);
    return {
      primaryUrl,
      replicaUrl: `postgres://postgres@127.0.0.1:${replicaPort}/postgres`,
      dir,
      stop: async () => {
        process.removeListener('exit', stopNow);
        stopNow();
      },
    };
  } catch (error) {
    process.removeListener('exit', stopNow);
    const log = [primary, replica].map((d) => `${d}.log`).filter(existsSync).map((f) => readFileSync(f, 'utf8').split('\n').slice(-10).join('\n')).join('\n');
    stopNow();
    throw new Error(`the PostgreSQL replica pair did not start: ${(error as Error).message}\n${log}`, { cause: error });
  }
}

/** The primary lists the replica as streaming: from then on its lag is readable on both sides. */
async function untilStreaming(primaryUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: primaryUrl });
  await client.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_replication WHERE state = 'streaming'");
      if (Number(rows[0]!.n) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the replica never reached streaming state');
  } finally {
    await client.end();
  }
}

/** Waits until the replica has replayed all the primary has written so far. */
export async function replayed(pair: Pick<ReplicaPair, 'primaryUrl'>, timeoutMs = 30_000): Promise<void> {
  const client = new pg.Client({ connectionString: pair.primaryUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    const started = Date.now();
    for (;;) {
      const { rows: sent } = await client.query<{ done: boolean }>('SELECT bool_and(replay_lsn >= $1::pg_lsn) AS done FROM pg_stat_replication', [rows[0]!.lsn]);
      if (sent[0]?.done === true) return;
      if (Date.now() - started > timeoutMs) throw new Error(`the replica did not replay up to ${rows[0]!.lsn} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await client.end();
  }
}
