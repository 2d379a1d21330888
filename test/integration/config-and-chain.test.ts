/**
 * Which database and which release a command uses: the chain folder ordered by `extends`, the
 * config file found from any folder of a project, and the embedded database only when nothing
 * at all names a database. Run through the real CLI, in the folder an operator would be in.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseChain } from '../../src/declaration/load-schema.js';
import { runCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { noPostgres, scratchPostgres, type ScratchDatabase } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

const table = (name: string) => `${name}: { columns: { id: 'int' }, primaryKey: ['id'] }`;
const first = `import { defineSchema } from 'dbtide';\nexport default defineSchema({ release: 'initial', tables: { ${table('a')} } });\n`;
const next = (release: string, previous: string, t: string) =>
  `import { defineSchema } from 'dbtide';\nimport previous from './${previous}.js';\nexport default defineSchema({ extends: previous, release: '${release}', tables: { ${table(t)} } });\n`;

describe('a chain folder', () => {
  it('is ordered by extends, not by file name: 10-pay follows 2-rename', async () => {
    files.write('chain/1-initial.ts', first);
    files.write('chain/2-rename.ts', next('rename', '1-initial', 'b'));
    files.write('chain/10-pay.ts', next('pay', '2-rename', 'c'));
    const chain = await releaseChain(join(files.dir, 'chain'));
    expect(chain.map((r) => r.schema.release)).toEqual(['initial', 'rename', 'pay']);
  });

  it('orders releases that name their predecessor with follows', async () => {
    files.write('follows/001-base.ts', first);
    files.write('follows/002-pulled.ts', `import { defineSchema } from 'dbtide';\nexport default defineSchema({ release: 'pulled', follows: 'initial', tables: { ${table('z')} } });\n`);
    expect((await releaseChain(join(files.dir, 'follows'))).map((r) => r.schema.release)).toEqual(['initial', 'pulled']);
  });
});

describe.skipIf(noPostgres)('where the database comes from', () => {
  let scratch: ScratchDatabase;
  let project: string;
  beforeAll(async () => {
    scratch = await scratchPostgres('config');
    project = join(files.dir, 'project');
    files.write('project/db/1-initial.ts', first);
    files.write('project/db/2-rename.ts', next('rename', '1-initial', 'b'));
    files.write('project/db/10-pay.ts', next('pay', '2-rename', 'c'));
    files.write('project/dbtide.config.ts', "import { defineConfig } from 'dbtide';\nexport default defineConfig({ url: process.env.APP_DATABASE_URL, migrations: 'db' });\n");
    mkdirSync(join(project, 'src', 'jobs'), { recursive: true });
  });
  afterAll(async () => scratch?.drop());

  it('a config file that names no URL is an error naming the file and its variable, never the embedded database', async () => {
    const cwd = join(project, 'src', 'jobs');
    for (const env of [{ CI: 'true' }, { CI: '' }]) {
      const result = await runCli(['expand'], { cwd, env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${join(project, 'dbtide.config.ts')} names no database URL: it reads process.env.APP_DATABASE_URL, which is not set`);
      expect(result.stderr).not.toContain('embedded database in');
    }
    expect(existsSync(join(cwd, '.dbtide'))).toBe(false);
    expect(existsSync(join(project, '.dbtide'))).toBe(false);
  });

  it('the config is found from a subfolder, its folders are its own, and the last release is the end of the chain', async () => {
    const result = await runCli(['check', '--format', 'json'], { cwd: join(project, 'src', 'jobs'), env: { APP_DATABASE_URL: scratch.url } });
    expect(JSON.parse(result.stdout)).toMatchObject({ release: 'pay', next: 'expand' });
    expect(result.code).toBe(2);
  });

  it('--config names the file; without any config, CI refuses the embedded default and a terminal session gets it with a notice', async () => {
    const elsewhere = join(files.dir, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const viaFlag = await runCli(['check', '--config', join(project, 'dbtide.config.ts')], { cwd: elsewhere, env: { APP_DATABASE_URL: scratch.url } });
    expect(viaFlag.stdout).toContain('pay: expand pending; only the old version may run');

    const inCi = await runCli(['check', '--schema', join(project, 'db', '1-initial.ts')], { cwd: elsewhere });
    expect(inCi.code).toBe(1);
    expect(inCi.stderr).toContain('CI is set, so dbtide does not fall back to the embedded database');
    expect(existsSync(join(elsewhere, '.dbtide'))).toBe(false);

    const local = await runCli(['check', '--schema', join(project, 'db', '1-initial.ts')], { cwd: elsewhere, env: { CI: '' } });
    expect(local.stderr).toContain('using the embedded database in .dbtide/pgdata');
    expect(local.code).toBe(2);
  });
});
