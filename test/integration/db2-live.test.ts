/**
 * Db2 LUW against a real server: the example chain through every phase, the instance UUID
 * walkthrough, verify-chain and a killed backfill that resumes. It runs where DB2_URL names a
 * database (`db2://db2inst1:<password>@127.0.0.1:50000/test`; `docker compose --profile db2 up`
 * starts one, and test/support/db2-container.ts starts one with testcontainers when DB2_CONTAINER=1)
 * and the ibm_db driver is installed; elsewhere every test here is reported as skipped.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyPhase, check } from '../../src/api.js';
import { loadChain } from '../../src/declaration/load-schema.js';
import { openDatabase } from '../../src/engine.js';
import { verifyChain } from '../../src/verify/verify-chain.js';
import { seedExample } from '../../migrations/seed.js';
import type { ScratchDatabase } from '../../src/dialect.js';
import { dialectFor } from '../../dialects/registry.js';
import { runCli, startCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';

const url = inject('db2Url');
const files = releaseDir();
afterAll(() => files.remove());

describe.skipIf(!url)('Db2 LUW live', () => {
  const scratches: ScratchDatabase[] = [];
  const scratch = async (label: string) => {
    const s = await (await dialectFor(url!)).createScratch(url!, `t_${label}`);
    scratches.push(s);
    return s;
  };
  afterAll(async () => {
    await Promise.allSettled(scratches.map((s) => s.drop()));
  });

  it('runs every phase of every release of the example chain, reorganizing what contract altered, and ends up to date', async () => {
    const s = await scratch('chain');
    for (const { file, declared } of await loadChain('migrations')) {
      for (const phase of ['expand', 'migrate', 'contract'] as const) await applyPhase(phase, { url: s.url }, file, { confirm: async () => {} });
      expect((await check({ url: s.url }, file)).exitCode, declared.release).toBe(0);
    }
    const db = await openDatabase(s.url);
    try {
      const tables = Object.keys((await db.dialect.introspect(db.conn)).tables);
      const state = await db.dialect.reorgState!(db.conn, tables);
      expect(Object.entries(state).filter(([, t]) => t.pending || t.alters > 0)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 600_000);

  it('walks the instance UUID upgrade: contract refuses with counts, scan archives the offenders, contract completes, fixed_ips untouched', async () => {
    const s = await scratch('uuid');
    const chain = await loadChain('migrations');
    const kilo = chain.find((c) => c.declared.release === '003-kilo')!.file;
    const liberty = chain.find((c) => c.declared.release === '004-liberty')!.file;
    for (const phase of ['expand', 'migrate', 'contract'] as const) await applyPhase(phase, { url: s.url }, kilo, { confirm: async () => {} });
    const seeded = await seedExample(s.url, { rows: 2000, legacy: true });
    const args = ['--schema', liberty, '--url', s.url];
    expect((await runCli(['expand', ...args])).code).toBe(0);
    expect((await runCli(['migrate', ...args])).code).toBe(0);
    const refused = await runCli(['contract', ...args, '--yes']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('break "instances.uuid has no NULL"');
    expect((await runCli(['scan', ...args, '--fix', 'archive', '--yes'])).code).toBe(0);
    const contracted = await runCli(['contract', ...args, '--yes']);
    expect(contracted.stderr).toMatch(/reorganize instances/);
    expect(contracted.code).toBe(0);
    expect((await runCli(['check', ...args])).code).toBe(0);
    const db = await openDatabase(s.url);
    try {
      const [row] = await db.conn.query<{ n: number }>('SELECT COUNT(*) AS n FROM fixed_ips WHERE instance_uuid IS NULL');
      expect(Number(row!.n)).toBe(seeded.planted.fixedIpsWithoutInstance);
    } finally {
      await db.close();
    }
  }, 600_000);

  it('verify-chain proves the chain on scratch schemas of the server', async () => {
    const report = await verifyChain({ migrations: 'migrations', url: url! });
    expect(report.releases.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.release} ${c.name}: ${c.summary}`))).toEqual([]);
    expect(report.ok).toBe(true);
  }, 900_000);

  it('resumes a backfill killed mid-run, counting every row once', async () => {
    const s = await scratch('kill');
    const v1 = files.write('v1.ts', `import { defineSchema } from 'dbtide';
export default defineSchema({ release: 'v1', tables: { readings: { columns: { id: 'bigint', site: 'int', label: 'varchar(40)' }, primaryKey: ['id'] } } });
`);
    const v2 = files.write('v2.ts', `import { defineSchema, derive } from 'dbtide';
import v1 from './v1.ts';
export default defineSchema({
  release: 'v2', extends: v1,
  tables: { readings: { columns: { tag: { type: 'varchar(60)', nullable: false } } } },
  transitions: [derive('readings', { forward: { tag: "upper(label) || '#' || site" }, retires: ['label'], reads: ['label', 'site'] })],
});
`);
    await applyPhase('expand', { url: s.url }, v1);
    const db = await openDatabase(s.url);
    try {
      const rows = 50_000;
      await db.conn.query(
        `INSERT INTO readings (id, site, label) WITH g (n) AS (VALUES 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${rows}) SELECT n, MOD(n, 97), 'L' || CHAR(n) FROM g`,
      );
      await applyPhase('expand', { url: s.url }, v2);
      const run = startCli(['migrate', '--schema', v2, '--url', s.url, '--format', 'json', '--batch-ms', '20']);
      await run.stderrMatches(/"rowsDone":\d{4,}/);
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');
      const rerun = await runCli(['migrate', '--schema', v2, '--url', s.url]);
      expect(rerun.code).toBe(0);
      const [done] = await db.conn.query<{ n: number }>('SELECT SUM(rows_done) AS n FROM "_DBTIDE_BACKFILLS"');
      expect(Number(done!.n)).toBe(rows);
      const [wrong] = await db.conn.query<{ n: number }>("SELECT COUNT(*) AS n FROM readings WHERE tag IS NULL OR tag <> upper(label) || '#' || site");
      expect(Number(wrong!.n)).toBe(0);
    } finally {
      await db.close();
    }
  }, 600_000);
});
