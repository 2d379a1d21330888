/**
 * A MariaDB Galera cluster on this machine, from the Debian packages (mariadb-server, galera-4):
 * `nodes` servers, each with its data directory under one scratch directory and its own local
 * ports (client, group communication, incremental and full state transfer). The first node
 * bootstraps the cluster, the others join it by rsync state transfer, one at a time, and the
 * cluster is returned once every node says Synced. As root, the servers run as the `mysql` user:
 * the rsync transfer cannot write directories that root owns from a server that is not root.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

const SERVER = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'].find((path) => existsSync(path));
const PROVIDER = ['/usr/lib/galera/libgalera_smm.so', '/usr/lib/libgalera_smm.so', '/usr/lib64/galera-4/libgalera_smm.so'].find((path) => existsSync(path));

/** Why no cluster can start here, or null when one can. */
export function galeraMissing(): string | null {
  if (!SERVER) return 'no mariadbd is installed (apt-get install mariadb-server)';
  if (!PROVIDER) return 'no Galera provider libgalera_smm.so is installed (apt-get install galera-4)';
  for (const tool of ['rsync', 'mariadb-install-db']) {
    if (!process.env.PATH?.split(':').some((dir) => existsSync(join(dir, tool)))) return `no ${tool} on PATH (apt-get install ${tool === 'rsync' ? 'rsync' : 'mariadb-server'})`;
  }
  return null;
}

export interface GaleraNode {
  name: string;
  /** Root URL naming no database. */
  url: string;
  dir: string;
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  dir: string;
  /** Stops every node and removes the scratch directory. */
  stop(): Promise<void>;
}

interface Started {
  node: GaleraNode;
  process: ChildProcess;
  exited: Promise<void>;
  hasExited: () => boolean;
}

export async function startGaleraCluster(options: { nodes?: number; dir?: string } = {}): Promise<GaleraCluster> {
  const missing = galeraMissing();
  if (missing) throw new Error(`a Galera cluster cannot start here: ${missing}`);
  const count = options.nodes ?? 3;
  const root = options.dir ?? (await mkdtemp(join(tmpdir(), 'dbtide-galera-')));
  mkdirSync(root, { recursive: true });
  // mkdtemp makes it private to this user: the servers' user must reach its node directories.
  chmodSync(root, 0o755);
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'mysql' : userInfo().username;
  const ports = [];
  for (let i = 0; i < count; i++) ports.push({ client: await freePort(), group: await freePort(), ist: await freePort(), sst: await freePort() });
  const members = ports.map((p) => `127.0.0.1:${p.group}`).join(',');
  const started: Started[] = [];
  const stop = async () => {
    // The joiners first, the bootstrap node last: each leaves a cluster that still has a primary component.
    for (const s of started.reverse()) {
      if (!s.hasExited()) s.process.kill('SIGTERM');
      await Promise.race([s.exited, sleep(30_000)]);
      if (!s.hasExited()) s.process.kill('SIGKILL');
    }
    await rm(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const name = `node${i + 1}`;
      const dir = join(root, name);
      const data = join(dir, 'data');
      mkdirSync(dir, { recursive: true });
      const p = ports[i]!;
      const cnf = join(dir, 'my.cnf');
      writeFileSync(
        cnf,
        [
          '[mysqld]',
          `user=${user}`,
          `datadir=${data}`,
          `port=${p.client}`,
          'bind-address=127.0.0.1',
          `socket=${join(dir, 'sock')}`,
          `pid-file=${join(dir, 'pid')}`,
          `log-error=${join(dir, 'server.log')}`,
          'character-set-server=utf8mb4',
          'collation-server=utf8mb4_general_ci',
          'binlog_format=ROW',
          'default_storage_engine=InnoDB',
          'innodb_autoinc_lock_mode=2',
          // Durability off: a test cluster's data is thrown away; its speed is what counts.
          'innodb_flush_log_at_trx_commit=2',
          'innodb_buffer_pool_size=256M',
          'max_connections=300',
          'wsrep_on=ON',
          `wsrep_provider=${PROVIDER}`,
          `wsrep_cluster_address=gcomm://${members}`,
          'wsrep_cluster_name=dbtide_test',
          `wsrep_node_name=${name}`,
          `wsrep_node_address=127.0.0.1:${p.group}`,
          // What wsrep_incoming_addresses lists for the node: the address clients (and dbtide watching the nodes) connect to.
          `wsrep_node_incoming_address=127.0.0.1:${p.client}`,
          `wsrep_provider_options="base_port=${p.group};ist.recv_addr=127.0.0.1:${p.ist};gcache.size=128M"`,
          'wsrep_sst_method=rsync',
          `wsrep_sst_receive_address=127.0.0.1:${p.sst}`,
          '',
        ].join('\n'),
      );
      mkdirSync(data, { recursive: true });
      if (asRoot) await run('chown', ['-R', `${user}:`, dir]);
      // The first node's data directory is made; the others' come by state transfer from it.
      if (i === 0) await run('mariadb-install-db', [`--defaults-file=${cnf}`, '--auth-root-authentication-method=normal', '--skip-test-db', `--user=${user}`], { maxBuffer: 2 ** 24 });
      const server = spawn(SERVER!, [`--defaults-file=${cnf}`, ...(i === 0 ? ['--wsrep-new-cluster'] : [])], {
        stdio: ['ignore', 'ignore', openSync(join(root, `${name}.stderr`), 'a')],
        detached: true,
      });
      let exited = false;
      const gone = new Promise<void>((resolve) => server.on('exit', () => ((exited = true), resolve())));
      const node = { name, url: `mysql://root@127.0.0.1:${p.client}/`, dir };
      started.push({ node, process: server, exited: gone, hasExited: () => exited });
      await untilSynced(node, () => exited, i + 1);
    }
    return { nodes: started.map((s) => s.node), dir: root, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until the node answers, says Synced, and sees `size` members. */
async function untilSynced(node: GaleraNode, exited: () => boolean, size: number): Promise<void> {
  let last = 'no answer';
  for (let i = 0; i < 1200; i++) {
    if (exited()) break;
    try {
      const conn = await connectMysql(node.url);
      try {
        const rows = await conn.query<{ Variable_name: string; Value: string }>("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_ready')");
        const status = Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
        last = `${status.wsrep_local_state_comment}, cluster size ${status.wsrep_cluster_size}`;
        if (status.wsrep_local_state_comment === 'Synced' && Number(status.wsrep_cluster_size) === size && status.wsrep_ready === 'ON') return;
      } finally {
        await conn.close();
      }
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  const log = await readFile(join(node.dir, 'server.log'), 'utf8').catch(() => '');
  throw new Error(`Galera ${node.name} did not reach Synced (${exited() ? 'the server exited' : last}):\n${log.split('\n').slice(-15).join('\n')}`);
}
