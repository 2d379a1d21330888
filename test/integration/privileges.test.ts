import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { mysqlDialect } from '../../dialects/mysql/index.js';
import { postgresDialect } from '../../dialects/postgres/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { mysqlDump, postgresDump } from '../support/dumps.js';
import { releaseDir } from '../support/release-files.js';
import {
  mariadbAdminUrl,
  noMariadb,
  noPostgres,
  postgresAdminUrl,
  scratchMariadb,
  scratchPostgres,
  withConnection,
  type ScratchDatabase,
} from '../support/scratch-databases.js';

const files = releaseDir();
const V1 = files.write(
  'v1.ts',
  `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: 'v1',
  tables: {
    people: { columns: { id: 'bigint', name: 'text' }, primaryKey: ['id'] },
    hosts: { columns: { id: 'bigint', name: 'text' }, primaryKey: ['id'] },
  },
});
`,
);
// A new table first (which the role may create), then two live tables it may not alter: without
// the preflight, expand creates visits and stops at people, half applied.
const V2 = files.write(
  'v2.ts',
  `import { defineSchema } from 'dbtide';
import v1 from './v1.ts';
export default defineSchema({
  release: 'v2',
  extends: v1,
  tables: {
    visits: {
      columns: { id: 'bigint', person_id: 'bigint' },
      primaryKey: ['id'],
      foreignKeys: [{ columns: ['person_id'], references: { table: 'people', columns: ['id'] } }],
    },
    people: { columns: { email: 'text' } },
    hosts: { columns: { rack: 'text' } },
  },
});
`,
);

// A type change: the new version's views live in a schema (MySQL: a database) of their own.
const V3 = files.write(
  'v3.ts',
  `import { defineSchema, changeType } from 'dbtide';
import v1 from './v1.ts';
export default defineSchema({
  release: 'v3',
  extends: v1,
  tables: { people: { columns: { name: 'varchar(100)' } } },
  transitions: [changeType('people', 'name')],
});
`,
);

const LEDGER = ['_dbtide_runs', '_dbtide_journal', '_dbtide_backfills', '_dbtide_sql_steps'];

/** What differs per server: how an account is made, granted, named in a URL, dumped and dropped. */
interface Server {
  name: string;
  scratch(label: string): Promise<ScratchDatabase>;
  /** Statements run by the administrator in the scratch database. */
  admin(db: ScratchDatabase, statements: string[]): Promise<void>;
  /** A login that may connect and read, and nothing else. */
  createAccount(db: ScratchDatabase, name: string): string[];
  /** What the account needs for the ledger dbtide keeps: create it, or write to it. */
  ledgerGrants(db: ScratchDatabase, name: string): string[];
  dropAccount(name: string): Promise<void>;
  urlAs(db: ScratchDatabase, name: string): string;
  dump(url: string): Promise<string>;
  /** What the refusal says is missing on each of the two live tables, and the fix it gives. */
  lacks(db: ScratchDatabase, name: string): { people: RegExp; hosts: RegExp; fixes: RegExp[] };
  /** What it says when the account may not create the ledger. */
  noLedger(db: ScratchDatabase, name: string): { lacks: RegExp; fix: RegExp };
  /** Enough to create and change tables of its own in the scratch database, and no more. */
  ownTables(db: ScratchDatabase, name: string): string[];
  /** What it says when the account may not create a release's version schema. */
  noVersionSchema(db: ScratchDatabase, name: string): { lacks: RegExp; fix: RegExp };
}

