/** `dbtide plan --dialect` and `dbtide lint` from the command line: no server is named or reached. */
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/in-process-cli.js';
import { releaseDir } from '../support/release-files.js';

const files = releaseDir();
afterAll(() => files.remove());

describe('plan --dialect', () => {
  it('plans the upgrade from a release for Db2, phase by phase, with the REORG steps it schedules', async () => {
    const run = await runInProcess(['plan', '--dialect', 'db2', '--from', 'migrations/003-kilo.ts', '--schema', 'migrations/004-liberty.ts']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Plan for release 004-liberty on Db2 11\.5 \(no server: the upgrade from release 003-kilo\)/);
    expect(run.stdout).toContain(`CALL SYSPROC.ADMIN_CMD('REORG TABLE "INSTANCES"')`);
    expect(run.stdout.indexOf('ALTER TABLE "INSTANCES" ALTER COLUMN "UUID" SET NOT NULL')).toBeLessThan(run.stdout.indexOf(`REORG TABLE "INSTANCES"`));
    expect(run.stdout.indexOf(`REORG TABLE "INSTANCES"`)).toBeLessThan(run.stdout.indexOf('ADD CONSTRAINT "UNIQ_INSTANCES0UUID" UNIQUE ("UUID")'));
  });

  it('plans a fresh install as JSON for a named server version', async () => {
    const run = await runInProcess(['plan', '--dialect', 'mysql@10.11', '--schema', 'migrations/001-icehouse.ts', '--format', 'json']);
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as { server: string; url: string; steps: { phase: string }[] };
    expect(plan).toMatchObject({ server: 'MariaDB 10.11.0', url: 'no server: a fresh install' });
    expect(new Set(plan.steps.map((s) => s.phase))).toEqual(new Set(['expand']));
  });

  it('refuses --from without --dialect, --dialect with --url, and a dialect it does not know, changing nothing', async () => {
    const from = await runInProcess(['plan', '--from', 'migrations/003-kilo.ts', '--url', 'postgres://nobody@127.0.0.1:1/none']);
    expect(from.code).toBe(1);
    expect(from.stderr).toContain('--from plans without a server, so it needs --dialect');
    const both = await runInProcess(['plan', '--dialect', 'db2', '--url', 'postgres://nobody@127.0.0.1:1/none']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--dialect plans without a server, and --url names one');
    const unknown = await runInProcess(['plan', '--dialect', 'oracle']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no dialect is named "oracle"');
  });

  it('refuses what Db2 would refuse, with the path and the fix', async () => {
    const file = files.write('uuid-key.ts', `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: 'r1',
  tables: {
    instances: { columns: { id: { type: 'int', identity: true }, uuid: 'uuid' }, primaryKey: ['id'], uniques: [{ columns: ['uuid'] }] },
  },
});
`);
    const run = await runInProcess(['plan', '--dialect', 'db2', '--schema', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('release r1 declares what Db2 11.5 does not have; nothing was changed');
    expect(run.stderr).toContain('tables.instances.columns.uuid: Db2 has no uuid type: declare native("CHAR(36)")');
    expect(run.stderr).toContain('tables.instances.uniques.instances_uuid_key: column uuid may be NULL');
  });
});

describe('lint', () => {
  it('passes the example chain on every dialect', async () => {
    const run = await runInProcess(['lint']);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('lint: 4 release(s) on PostgreSQL 17, MySQL 8.4.0, Db2 11.5: no findings\n');
    expect(run.code).toBe(0);
  });

  it('exits 1 with one line per finding, naming the file, the path and the server', async () => {
    files.write('chain/001-base.ts', `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: '001-base',
  tables: { events: { columns: { id: { type: 'int', identity: true }, at: 'timestamptz' }, primaryKey: ['id'] } },
});
`);
    const run = await runInProcess(['lint', '--dialect', 'db2,postgres', '--migrations', `${files.dir}/chain`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^\S*chain\/001-base\.ts: tables\.events\.columns\.at: Db2 has no timestamp with a time zone: declare timestamp and store UTC \(Db2 11\.5\)\n$/);
    expect(run.stderr).toBe('lint: 1 release(s) on Db2 11.5, PostgreSQL 17: 1 finding(s)\n');
  });
});
