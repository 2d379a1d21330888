/**
 * Connecting, as an operator meets it through the real CLI: passwords typed by hand (spaces, `@`,
 * `#`, `%`, `:`, `/`) connect and never show; every way a connect fails says where and what to do,
 * in bounded time; a schema or database that does not exist is refused before anything is planned.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { connectPostgres } from '../../dialects/postgres/driver.js';
import { parseConnectionUrl } from '../../src/connection-url.js';
import { runCli, startCli, type CliResult } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { noMariadb, noPostgres, postgresAdminUrl, scratchMariadb, scratchPostgres, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());
const RELEASE = files.write(
  '001-r.ts',
  `import { defineSchema } from 'dbtide';\nexport default defineSchema({ release: '001-r', tables: { items: { columns: { id: 'int', note: 'text' }, primaryKey: ['id'] } } });\n`,
);

const hex = () => randomBytes(3).toString('hex');

/** No output holds the password, encoded or not, nor any piece of it between its delimiters. */
function expectHidden(result: CliResult, password: string): void {
  const output = result.stdout + result.stderr;
  const pieces = password.split(/[\s@#%:/]+/).filter((p) => p.length >= 2);
  for (const secret of [password, encodeURIComponent(password), ...pieces]) expect(output).not.toContain(secret);
}

/** `url` with `user:password@` as typed, nothing encoded. */
function withPassword(url: string, user: string, password: string): string {
  const { scheme, host, port, database } = parseConnectionUrl(url);
  return `${scheme}://${user}:${password}@${host}:${port}/${database ?? ''}`;
}

/** Plan and status connect with `url`, show it only as `redacted`, and never show the password. */
async function expectConnectsHidden(url: string, redacted: string, password: string): Promise<void> {
  const plan = await runCli(['plan', '--url', url, '--schema', RELEASE]);
  expect(plan.stderr).toBe('');
  expect(plan.code).toBe(0);
  expect(plan.stdout).toContain(`(${redacted})`);
  expectHidden(plan, password);
  const status = await runCli(['status', '--format', 'json', '--url', url, '--schema', RELEASE]);
  expect(status.code).toBe(0);
  expect((JSON.parse(status.stdout) as { url: string }).url).toBe(redacted);
  expectHidden(status, password);
}

describe.skipIf(noPostgres)('PostgreSQL', () => {
  // The test server's address: the local service, or the one the suite started.
  const { host: HOST, port: PORT } = noPostgres ? { host: '', port: '' } : new URL(postgresAdminUrl());
  // Trust authentication accepts any password, so one the old parsing mangled still connects.
  const PASSWORD = 'hun ter@#2';
  let db: ScratchDatabase;
  beforeAll(async () => {
    db = await scratchPostgres('conn_errors');
  });
  afterAll(() => db?.drop());

  it('takes a password with a space, @ and # unencoded, and shows it nowhere', async () => {
    const url = withPassword(db.url, 'postgres', PASSWORD);
    await expectConnectsHidden(url, `postgres://postgres:***@${HOST}/${db.name}`, PASSWORD);
  });

  it('a refused connection names host and port', async () => {
    const result = await runCli(['plan', '--url', `postgres://postgres:${PASSWORD}@127.0.0.1:1/${db.name}`, '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: could not connect to PostgreSQL at 127.0.0.1:1, database "${db.name}": connection refused: nothing listens on 127.0.0.1:1`);
    expect(result.stderr).toContain(`hint: start the server, or fix the host and port in the URL (postgres://postgres:***@127.0.0.1:1/${db.name})`);
    expectHidden(result, PASSWORD);
  });

  it('a missing database gets the command that creates it', async () => {
    const missing = `dbtide_t_missing_${hex()}`;
    const result = await runCli(['plan', '--url', `postgres://postgres:${PASSWORD}@${HOST}/${missing}`, '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`database "${missing}" does not exist`);
    expect(result.stderr).toContain(`hint: create it first (createdb -h 127.0.0.1 -p ${PORT} -U postgres ${missing}), or fix the database name in the URL`);
    expectHidden(result, PASSWORD);
  });

  it('a missing role is named, with what to check', async () => {
    const role = `dbtide_t_nobody_${hex()}`;
    const result = await runCli(['plan', '--url', `postgres://${role}:${PASSWORD}@${HOST}/${db.name}`, '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`role "${role}" does not exist`);
    expect(result.stderr).toContain(`hint: the server refused user "${role}"`);
    expectHidden(result, PASSWORD);
  });

  it('--database-schema naming no schema is refused before anything changes', async () => {
    const plan = await runCli(['plan', '--url', db.url, '--database-schema', 'nope', '--schema', RELEASE]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(new RegExp(`^error: schema "nope" does not exist on PostgreSQL [\\d.]+ at postgres://postgres@127\\.0\\.0\\.1:${PORT}/dbtide_t_\\w+ \\(from --database-schema\\)$`, 'm'));
    expect(plan.stderr).toContain('hint: create it first (CREATE SCHEMA "nope"), or fix the name in --database-schema');
    expect(plan.stdout).toBe('');
    const expand = await runCli(['expand', '--url', db.url, '--database-schema', 'nope', '--schema', RELEASE]);
    expect(expand.code).toBe(1);
    expect(expand.stderr).toContain('schema "nope" does not exist');
    const created = await withConnection(connectPostgres(db.url), (c) =>
      c.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`),
    );
    expect(created).toEqual([]);
  });

  it('a search_path naming no schema that exists is refused before anything changes', async () => {
    const url = `${db.url}?options=${encodeURIComponent('-c search_path=nope')}`;
    const expand = await runCli(['expand', '--url', url, '--schema', RELEASE]);
    expect(expand.code).toBe(1);
    expect(expand.stderr).toMatch(/^error: no schema to work in on PostgreSQL [\d.]+ at postgres:\/\/\S+: no schema on the search_path exists$/m);
    expect(expand.stderr).toContain('hint: name the schema with --database-schema <name>, or create the one the search_path names');
    const created = await withConnection(connectPostgres(db.url), (c) =>
      c.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`),
    );
    expect(created).toEqual([]);
  });
});

describe('a server that accepts and never answers', () => {
  let silent: Server;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it.each([
    ['postgres', 'PostgreSQL'],
    ['mysql', 'MySQL'],
  ])('%s:// fails within the 5 s bound, naming the server', async (scheme, product) => {
    const result = await runCli(['plan', '--url', `${scheme}://app:s3cret pw@127.0.0.1:${port}/db`, '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not connect to ${product} at 127.0.0.1:${port}, database "db": the server at 127.0.0.1:${port} did not answer as ${product} would within 5 s`);
    expect(result.stderr).toContain(`hint: check the host and port in the URL (${scheme}://app:***@127.0.0.1:${port}/db)`);
    expectHidden(result, 's3cret pw');
  }, 20_000);

  it('mysql:// at the PostgreSQL port says which server listens there', async () => {
    // The local PostgreSQL where it runs; else a listener of the test's own that never answers.
    const stand = createServer((socket) => sockets.push(socket));
    const own = await new Promise<boolean>((resolve) => {
      stand.once('error', () => resolve(false));
      stand.listen(5432, '127.0.0.1', () => resolve(true));
    });
    const result = await runCli(['plan', '--url', 'mysql://root:s3cret pw@127.0.0.1:5432/db', '--schema', RELEASE]).finally(() => {
      if (own) stand.close();
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did not answer as MySQL would within 5 s; 5432 is the default port of PostgreSQL');
    expect(result.stderr).toContain('hint: a PostgreSQL server takes a postgres:// URL; fix the scheme or the port in the URL (mysql://root:***@127.0.0.1:5432/db)');
    expectHidden(result, 's3cret pw');
  }, 20_000);
});

describe('the embedded database in a directory it cannot use', () => {
  const regularFile = files.write('not-a-directory', '');

  it.each([
    ['/proc/nope', /ENOENT/],
    [`${regularFile}/data`, /ENOTDIR/],
  ])('pglite:%s fails at once, saying why', async (dir, reason) => {
    const cli = startCli(['plan', '--url', `pglite:${dir}`, '--schema', RELEASE]);
    // It used to spin without a word; kill it rather than leave it behind.
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 15_000);
    const result = await cli.done.finally(() => clearTimeout(timer));
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: cannot use ${dir} for the embedded database: `);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toContain('hint: name a directory this process can create and write');
  }, 20_000);
});

describe.skipIf(noMariadb)('MariaDB', () => {
  const PASSWORD = 'Zq9 xW@#%:/Kv7';
  const user = `dbtide_t_pw_${hex()}`;
  let db: ScratchDatabase;
  beforeAll(async () => {
    db = await scratchMariadb('conn_errors');
    await withConnection(connectMysql(db.url), async (c) => {
      await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY ?`, [PASSWORD]);
      await c.query(`GRANT ALL ON \`${db.name}\`.* TO '${user}'@'%'`);
    });
  });
  afterAll(async () => {
    if (!db) return;
    await withConnection(connectMysql(db.url), (c) => c.query(`DROP USER IF EXISTS '${user}'@'%'`));
    await db.drop();
  });

  it.each([
    ['unencoded', (p: string) => p],
    ['percent-encoded', encodeURIComponent],
  ])('connects with the password %s and shows it nowhere', async (_, encode) => {
    const url = withPassword(db.url, user, encode(PASSWORD));
    await expectConnectsHidden(url, `mysql://${user}:***@${new URL(db.url).host}/${db.name}`, PASSWORD);
  });

  it('a wrong password is refused without showing it, naming the user', async () => {
    const wrong = 'Wr0ng yQ@#%:/Pw8';
    const result = await runCli(['plan', '--format', 'json', '--url', withPassword(db.url, user, wrong), '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Access denied for user '${user}'`);
    expect(result.stderr).toContain(`hint: the server refused user "${user}": check the password in the URL`);
    expectHidden(result, wrong);
  });

  it('a refused connection names host and port', async () => {
    const result = await runCli(['plan', '--url', `mysql://${user}:${PASSWORD}@127.0.0.1:1/${db.name}`, '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not connect to MySQL at 127.0.0.1:1, database "${db.name}": connection refused: nothing listens on 127.0.0.1:1`);
    expectHidden(result, PASSWORD);
  });

  it('a missing database gets the statement that creates it', async () => {
    const missing = `dbtide_t_missing_${hex()}`;
    const { host, port } = parseConnectionUrl(db.url);
    const result = await runCli(['plan', '--url', `mysql://root@${host}:${port}/${missing}`, '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Unknown database '${missing}'`);
    expect(result.stderr).toContain(`hint: create it first (CREATE DATABASE \`${missing}\`), or fix the database name in the URL`);
  });

  it('--database-schema naming no database is refused before anything changes', async () => {
    const missing = `dbtide_t_nope_${hex()}`;
    const result = await runCli(['expand', '--url', db.url, '--database-schema', missing, '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: database "${missing}" does not exist on MariaDB [\\d.]+ at mysql://root@127\\.0\\.0\\.1:${new URL(db.url).port}/${db.name} \\(from --database-schema\\)$`, 'm'));
    expect(result.stderr).toContain(`hint: create it first (CREATE DATABASE \`${missing}\`), or fix the name in --database-schema`);
    const tables = await withConnection(connectMysql(db.url), (c) => c.query('SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()'));
    expect(tables).toEqual([]);
  });

  it('a URL naming no database is refused before the ledger or anything else is written', async () => {
    const { host, port } = parseConnectionUrl(db.url);
    const result = await runCli(['expand', '--url', `mysql://root@${host}:${port}/`, '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: no database to work in on MariaDB [\\d.]+ at mysql://root@${host}:${port}/: the URL names no database$`, 'm'));
    expect(result.stderr).toContain('hint: name the database in the URL (mysql://user@host:3306/<database>) or with --database-schema <name>');
  });

  it("the config's databaseSchema is named as the source", async () => {
    const config = files.write(`cfg-${hex()}/dbtide.config.ts`, `import { defineConfig } from 'dbtide';\nexport default defineConfig({ url: '${db.url}', databaseSchema: 'public' });\n`);
    const result = await runCli(['plan', '--config', config, '--schema', RELEASE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`database "public" does not exist on MariaDB`);
    expect(result.stderr).toContain(`(from databaseSchema in ${config})`);
  });
});