const nameOf = (url: string) => new URL(url).pathname.slice(1);
const asUser = (url: string, user: string) => {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
};
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const postgres: Server = {
  name: 'postgres',
  scratch: scratchPostgres,
  admin: (db, statements) =>
    withConnection(postgresDialect.connect(db.url), async (conn) => {
      for (const sql of statements) await conn.query(sql);
    }),
  createAccount: (db, name) => [`CREATE ROLE "${name}" LOGIN`, `GRANT CONNECT ON DATABASE "${nameOf(db.url)}" TO "${name}"`, `GRANT USAGE ON SCHEMA public TO "${name}"`],
  ledgerGrants: (_db, name) => [`GRANT CREATE ON SCHEMA public TO "${name}"`, ...LEDGER.map((t) => `GRANT SELECT, INSERT, UPDATE ON ${t} TO "${name}"`)],
  dropAccount: (name) =>
    withConnection(postgresDialect.connect(postgresAdminUrl()), async (conn) => {
      await conn.query(`DROP ROLE IF EXISTS "${name}"`);
    }),
  urlAs: (db, name) => asUser(db.url, name),
  dump: postgresDump,
  lacks: (_db, name) => ({
    people: /people:\n {4}ownership of table "people" \(owner: postgres\), for: add column people\.email\n {4}REFERENCES on table "people"/,
    hosts: /hosts:\n {4}ownership of table "hosts" \(owner: postgres\), for: add column hosts\.rack/,
    fixes: [`ALTER TABLE "public"."people" OWNER TO "${name}"`, `ALTER TABLE "public"."hosts" OWNER TO "${name}"`].map((f) => new RegExp(escape(f))),
  }),
  noLedger: (_db, name) => ({
    lacks: /schema "public":\n {4}CREATE on schema "public", for: the ledger \(_dbtide_runs, _dbtide_journal, _dbtide_backfills, _dbtide_sql_steps\)/,
    fix: new RegExp(escape(`GRANT CREATE ON SCHEMA "public" TO "${name}"`)),
  }),
  ownTables: (_db, name) => [`GRANT CREATE ON SCHEMA public TO "${name}"`],
  noVersionSchema: (db, name) => ({
    lacks: new RegExp(escape(`CREATE on database "${nameOf(db.url)}" (for the schema public_v3)`)),
    fix: new RegExp(escape(`GRANT CREATE ON DATABASE "${nameOf(db.url)}" TO "${name}"`)),
  }),
};

const mariadb: Server = {
  name: 'mariadb',
  scratch: scratchMariadb,
  admin: (db, statements) =>
    withConnection(mysqlDialect.connect(db.url), async (conn) => {
      for (const sql of statements) await conn.query(sql);
    }),
  createAccount: (db, name) => [`CREATE USER '${name}'@'%'`, `GRANT SELECT ON \`${nameOf(db.url)}\`.* TO '${name}'@'%'`],
  // Everything the ledger needs, and CREATE and DROP besides, but neither ALTER nor INDEX.
  ledgerGrants: (db, name) => [`GRANT CREATE, DROP, INSERT, UPDATE ON \`${nameOf(db.url)}\`.* TO '${name}'@'%'`],
  dropAccount: (name) =>
    withConnection(mysqlDialect.connect(mariadbAdminUrl()), async (conn) => {
      await conn.query(`DROP USER IF EXISTS '${name}'@'%'`);
    }),
  urlAs: (db, name) => asUser(db.url, name),
  dump: mysqlDump,
  lacks: (db, name) => ({
    people: new RegExp(`people:\\n {4}ALTER on \`${nameOf(db.url)}\`\\.\`people\`, for: add column people\\.email`),
    hosts: new RegExp(`hosts:\\n {4}ALTER on \`${nameOf(db.url)}\`\\.\`hosts\`, for: add column hosts\\.rack`),
    fixes: [new RegExp(escape(`GRANT ALTER ON \`${nameOf(db.url)}\`.* TO '${name}'@'%'`))],
  }),
  noLedger: (db, name) => ({
    lacks: new RegExp(`database \`${nameOf(db.url)}\`:\\n {4}CREATE on database \`${nameOf(db.url)}\`, for: the ledger`),
    fix: new RegExp(escape(`GRANT CREATE, INSERT, UPDATE ON \`${nameOf(db.url)}\`.* TO '${name}'@'%'`)),
  }),
  ownTables: (db, name) => [`GRANT ALL ON \`${nameOf(db.url)}\`.* TO '${name}'@'%'`],
  noVersionSchema: (db, name) => ({
    lacks: new RegExp(escape(`CREATE, CREATE VIEW, DROP, SELECT on database \`${nameOf(db.url)}_v3\``)),
    fix: new RegExp(escape(`GRANT CREATE, CREATE VIEW, DROP, SELECT ON \`${nameOf(db.url)}_v3\`.* TO '${name}'@'%'`)),
  }),
};

