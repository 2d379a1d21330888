/**
 * Malformed declarations, configurations and flags, each run as a command line against a real
 * database that holds a release already: every one must exit non-zero, name the file and the
 * place in it (or the flag), leave the database byte for byte as it was, never print the password,
 * and under --format json answer with an error object on stdout. The command lines run in this
 * process (the CLI's own entry point, minus the process start), so sixty of them stay cheap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPhase } from '../../src/api.js';
import { PHASES } from '../../src/plan/step.js';
import { mysqlDump, postgresDump } from '../support/dumps.js';
import { runInProcess as run } from '../support/in-process-cli.js';
import { releaseDir } from '../support/release-files.js';
import { noMariadb, noPostgres, scratchMariadb, scratchPostgres, type ScratchDatabase } from '../support/scratch-databases.js';

const PASSWORD = 'pw-s3cr3t';
const files = releaseDir();
afterAll(() => files.remove());

const BASE = files.write(
  '001-base.ts',
  `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: '001-base',
  tables: {
    users: { columns: { id: { type: 'int', identity: true }, name: 'text', email: 'varchar(255)', age: 'int' }, primaryKey: ['id'] },
    orders: {
      columns: { id: { type: 'int', identity: true }, user_id: 'int', amount: 'numeric(10,2)' },
      primaryKey: ['id'],
      foreignKeys: [{ columns: ['user_id'], references: { table: 'users', columns: ['id'] } }],
    },
  },
});
`,
);

interface Case {
  name: string;
  /** Files of the case, written to a folder of their own: `{{base}}` imports the applied release. */
  files?: Record<string, string>;
  /** The command line after `dbtide`; `{{url}}` is the database, `{{dir}}` the case's folder. */
  args: string[];
  env?: Record<string, string | undefined>;
  /** What the message must say: the file, and the path or flag. */
  says: (string | RegExp)[];
  /** Cases that reach the database, run on MariaDB too. */
  everyDialect?: boolean;
}

const release = (body: string, imports = '') =>
  `import { defineSchema, sql, native, renameColumn, changeType, derive, fillColumn, renameTable, dataMove } from 'dbtide';\n` +
  `import previous from '{{base}}';\n${imports}void sql; void native; void renameColumn; void changeType; void derive; void fillColumn; void renameTable; void dataMove; void previous;\n` +
  `export default defineSchema({ release: '002-next', ${body} });\n`;
const extending = (body: string) => release(`extends: previous, ${body}`);
const declares = (name: string, body: string): Case => ({ name, files: { '002-next.ts': body }, args: ['plan', '--url', '{{url}}', '--schema', '{{dir}}/002-next.ts'], says: [] });
const bad = (name: string, body: string, ...says: (string | RegExp)[]): Case => ({ ...declares(name, body), says: ['002-next.ts', ...says] });
const flag = (name: string, args: string[], ...says: (string | RegExp)[]): Case => ({ name, args, says });
const config = (name: string, source: string, ...says: (string | RegExp)[]): Case => ({
  name,
  files: { 'dbtide.config.ts': `import { defineConfig } from 'dbtide';\nvoid defineConfig;\n${source}\n` },
  args: ['plan', '--config', '{{dir}}/dbtide.config.ts', '--schema', BASE],
  says: ['dbtide.config.ts', ...says],
});
const chain = (name: string, releases: Record<string, string>, ...says: (string | RegExp)[]): Case => ({
  name,
  files: Object.fromEntries(Object.entries(releases).map(([file, body]) => [file, `import { defineSchema } from 'dbtide';\n${body}\n`])),
  args: ['plan', '--url', '{{url}}', '--config', '{{dir}}/dbtide.config.ts'],
  says,
});
const withChainConfig = (c: Case): Case => ({ ...c, files: { ...c.files, 'dbtide.config.ts': "export default { url: undefined, migrations: '.' };\n" } });

