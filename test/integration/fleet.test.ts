import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadSchemaFile } from '../../src/declaration/load-schema.js';
import type { ScratchDatabase } from '../../src/dialect.js';
import { openDatabase } from '../../src/engine.js';
import { fleetTargets } from '../../src/fleet/catalog.js';
import { runFleetCommand, type FleetCommand } from '../../src/fleet/fleet-commands.js';
import type { FleetTarget } from '../../src/fleet/fleet-file.js';
import { exampleChain } from '../support/chain.js';
import { runCli, startCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { scratchMariadb, scratchPglite, scratchPostgres, targets as suiteTargets } from '../support/scratch-databases.js';

/** A fleet's databases: `postgres` on the server, `mariadb` on MariaDB's, one embedded; named as an operator would. */
function cells(label: string, counts: { postgres: number; mariadb: number }) {
  const scratches: ScratchDatabase[] = [];
  const targets: FleetTarget[] = [];
  beforeAll(async () => {
    const made = await inTurns(
      [
        ...Array.from({ length: counts.postgres }, (_, i) => () => scratchPostgres(`${label}${i + 1}`)),
        ...Array.from({ length: counts.mariadb }, (_, i) => () => scratchMariadb(`${label}${i + 1}`)),
        () => scratchPglite(label),
      ],
      8,
    );
    scratches.push(...made);
    targets.push(...made.map((s, i) => ({
      name: i < counts.postgres ? `pg${String(i + 1).padStart(3, '0')}` : i < counts.postgres + counts.mariadb ? `maria${i - counts.postgres + 1}` : 'embedded',
      url: s.url,
      group: i % 2 === 0 ? 'eu' : 'us',
    })));
  }, 180_000);
  afterAll(async () => {
    await inTurns(scratches.map((s) => () => s.drop()), 8);
  }, 120_000);
  return { scratches, targets };
}

/**
 * Fleets of cells as an operator runs them, on PostgreSQL, MariaDB and the embedded database: a
 * small one taken through the whole example chain, and a hundred PostgreSQL cells (with the
 * others) through the CLI. A single target's work is each phase's own, tested elsewhere.
 */
// The fleet runs on both servers: a run of one target alone (the PostgreSQL version matrix) leaves it out.
const both = ['postgres', 'mariadb'].every((name) => suiteTargets.some((t) => t.name === name));

describe.skipIf(!both)('fleet of cell databases', () => {
  const files = releaseDir();
  afterAll(() => files.remove());

  describe('through the example chain', () => {
    const { scratches, targets } = cells('fleetchain', { postgres: 8, mariadb: 2 });
    const fleetRun = async (command: FleetCommand, file: string, extra: Partial<Parameters<typeof runFleetCommand>[0]> = {}) =>
      runFleetCommand({ command, targets, declared: await loadSchemaFile(file), concurrency: 4, ...extra });

    it('takes every cell through every release; a failed precheck stops the rollout, and contract refuses until it is repaired', async () => {
      const chain = await exampleChain();
      const [icehouse, ...upgrades] = chain;
      for (const phase of ['expand', 'migrate', 'contract'] as const) {
        const run = await fleetRun(phase, icehouse!.file, { selection: { canary: 1, stages: ['eu', 'us'] } });
        expect(run.failed, JSON.stringify(run.outcomes.filter((o) => o.state === 'failed'))).toBe(0);
      }
      // A legacy cell: an instance without a uuid, which the last release's unique, NOT NULL uuid refuses.
      const legacy = scratches[4]!;
      for (const release of upgrades) {
        if (release.declared.release === '004-liberty') {
          const db = await openDatabase(legacy.url);
          await db.conn.query("INSERT INTO instances (host) VALUES ('legacy-host')");
          await db.close();
        }
        for (const phase of ['expand', 'migrate'] as const) expect((await fleetRun(phase, release.file)).failed).toBe(0);
        const contract = await fleetRun('contract', release.file, { concurrency: 2 });
        if (release.declared.release !== '004-liberty') {
          expect(contract.failed).toBe(0);
          continue;
        }
        expect(contract.outcomes.filter((o) => o.state === 'failed')).toMatchObject([{ name: 'pg005', exitCode: 1, message: expect.stringMatching(/prechecks failed; nothing was changed: .*instances\.uuid/) }]);
        expect(contract.notRun).toBeGreaterThan(0);
        expect(contract.exitCode).toBe(1);
        const checked = await fleetRun('check', release.file);
        expect(checked.distribution).toEqual({ 'contract pending': contract.notRun + 1, 'up to date': contract.ok });
        expect(checked.exitCode).toBe(4);
        // The rerun skips the cells done, and stops at the same cell.
        const again = await fleetRun('contract', release.file);
        expect(again.failed).toBe(1);
        expect(again.skipped).toBe(contract.ok);

        const db = await openDatabase(legacy.url);
        await db.conn.query("DELETE FROM instances WHERE host = 'legacy-host'");
        await db.close();
        expect((await fleetRun('contract', release.file)).failed).toBe(0);
        const done = await fleetRun('check', release.file);
        expect(done.distribution).toEqual({ 'up to date': targets.length });
        expect(done.exitCode).toBe(0);
      }
    }, 600_000);
  });

  describe('listed by a catalog database', () => {
    const { scratches, targets } = cells('fleetcatalog', { postgres: 2, mariadb: 1 });

    it('takes the targets a query on the catalog returns, with the fleet file\'s own, and refuses a row without a URL', async () => {
      const catalog = await openDatabase(scratches[0]!.url);
      try {
        await catalog.conn.query('CREATE TABLE cell_mappings (name text, url text, region text)');
        for (const t of targets.slice(1)) await catalog.conn.query('INSERT INTO cell_mappings VALUES ($1, $2, $3)', [t.name, t.url, 'eu']);
        const query = 'SELECT name, url, region AS "group" FROM cell_mappings ORDER BY name';
        const listed = await fleetTargets({ targets: [targets[0]!], catalog: { url: scratches[0]!.url, query } });
        expect(listed.map((t) => [t.name, t.group ?? null])).toEqual([[targets[0]!.name, targets[0]!.group], ...targets.slice(1).map((t) => [t.name, 'eu']).sort()]);
        const run = await runFleetCommand({ command: 'plan', targets: listed, declared: (await exampleChain())[0]!.declared });
        expect(run.ok).toBe(targets.length);
        await catalog.conn.query("INSERT INTO cell_mappings VALUES ('broken', NULL, 'eu')");
        await expect(fleetTargets({ targets: [], catalog: { url: scratches[0]!.url, query } })).rejects.toThrow(/catalog query .* is invalid:\n {2}targets\[0\]\.url: must be a non-empty string/);
      } finally {
        await catalog.close();
      }
    });
  });

  describe('of a hundred PostgreSQL cells, from the CLI', () => {
    const { targets } = cells('fleet', { postgres: 100, mariadb: 3 });

    it('contract refuses while cells are behind, --shard partitions the fleet, and a killed run resumes to completion', async () => {
      const fleetFile = files.write('fleet.json', JSON.stringify({ targets }, null, 2));
      const icehouse = (await exampleChain())[0]!.file;
      const refused = await runCli(['fleet', 'contract', '--fleet', fleetFile, '--schema', icehouse, '--yes']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`fleet contract refused: ${targets.length} target\\(s\\) are not past migrate[\\s\\S]*pg001: expand pending`));
      expect((await runCli(['fleet', 'contract', '--fleet', fleetFile, '--schema', icehouse])).stderr).toMatch(/pass --yes/);

      const shards = await Promise.all([1, 2, 3].map((i) => runCli(['fleet', 'check', '--fleet', fleetFile, '--schema', icehouse, '--shard', `${i}/3`, '--format', 'json'])));
      const lines = shards.flatMap((s) => s.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; name?: string }));
      expect(lines.filter((l) => l.type === 'target').map((l) => l.name!).sort()).toEqual(targets.map((t) => t.name).sort());
      for (const s of shards) expect(s.code).toBe(2);

      // Killed while it runs, the fleet expand resumes: the rerun finishes the rest and skips what is done.
      const run = startCli(['fleet', 'expand', '--fleet', fleetFile, '--schema', icehouse, '--concurrency', '2']);
      await run.stderrMatches(/all: \d+ target\(s\)/);
      await new Promise((r) => setTimeout(r, 2000));
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');
      const junit = files.write('fleet.xml', '');
      const rerun = await runCli(['fleet', 'expand', '--fleet', fleetFile, '--schema', icehouse, '--concurrency', '8', '--junit', junit]);
      expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
      expect(rerun.stdout).toMatch(/fleet expand: \d+ ok, 0 failed, [1-9]\d* skipped, 0 not run/);
      expect(readFileSync(junit, 'utf8')).toMatch(/<testsuite name="fleet expand" tests="104" failures="0"/);
      // Every cell is expanded. A cell whose expand the kill cut after a table was created adds
      // that table's remaining keys on the live table, in contract, as any expand would.
      const checked = await runCli(['fleet', 'check', '--fleet', fleetFile, '--schema', icehouse, '--concurrency', '8', '--format', 'json']);
      const outcomes = checked.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; state?: string; detail?: { next: string | null } });
      const nexts = outcomes.filter((o) => o.type === 'target').map((o) => o.detail!.next);
      expect(nexts).toHaveLength(targets.length);
      expect(nexts.filter((n) => n !== null && n !== 'contract')).toEqual([]);
      expect([0, 4]).toContain(checked.code);
    }, 600_000);
  });
});

/** Runs the tasks, `n` at a time, in order of the list. */
async function inTurns<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  }));
  return results;
}
