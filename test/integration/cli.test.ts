import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPhase, planChanges } from '../../src/api.js';
import type { Dialect } from '../../src/dialect.js';
import { stepsOf } from '../../src/plan/step.js';
import { runCli } from '../support/cli.js';
import { runInProcess } from '../support/in-process-cli.js';
import { MIGRATIONS } from '../support/chain.js';
import { mysqlDump, postgresDump } from '../support/dumps.js';
import { releaseDir } from '../support/release-files.js';
import { targets, type ScratchDatabase, type ScratchTarget } from '../support/scratch-databases.js';

const FIRST = join(MIGRATIONS, '001-icehouse.ts');
const files = releaseDir();
afterAll(() => files.remove());

/** What each target is compared by, and what its URL looks like when nothing listens there. */
const PER_TARGET: Record<ScratchTarget['name'], { dump(url: string): string | Promise<string>; badUrl: string; badUrlError: RegExp }> = {
  postgres: { dump: postgresDump, badUrl: 'postgres://admin:s3cr3t-pw@127.0.0.1:1/nowhere', badUrlError: /could not connect to .*127\.0\.0\.1:1/ },
  // The embedded database has no server to miss: it stands for a URL no dialect serves.
  pglite: { dump: postgresDump, badUrl: 'mysqlx://admin:s3cr3t-pw@host/db', badUrlError: /no dialect serves the URL/ },
  mariadb: { dump: mysqlDump, badUrl: 'mysql://admin:s3cr3t-pw@127.0.0.1:1/nowhere', badUrlError: /could not connect to MySQL at 127\.0\.0\.1:1/ },
  mysql: { dump: mysqlDump, badUrl: 'mysql://admin:s3cr3t-pw@127.0.0.1:1/nowhere', badUrlError: /could not connect to MySQL at 127\.0\.0\.1:1/ },
};

/** The dialects' SQL for the same steps of the example chain. */
const SQL: Partial<Record<Dialect['name'], { createTable: RegExp; onlineIndex: RegExp; session: (ms: number) => string[]; unique: { sql: string[]; lock: string } }>> = {
  postgres: {
    session: (ms) => [`SET lock_timeout = '${ms}ms'`],
    createTable: /CREATE TABLE "instance_extra"/,
    onlineIndex: /CREATE INDEX CONCURRENTLY "instances_uuid_idx"/,
    unique: {
      sql: [
        'CREATE UNIQUE INDEX CONCURRENTLY "uniq_instances0uuid" ON "instances" ("uuid")',
        'ALTER TABLE "instances" ADD CONSTRAINT "uniq_instances0uuid" UNIQUE USING INDEX "uniq_instances0uuid"',
      ],
      lock: 'ACCESS EXCLUSIVE, brief (metadata only)',
    },
  },
  mysql: {
    // Whole seconds: 200 ms waits one.
    session: (ms) => [`SET SESSION lock_wait_timeout = ${Math.ceil(ms / 1000)}`, `SET SESSION innodb_lock_wait_timeout = ${Math.ceil(ms / 1000)}`],
    createTable: /CREATE TABLE `instance_extra`/,
    onlineIndex: /ALTER TABLE `instances` ADD INDEX `instances_uuid_idx` \(`uuid`\), ALGORITHM=INPLACE, LOCK=NONE/,
    unique: {
      sql: ['ALTER TABLE `instances` ADD CONSTRAINT `uniq_instances0uuid` UNIQUE (`uuid`), ALGORITHM=INPLACE, LOCK=NONE'],
      lock: 'ALGORITHM=INPLACE, LOCK=NONE, index built (reads and writes continue)',
    },
  },
};

/** Another schema in the database (PostgreSQL), or another database on the server (MySQL), which must be dropped. */
const OTHER_SCHEMA: Partial<Record<Dialect['name'], { create: string; drop: string | null }>> = {
  postgres: { create: 'CREATE SCHEMA', drop: null },
  mysql: { create: 'CREATE DATABASE', drop: 'DROP DATABASE IF EXISTS' },
};