const CASES: Case[] = [
  // Keys dbtide does not know, at every level.
  bad('misspelt column key', extending("tables: { users: { columns: { nick: { type: 'text', nullabel: false } } } }"), 'tables.users.columns.nick.nullabel', 'did you mean "nullable"'),
  bad('misspelt table key', extending("tables: { orders: { foreignKey: [] } }"), 'tables.orders.foreignKey', 'did you mean "foreignKeys"'),
  bad('misspelt top-level key', extending('table: {}'), 'table:', 'did you mean "tables"'),
  bad('misspelt transitions key', extending('transition: []'), 'transition:', 'did you mean "transitions"'),
  bad('another tool\'s column key', extending("tables: { users: { columns: { nick: { type: 'text', notNull: true } } } }"), 'tables.users.columns.nick.notNull', 'nullable: false'),
  bad('misspelt index key', extending("tables: { users: { indexes: [{ colums: ['name'] }] } }"), 'tables.users.indexes[0].colums', 'did you mean "columns"'),
  bad('misspelt foreign key reference', extending("tables: { orders: { foreignKeys: [{ columns: ['user_id'], reference: { table: 'users', columns: ['id'] } }] } }"), 'tables.orders.foreignKeys[0].reference', 'did you mean "references"'),
  bad('misspelt derive option', extending("tables: { users: { columns: { full: 'text' } } }, transitions: [{ ...derive('users', { forward: { full: 'name' } }), retire: ['name'] }]"), 'transitions[0].retire', 'did you mean "retires"'),
  // Values of the wrong kind.
  bad('type is a number', extending("tables: { users: { columns: { nick: { type: 42 } } } }"), 'tables.users.columns.nick.type', 'got number 42'),
  bad('unknown type name', extending("tables: { users: { columns: { nick: 'varchr(10)' } } }"), 'tables.users.columns.nick', 'varchr'),
  bad('varchar without length', extending("tables: { users: { columns: { nick: 'varchar' } } }"), 'tables.users.columns.nick', 'length'),
  bad('empty native type', extending("tables: { users: { columns: { nick: { type: native(' ') } } } }"), 'tables.users.columns.nick.type.native', 'must not be empty'),
  bad('unknown identity value', extending("tables: { users: { columns: { seq: { type: 'int', identity: 'sometimes' } } } }"), 'tables.users.columns.seq.identity'),
  bad('boolean default on an int', extending("tables: { users: { columns: { flag: { type: 'int', default: true } } } }"), 'tables.users.columns.flag', 'boolean'),
  bad('word default on an int', extending("tables: { users: { columns: { n: { type: 'int', default: 'many' } } } }"), 'tables.users.columns.n', 'not a number'),
  bad('empty SQL default', extending("tables: { users: { columns: { n: { type: 'int', default: sql('') } } } }"), 'tables.users.columns.n.default.sql'),
  bad('nullable is a string', extending("tables: { users: { columns: { n: { type: 'int', nullable: 'no' } } } }"), 'tables.users.columns.n.nullable', 'true or false'),
  bad('columns is a list', extending("tables: { users: { columns: ['a', 'b'] } }"), 'tables.users.columns', 'an array'),
  bad('empty release name', release('tables: {}').replace("release: '002-next', ", "release: '', "), 'release', 'must not be empty'),
  bad('release name missing', release('tables: {}').replace("release: '002-next', ", ''), 'release', 'is required'),
  bad('extends is not a release', release('extends: {}, tables: {}'), 'extends', 'previous release'),
  bad('extends and follows both', release("extends: previous, follows: '001-base'"), 'follows'),
  // Keys, indexes and constraints that do not add up.
  bad('primary key of an unknown column', extending("tables: { things: { columns: { a: 'int' }, primaryKey: ['b'] } }"), 'tables.things.primaryKey', 'unknown column "b"'),
  bad('empty unique column list', extending("tables: { users: { uniques: [{ columns: [] }] } }"), 'tables.users.uniques[0].columns', 'must not be empty'),
  bad('index of an unknown column', extending("tables: { users: { indexes: [{ columns: ['nmae'] }] } }"), 'tables.users.indexes', 'unknown column "nmae"'),
  bad('one index name twice', extending("tables: { users: { indexes: [{ name: 'ix', columns: ['name'] }, { name: 'ix', columns: ['email'] }] } }"), 'tables.users.indexes.ix', 'declared twice'),
  bad('foreign key to an unknown table', extending("tables: { orders: { foreignKeys: [{ columns: ['user_id'], references: { table: 'people', columns: ['id'] } }] } }"), 'tables.orders.foreignKeys', 'unknown table "people"'),
  // What a foreign key may reference and which types may meet are the server's rules: plan refuses, naming the release.
  { ...declares('foreign key to columns without a key', extending("tables: { orders: { foreignKeys: [{ columns: ['user_id'], references: { table: 'users', columns: ['age'] } }] } }")), says: ['release 002-next', 'tables.orders.foreignKeys', 'neither the primary key'] },
  { ...declares('foreign key between types', extending("tables: { orders: { columns: { user_id: 'text' } } }")), says: ['release 002-next', 'tables.orders.foreignKeys', 'is text but the referenced users.id is int'] },
  bad('unknown referential action', extending("tables: { orders: { foreignKeys: [{ columns: ['user_id'], references: { table: 'users', columns: ['id'] }, onDelete: 'delete' }] } }"), 'tables.orders.foreignKeys[0].onDelete'),
  bad('empty check expression', extending("tables: { users: { checks: [{ expression: ' ' }] } }"), 'tables.users.checks[0].expression'),
  bad('overlong check name', extending(`tables: { users: { checks: [{ name: '${'c'.repeat(64)}', expression: 'age > 0' }] } }`), 'tables.users.checks', '64 bytes'),
  bad('reserved table name', extending("tables: { _dbtide_mine: { columns: { a: 'int' } } }"), 'tables._dbtide_mine', 'reserved'),
  bad('table without columns', extending('tables: { empty: {} }'), 'tables.empty.columns', 'at least one column'),
  bad('tombstone of a declared column', extending("tables: { users: { columns: { name: 'text' }, removed: { columns: ['name'] } } }"), 'tables.users.removed.columns', 'still declared'),
  bad('invariant without SQL', extending("invariants: { 'no orphans': ' ' }"), 'invariants', 'must not be empty'),
  // Transitions whose old side does not exist, or that change nothing.
  bad('rename of a column the previous release lacks', extending("tables: { users: { columns: { display: 'text' } } }, transitions: [renameColumn('users', 'nickname', 'display')]"), 'transitions[0] (rename-column)', '"nickname" is not a column of users in the previous release 001-base'),
  {
    ...bad(
      'rename of a column the live table lacks',
      release("follows: '001-base', tables: { users: { columns: { id: { type: 'int', identity: true }, name: 'text', email: 'varchar(255)', age: 'int', display: 'text' }, primaryKey: ['id'] } }, transitions: [renameColumn('users', 'nickname', 'display')]"),
      'transitions[0] (rename-column) on users reads "nickname"',
    ),
    says: ['transitions[0] (rename-column) on users reads "nickname"', 'which the live table does not have'],
    args: ['expand', '--url', '{{url}}', '--schema', '{{dir}}/002-next.ts'],
    everyDialect: true,
  },
  bad('type change without a new type', extending("transitions: [changeType('users', 'age')]"), 'transitions[0] (change-type)', 'changeType would change nothing'),
  bad('derive retiring an unknown column', extending("tables: { users: { columns: { full: 'text' } } }, transitions: [derive('users', { forward: { full: 'name' }, retires: ['nick'] })]"), 'transitions[0] (derive)', '"nick" is not a column of users'),
  bad('fill of a nullable column', extending("tables: { users: { columns: { code: 'text' } } }, transitions: [fillColumn('users', 'code', \"'x'\")]"), 'transitions[0] (fill)', 'nullable: false'),
  bad('rename of an unknown table', extending("tables: { people: { columns: { id: 'int' } } }, transitions: [renameTable('persons', 'people')]"), 'transitions[0] (rename-table)', '"persons" does not exist'),
  bad('transition of an unknown kind', extending("transitions: [{ kind: 'rename', table: 'users' }]"), 'transitions[0]', 'renameColumn'),
  bad('data move without a function', extending("transitions: [dataMove('copy', 'UPDATE users SET age = 1')]"), 'transitions[0].run', 'a function'),
  // Release files that are not releases.
  { name: 'a release file that throws', files: { '002-next.ts': "const x: number = 1;\nif (x) throw new Error('boom in the release');\nexport default x;\n" }, args: ['plan', '--url', '{{url}}', '--schema', '{{dir}}/002-next.ts'], says: [/002-next\.ts:2/, 'boom in the release'] },
  { name: 'a release file with a syntax error', files: { '002-next.ts': 'export default defineSchema({ release: \n' }, args: ['plan', '--url', '{{url}}', '--schema', '{{dir}}/002-next.ts'], says: ['002-next.ts', 'could not be loaded'] },
  { name: 'a release file without a release', files: { '002-next.ts': 'export default { tables: {} };\n' }, args: ['plan', '--url', '{{url}}', '--schema', '{{dir}}/002-next.ts'], says: ['002-next.ts', 'must default-export defineSchema'] },
  flag('--schema names a file that is no module', ['plan', '--url', '{{url}}', '--schema', '/etc/hostname'], '/etc/hostname', 'not a release file'),
  flag('--schema names no file', ['plan', '--url', '{{url}}', '--schema', '{{dir}}/nope.ts'], 'nope.ts', 'does not exist'),
  // Chains that do not link.
  withChainConfig(chain('two files declare one release', { '001-a.ts': "export default defineSchema({ release: '001', tables: {} });", '002-a.ts': "export default defineSchema({ release: '001', tables: {} });" }, '001-a.ts', '002-a.ts', 'twice')),
  withChainConfig(chain('a chain that starts twice', { '1-a.ts': "export default defineSchema({ release: '1', tables: {} });", '2-b.ts': "export default defineSchema({ release: '2', tables: {} });" }, '1-a.ts', '2-b.ts', 'starts more than once')),
  withChainConfig(chain('a chain that forks', { '1-a.ts': "export default defineSchema({ release: '1', tables: {} });", '2-b.ts': "export default defineSchema({ release: '2', follows: '1', tables: {} });", '3-c.ts': "export default defineSchema({ release: '3', follows: '1', tables: {} });" }, '2-b.ts', '3-c.ts', 'forks')),
  withChainConfig(chain('a chain with a gap', { '1-a.ts': "export default defineSchema({ release: '1', tables: {} });", '3-c.ts': "export default defineSchema({ release: '3', follows: '2', tables: {} });" }, '3-c.ts', 'gap', '"2"')),
  // Configuration.
  config('config key misspelt', "export default defineConfig({ uri: 'postgres://x@127.0.0.1/db' });", 'uri', 'did you mean "url"'),
  config('config URL is a number', 'export default defineConfig({ url: 5432 } as never);', 'url', 'got number 5432'),
  config('config folder key from another tool', "export default defineConfig({ migrationsDir: 'db' } as never);", 'migrationsDir', '`migrations:`'),
  config('config lock retries fractional', 'export default defineConfig({ lockRetries: 1.5 });', 'lockRetries', 'integer'),
  config('config max blocked negative', 'export default defineConfig({ maxBlockedSeconds: -1 });', 'maxBlockedSeconds', 'an integer >= 0'),
  config('config that throws', "throw new Error('config boom');", 'config boom'),
  config('config without a default export', 'export const url = 1;', 'export default'),
  config('config whose variable is unset', 'export default defineConfig({ url: process.env.DBTIDE_TEST_UNSET_URL });', 'process.env.DBTIDE_TEST_UNSET_URL', 'not set'),
  flag('--config names no file', ['plan', '--config', '{{dir}}/none.config.ts'], 'none.config.ts', 'does not exist'),
  // Flags.
  flag('fractional --lock-retries', ['expand', '--url', '{{url}}', '--schema', BASE, '--lock-retries', '1.5'], '--lock-retries', 'whole number'),
  flag('negative --lock-timeout', ['expand', '--url', '{{url}}', '--schema', BASE, '--lock-timeout', '-5'], '--lock-timeout'),
  flag('zero --max-rows', ['migrate', '--url', '{{url}}', '--schema', BASE, '--max-rows', '0'], '--max-rows', 'at least 1'),
  flag('--batch-ms with letters', ['migrate', '--url', '{{url}}', '--schema', BASE, '--batch-ms', '5e2x'], '--batch-ms'),
  flag('--wait that is no number', ['expand', '--url', '{{url}}', '--schema', BASE, '--wait', 'soon'], '--wait'),
  flag('--limit fractional', ['scan', '--url', '{{url}}', '--schema', BASE, '--limit', '2.5'], '--limit'),
  flag('an unknown option', ['plan', '--url', '{{url}}', '--schema', BASE, '--urll', 'x'], '--urll'),
  flag('an unknown format', ['plan', '--url', '{{url}}', '--schema', BASE, '--format', 'yaml'], '--format', 'yaml'),
  flag('an unknown --fix', ['scan', '--url', '{{url}}', '--schema', BASE, '--fix', 'drop'], '--fix', 'drop'),
  flag('--fix delete without --yes', ['scan', '--url', '{{url}}', '--schema', BASE, '--fix', 'delete'], '--fix delete', '--yes'),
  flag('--force without a reason', ['contract', '--url', '{{url}}', '--schema', BASE, '--force', ' '], '--force needs a reason'),
  flag('an empty --url', ['plan', '--url', '', '--schema', BASE], '--url is empty'),
  flag('a URL no dialect serves', ['plan', '--url', `mysqlx://admin:${PASSWORD}@127.0.0.1/db`, '--schema', BASE], 'no dialect serves the URL'),
  { ...flag('CI without a database', ['plan', '--schema', BASE], 'CI is set', '--url'), env: { CI: 'true', DATABASE_URL: undefined } },
];

