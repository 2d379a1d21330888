/**
 * A MariaDB server for the tests where none runs but the server program is installed: a data
 * directory made by mariadb-install-db in a temporary directory, the server on a free local port
 * (root, no password, over TCP only from this machine), stopped and removed afterwards.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** Where Debian and most distributions install the server. */
const SERVER = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd', '/usr/local/bin/mariadbd'].find((path) => existsSync(path));

export const mariadbInstalled = () => SERVER !== undefined;

export interface StartedMariadb {
  url: string;
  stop(): Promise<void>;
}

/** `serverArgs` come last, so they override the defaults (`--log-bin` the `--skip-log-bin`). */
export async function startLocalMariadb(options: { serverArgs?: string[] } = {}): Promise<StartedMariadb> {
  if (!SERVER) throw new Error('no mariadbd on this machine');
  const root = await mkdtemp(join(tmpdir(), 'dbtide-mariadb-'));
  const data = join(root, 'data');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...user], { maxBuffer: 2 ** 24 });
  const port = await freePort();
  // Durability off: a test server's data is thrown away; its speed is what counts.
  const server = spawn(
    SERVER,
    ['--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${join(root, 'sock')}`, `--pid-file=${join(root, 'pid')}`,
      // As Debian's packaged configuration has it, which --no-defaults leaves out.
      '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
      '--innodb-flush-log-at-trx-commit=2', '--skip-log-bin', '--max-connections=300', ...user, ...(options.serverArgs ?? [])],
    { stdio: ['ignore', 'ignore', openSync(join(root, 'server.log'), 'a')], detached: true },
  );
  let exited = false;
  const gone = new Promise<void>((resolve) => server.on('exit', () => ((exited = true), resolve())));
  const url = `mysql://root@127.0.0.1:${port}/`;
  const stop = async () => {
    if (!exited) server.kill('SIGTERM');
    await gone;
    await rm(root, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    try {
      await (await connectMysql(url)).close();
      return { url, stop };
    } catch (error) {
      if (exited || i > 150) {
        const log = await readFile(join(root, 'server.log'), 'utf8').catch(() => '');
        await stop();
        throw new Error(`MariaDB did not start on port ${port}: ${(error as Error).message}\n${log.split('\n').slice(-10).join('\n')}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