describe.each(targets)('dbtide CLI on $name', (target) => {
  const sql = SQL[target.dialect.name]!;
  it('--dry-run prints the SQL and leaves the database byte for byte unchanged', async () => {
    const db = await target.create('dryrun');
    try {
      await runCli(['expand', '--url', db.url, '--schema', FIRST]);
      const second = join(MIGRATIONS, '002-juno.ts');
      const snapshot = async () => PER_TARGET[target.name].dump(db.url);
      const before = await snapshot();
      const result = await runCli(['expand', '--dry-run', '--url', db.url, '--schema', second]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(sql.createTable);
      expect(result.stdout).toMatch(sql.onlineIndex);
      // The session statements the run issues come first: a script copied from it is as bounded.
      expect(result.stdout.startsWith(`-- session\n${sql.session(target.dialect.runtime.lockWait.capMs).map((q) => `${q};\n`).join('')}`)).toBe(true);
      const refused = await runCli(['migrate', '--dry-run', '--url', db.url, '--schema', second]);
      expect(refused.stderr).toMatch(/migrate refused: expand is pending/);
      expect(await snapshot()).toEqual(before);
    } finally {
      await db.drop();
    }
  });

  it('an invalid declaration names the object and the problem, and changes nothing', async () => {
    const db = await target.create('baddecl');
    try {
      const bad = files.write(
        `bad-${target.name}.ts`,
        `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: 'bad',
  tables: {
    instances: { columns: { id: 'int', uuid: 'varchr(36)' }, primaryKey: ['id'] },
    faults: {
      columns: { id: 'int', instance_id: 'int' },
      foreignKeys: [{ columns: ['instance_id'], references: { table: 'instances', columns: ['nope'] } }],
    },
  },
});
`,
      );
      const result = await runCli(['expand', '--url', db.url, '--schema', bad]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('tables.instances.columns.uuid: unknown type "varchr(36)"');
      expect(result.stderr).toMatch(/tables\.faults\.foreignKeys\.faults_instance_id_fkey: unknown referenced column "nope"/);
      const plan = await runCli(['plan', '--url', db.url, '--schema', FIRST, '--format', 'json']);
      expect(JSON.parse(plan.stdout).steps.length).toBeGreaterThan(0);
      expect((await runCli(['status', '--url', db.url, '--schema', FIRST])).stdout).toContain('no runs recorded yet');
    } finally {
      await db.drop();
    }
  });

  // A dozen command lines, each opening the database anew: an embedded one starts up each time.
  it('check exits with the next phase: 2 expand, 3 migrate, 4 the new version may roll out, then contract, 0 up to date', async () => {
    const db = await target.create('check');
    try {
      const base = files.write(
        `base-${target.name}.ts`,
        `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: 'base',
  tables: {
    hosts: { columns: { id: 'int', name: 'varchar(64)' }, primaryKey: ['id'] },
    vms: { columns: { id: 'int', label: 'text' }, primaryKey: ['id'] },
  },
});
`,
      );
      // vms.name is filled by a backfill: a migrate step on every dialect (MySQL adds the foreign key
      // in contract, where PostgreSQL validates it in migrate).
      const next = files.write(
        `next-${target.name}.ts`,
        `import { defineSchema, fillColumn } from 'dbtide';
import base from './base-${target.name}.js';
export default defineSchema({
  extends: base,
  release: 'next',
  tables: {
    hosts: { columns: { name: { type: 'varchar(64)', nullable: false } } },
    vms: {
      columns: { host_id: 'int', name: { type: 'text', nullable: false } },
      foreignKeys: [{ columns: ['host_id'], references: { table: 'hosts', columns: ['id'] } }],
    },
  },
  transitions: [fillColumn('vms', 'name', 'label')],
});
`,
      );
      // In this process: the command line is the same, without a process start per run.
      const code = async (...args: string[]) => (await runInProcess([...args, '--url', db.url])).code;
      expect(await code('check', '--schema', base)).toBe(2);
      expect(await code('expand', '--schema', base)).toBe(0);
      expect(await code('check', '--schema', base)).toBe(0);
      expect(await code('check', '--schema', next)).toBe(2);
      const refused = await runInProcess(['migrate', '--schema', next, '--url', db.url]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/migrate refused: expand is pending/);
      expect(refused.stderr).toMatch(/run `dbtide expand` first/);
      expect(await code('expand', '--schema', next)).toBe(0);
      expect(await code('check', '--schema', next)).toBe(3);
      expect(await code('contract', '--schema', next)).toBe(1);
      expect(await code('migrate', '--schema', next)).toBe(0);
      const rollout = await runInProcess(['check', '--schema', next, '--url', db.url]);
      expect([rollout.code, rollout.stdout]).toEqual([4, 'next: the new version may roll out now; run contract once no old version runs\n']);
      expect(await code('contract', '--schema', next)).toBe(0);
      expect(await code('check', '--schema', next)).toBe(0);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it('two runs started together never interleave: the second waits, then finds nothing to do', async () => {
    const db = await target.create('concurrent');
    try {
      const planned = stepsOf((await planChanges({ url: db.url }, FIRST)).plan, 'expand').length;
      expect(planned).toBeGreaterThan(0);
      // Waits long enough for the other run on a busy machine (an embedded database is held by the whole run).
      const [a, b] = await Promise.all([
        runCli(['expand', '--url', db.url, '--schema', FIRST, '--format', 'json', '--wait', '120']),
        runCli(['expand', '--url', db.url, '--schema', FIRST, '--format', 'json', '--wait', '120']),
      ]);
      expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
      const steps = [JSON.parse(a.stdout).steps.length, JSON.parse(b.stdout).steps.length].sort((x, y) => x - y);
      expect(steps).toEqual([0, planned]);
    } finally {
      await db.drop();
    }
  });

  it('a bad URL fails clearly without printing the password', async () => {
    const { badUrl, badUrlError } = PER_TARGET[target.name];
    const result = await runCli(['plan', '--url', badUrl, '--schema', FIRST]);
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).not.toContain('s3cr3t-pw');
    expect(result.stderr).toMatch(badUrlError);
  });
});

/** A second session on the database: PGlite admits one at a time, so these run on the servers. */
describe.each(targets.filter((t) => t.name !== 'pglite'))('dbtide CLI beside other sessions on $name', (target) => {
  const sql = SQL[target.dialect.name]!;
  let db: ScratchDatabase;
  beforeAll(async () => {
    db = await target.create('cli_sessions');
  });
  afterAll(async () => db?.drop());

  it('waits for the run lock, then exits 75 naming the cause', async () => {
    const holder = await target.dialect.connect(db.url);
    try {
      expect(await target.dialect.runtime.tryRunLock({ conn: holder, connect: () => target.dialect.connect(db.url), cluster: null }, 'dbtide:run')).not.toBeNull();
      const result = await runCli(['expand', '--url', db.url, '--schema', FIRST, '--wait', '1']);
      expect(result.code).toBe(75);
      expect(result.stderr).toMatch(/another dbtide run holds the lock/);
    } finally {
      await holder.close();
    }
  });

  it('a long transaction on a table makes expand wait without queuing writers, give up at --max-blocked naming it, and a rerun then completes', async () => {
    expect((await runCli(['expand', '--url', db.url, '--schema', FIRST])).code).toBe(0);
    const juno = join(MIGRATIONS, '002-juno.ts');
    const reader = await target.dialect.connect(db.url);
    const writer = await target.dialect.connect(db.url);
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM instances');
      const result = await runCli(['expand', '--url', db.url, '--schema', juno, '--max-blocked', '1']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/expand waited \d+ s at step "[^"]+" \([^)]+\) for other sessions to release instances, and gave up/);
      expect(result.stderr).toMatch(/held by (pid|connection) \d+ \(/);
      expect(result.stderr).toMatch(/dbtide never ends a session it did not open/);
      // The application was never queued behind dbtide: a write goes through at once.
      await writer.query("INSERT INTO instances (uuid) VALUES ('still-writable')");
      await reader.query('COMMIT');
      const rerun = await runCli(['expand', '--url', db.url, '--schema', juno]);
      expect(rerun.code, rerun.stderr).toBe(0);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('contract asks for --yes before dropping tombstoned objects when not interactive', async () => {
    const kilo = join(MIGRATIONS, '003-kilo.ts');
    for (const phase of ['expand', 'migrate']) expect((await runCli([phase, '--url', db.url, '--schema', kilo])).code).toBe(0);
    const refused = await runCli(['contract', '--url', db.url, '--schema', kilo]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/would drop 1 object\(s\)[\s\S]*drop column instances\.scheduled_at/);
    expect(refused.stderr).toMatch(/--yes/);
    expect((await runCli(['contract', '--url', db.url, '--schema', kilo, '--yes'])).code).toBe(0);
  });

  it('--database-schema applies and plans within that schema (a MySQL database) only', async () => {
    const other = OTHER_SCHEMA[target.dialect.name]!;
    // Named like a scratch database, as a MySQL database beside them must be.
    const tenant = `dbtide_t_tenant_${randomBytes(3).toString('hex')}`;
    const admin = await target.dialect.connect(db.url);
    try {
      await admin.query(`${other.create} ${target.dialect.compiler.quote(tenant)}`);
      const args = ['--url', db.url, '--schema', FIRST, '--database-schema', tenant];
      expect((await runCli(['expand', ...args])).code).toBe(0);
      expect((await runCli(['check', ...args])).code).toBe(0);
      const tables = Object.keys((await target.dialect.introspect(admin, { schema: tenant })).tables);
      expect(tables).toContain('instances');
      // The database's own schema, at 003-kilo, did not move.
      expect(Object.keys((await target.dialect.introspect(admin)).tables)).toContain('instance_extra');
      expect((await runCli(['check', '--url', db.url, '--schema', join(MIGRATIONS, '003-kilo.ts')])).code).toBe(0);
    } finally {
      if (other.drop) await admin.query(`${other.drop} ${target.dialect.compiler.quote(tenant)}`);
      await admin.close();
    }
  });

  it('plan --format json and markdown describe each step', async () => {
    const liberty = join(MIGRATIONS, '004-liberty.ts');
    const json = JSON.parse((await runCli(['plan', '--url', db.url, '--schema', liberty, '--format', 'json'])).stdout);
    const unique = json.steps.find((s: { id: string }) => s.id === 'add-unique:instances.uniq_instances0uuid');
    expect(unique).toMatchObject({
      phase: 'contract',
      sql: sql.unique.sql,
      lock: sql.unique.lock,
      description: expect.stringContaining('add unique uniq_instances0uuid'),
    });
    expect(json.session).toEqual(sql.session(target.dialect.runtime.lockWait.capMs));
    expect(unique.script).toEqual(expect.arrayContaining(sql.unique.sql));
    const capped = (await runCli(['plan', '--url', db.url, '--schema', liberty, '--lock-timeout', '200'])).stdout;
    expect(capped).toContain(`  session: ${sql.session(200).join('; ')}`);
    const markdown = (await runCli(['plan', '--url', db.url, '--schema', liberty, '--format', 'markdown'])).stdout;
    expect(markdown).toMatch(/^### dbtide plan: 004-liberty/);
    expect(markdown).toMatch(/\| contract \| add unique uniq_instances0uuid/);
  });
});

describe.each(targets.filter((t) => t.name !== 'pglite'))('dbtide rollback CLI on $name', (target) => {
  it('withdraws the release last expanded, back to the one before it in migrations/: a dry run, --yes, JSON, then nothing left to do', async () => {
    const db = await target.create('cli_rollback');
    try {
      const juno = join(MIGRATIONS, '002-juno.ts');
      for (const phase of ['expand', 'migrate', 'contract'] as const) await applyPhase(phase, { url: db.url }, FIRST);
      await applyPhase('expand', { url: db.url }, juno);

      const dry = await runCli(['rollback', '--url', db.url, '--dry-run']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/Rollback of release 002-juno to 001-icehouse \(dry run: nothing was changed\)\n {2}drop index [\s\S]*drop table instance_extra\n[\s\S]* {6}DROP TABLE IF EXISTS/);
      const refused = await runCli(['rollback', '--url', db.url]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/rollback of release 002-juno to 001-icehouse would run \d+ step\(s\):[\s\S]*pass --yes/);

      const done = await runCli(['rollback', '--url', db.url, '--yes', '--format', 'json']);
      expect(done.code, done.stderr).toBe(0);
      const report = JSON.parse(done.stdout) as { from: string; to: string; dryRun: boolean; steps: { id: string }[]; remaining: unknown[] };
      expect(report).toMatchObject({ from: '002-juno', to: '001-icehouse', dryRun: false, remaining: [] });
      expect(report.steps.map((s) => s.id)).toContain('drop-table:instance_extra');
      expect((await runCli(['check', '--url', db.url, '--schema', FIRST])).code).toBe(0);
      expect((await runCli(['status', '--url', db.url, '--schema', FIRST])).stdout).toMatch(/rollback +002-juno +done +to 001-icehouse/);

      const again = await runCli(['rollback', '--url', db.url, '--yes']);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/Nothing to roll back: release 002-juno left nothing that 001-icehouse does not declare/);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