const DIALECTS = [
  { name: 'postgres', create: scratchPostgres, dump: postgresDump, withPassword: (url: string) => url.replace('postgres@', `postgres:${PASSWORD}@`) },
  { name: 'mariadb', create: scratchMariadb, dump: mysqlDump, withPassword: (url: string) => url },
].filter((d) => (d.name === 'postgres' ? !noPostgres : !noMariadb));

describe.each(DIALECTS)('hostile input on $name', (dialect) => {
  let scratch: ScratchDatabase;
  let before: string;
  beforeAll(async () => {
    scratch = await dialect.create('hostile');
    for (const phase of PHASES) await applyPhase(phase, { url: scratch.url }, BASE);
    before = await dialect.dump(scratch.url);
  });
  afterAll(async () => scratch?.drop());

  const cases = CASES.filter((c) => dialect.name === 'postgres' || c.everyDialect);
  it(`holds at least 50 cases on PostgreSQL (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  it('status and check answer in one shape on every dialect: ISO times, drift as a list, markdown', async () => {
    const url = dialect.withPassword(scratch.url);
    const json = await run(['status', '--url', url, '--schema', BASE, '--format', 'json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { url: string; drift: unknown; runs: { started_at: string; finished_at: string }[] };
    expect(report.drift).toEqual([]);
    expect(report.runs.length).toBe(3);
    for (const r of report.runs) {
      expect(r.started_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(r.finished_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    const markdown = await run(['status', '--url', url, '--schema', BASE, '--format', 'markdown']);
    expect(markdown.stdout).toContain('### dbtide status: 001-base');
    expect(markdown.stdout).toContain('| 0 | 0 | 0 | up to date | 0 |');
    const check = await run(['check', '--url', url, '--schema', BASE, '--format', 'markdown']);
    expect(check.stdout.trim()).toBe('**001-base**: up to date');
    for (const out of [json, markdown, check]) expect(`${out.stdout}${out.stderr}`).not.toContain(PASSWORD);
  });

  it.each(cases)('$name: exits 1, says where, changes nothing, hides the password', async (c) => {
    const dir = releaseDir();
    try {
      for (const [name, source] of Object.entries(c.files ?? {})) {
        dir.write(name, source.replaceAll('{{base}}', BASE.replace(/\.ts$/, '.js')));
      }
      const url = dialect.withPassword(scratch.url);
      const argv = c.args.map((a) => a.replaceAll('{{url}}', url).replaceAll('{{dir}}', dir.dir));
      const text = await run(argv, c.env);
      expect(text.code, text.stderr).toBe(1);
      for (const said of c.says) expect(text.stderr).toMatch(typeof said === 'string' ? new RegExp(escape(said)) : said);
      expect(`${text.stdout}${text.stderr}`).not.toContain(PASSWORD);

      const json = await run([...argv.filter((a, i) => a !== '--format' && argv[i - 1] !== '--format'), '--format', 'json'], c.env);
      if (!argv.includes('yaml')) {
        expect(json.code).toBe(1);
        const { error } = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as { error: { message: string; exitCode: number } };
        expect(error.exitCode).toBe(1);
        expect(error.message).not.toContain(PASSWORD);
      }
      expect(await dialect.dump(scratch.url)).toBe(before);
    } finally {
      dir.remove();
    }
  });
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