/** The statements the refusal's hint tells an administrator to run (from `--format json`). */
function fixesIn(result: CliResult): string[] {
  const { error } = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { error: { hint: string } };
  const [, list] = /run:\n([\s\S]*?)\nthen run/.exec(error.hint)!;
  return list!.split('\n').map((line) => line.trim().replace(/;$/, ''));
}

afterAll(() => files.remove());

describe.each([...(noPostgres ? [] : [postgres]), ...(noMariadb ? [] : [mariadb])])('privilege preflight on $name', (server) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
  });

  /** A scratch database at v1 (made by the administrator) and an account that does not own it. */
  async function setUp(label: string) {
    const db = await server.scratch(label);
    cleanup.push(() => db.drop());
    const account = `dbtide_t_${label}_${randomBytes(3).toString('hex')}`;
    cleanup.push(() => server.dropAccount(account));
    await server.admin(db, server.createAccount(db, account));
    return { db, account, url: server.urlAs(db, account) };
  }

  it('refuses a release touching two tables the account may not alter, names both with the fix, changes nothing; after the fix it runs', async () => {
    const { db, account, url } = await setUp('priv');
    expect((await runCli(['expand', '--url', db.url, '--schema', V1])).code).toBe(0);
    await server.admin(db, server.ledgerGrants(db, account));
    const before = await server.dump(db.url);

    const refused = await runCli(['expand', '--url', url, '--schema', V2, '--format', 'json']);
    expect(refused.code).toBe(1);
    const lacks = server.lacks(db, account);
    expect(refused.stderr).toMatch(/lacks privileges expand needs; nothing was changed/);
    expect(refused.stderr).toMatch(lacks.people);
    expect(refused.stderr).toMatch(lacks.hosts);
    for (const fix of lacks.fixes) expect(refused.stderr).toMatch(fix);
    expect(await server.dump(db.url)).toBe(before);

    await server.admin(db, fixesIn(refused));
    const applied = await runCli(['expand', '--url', url, '--schema', V2]);
    expect(applied.stderr).not.toMatch(/error/);
    expect(applied.code).toBe(0);
    expect(await server.dump(db.url)).toMatch(/rack/);
  });

  /** Expand as the account is refused with what it lacks and the GRANT, changing nothing; after the GRANT it runs. */
  async function refusedUntilGranted(db: ScratchDatabase, url: string, schema: string, expected: { lacks: RegExp; fix: RegExp }) {
    const before = await server.dump(db.url);
    const refused = await runCli(['expand', '--url', url, '--schema', schema, '--format', 'json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(expected.lacks);
    expect(refused.stderr).toMatch(expected.fix);
    expect(await server.dump(db.url)).toBe(before);

    await server.admin(db, fixesIn(refused));
    const applied = await runCli(['expand', '--url', url, '--schema', schema]);
    expect(applied.stderr).not.toMatch(/error/);
    expect(applied.code).toBe(0);
  }

  it('an account that may not create the ledger is told so, with the GRANT, before anything is created', async () => {
    const { db, account, url } = await setUp('ledger');
    await refusedUntilGranted(db, url, V1, server.noLedger(db, account));
  });

  it("a type change's version schema is asked for before anything changes, with the GRANT", async () => {
    const { db, account, url } = await setUp('version');
    await server.admin(db, server.ownTables(db, account));
    expect((await runCli(['expand', '--url', url, '--schema', V1])).code).toBe(0);
    await refusedUntilGranted(db, url, V3, server.noVersionSchema(db, account));
    // The account owns what it made: the database goes before the account does.
    await db.drop();
  });
});
