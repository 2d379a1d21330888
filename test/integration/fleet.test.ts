import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { ScratchDatabase } from '../../src/dialect.js';
import { openDatabase } from '../../src/engine.js';
import { fleetTargets } from '../../src/fleet/catalog.js';
import { runFleetCommand } from '../../src/fleet/fleet-commands.js';
import type { FleetTarget } from '../../src/fleet/fleet-file.js';
import { exampleChain, MIGRATIONS } from '../support/chain.js';
import { BIN, runCli, runCommand, startCli, type CliResult } from '../support/cli.js';
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
 * Fleets of cells as an operator runs them: a hundred PostgreSQL cells, a few MariaDB ones and an
 * embedded one, through the example chain and a release with data to move, from the CLI. A single
 * target's work is each phase's own, tested elsewhere.
 */
// The fleet runs on both servers: a run of one target alone (the PostgreSQL version matrix) leaves it out.
const both = ['postgres', 'mariadb'].every((name) => suiteTargets.some((t) => t.name === name));

/** Rows each cell holds when the data-moving release comes: memory_mb equals vcpus in every one. */
const SEEDED = 2000;

/** A release after the example chain that moves data: instances.memory_mb widened, a backfill per cell. */
const WIDEN = `import { changeType, defineSchema } from 'dbtide';
import previous from '${MIGRATIONS}/004-liberty.ts';
export default defineSchema({ release: '005-widen', extends: previous, tables: { instances: { columns: { memory_mb: 'bigint' } } }, transitions: [changeType('instances', 'memory_mb')] });
`;

type JsonLine = { type: string; name?: string; state?: string; detail?: { next?: string | null } };
const jsonLines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonLine);

describe.skipIf(!both)('fleet of cell databases', () => {
  const files = releaseDir();
  afterAll(() => files.remove());

  describe('listed by a catalog database, or by the config', () => {
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

    it('takes the fleet from dbtide.config.ts, and draws the board on a terminal', async () => {
      const project = releaseDir();
      try {
        const env = Object.fromEntries(targets.map((t, i) => [`CELL${i}_URL`, t.url!]));
        project.write('dbtide.config.ts', `import { defineConfig } from 'dbtide';
export default defineConfig({
  schema: '${MIGRATIONS}/001-icehouse.ts',
  fleet: { targets: [${targets.map((t, i) => `{ name: '${t.name}', url: process.env.CELL${i}_URL }`).join(', ')}] },
});
`);
        const checked = await runCli(['fleet', 'check'], { cwd: project.dir, env });
        expect(checked.stdout).toMatch(new RegExp(`fleet check: ${targets.length} ok[\\s\\S]*${targets.length}  expand pending`));
        expect(checked.code).toBe(2);
        // A real terminal: the board of running targets, redrawn in place, gone once they finish.
        const shell = `${process.execPath} ${BIN} fleet expand --concurrency 1 > ${project.dir}/out.txt`;
        const tty = await runCommand('script', ['-qec', shell, '/dev/null'], { cwd: project.dir, env: { ...process.env, ...env, DATABASE_URL: '', COLUMNS: '200' } });
        expect(tty.code, tty.stdout).toBe(0);
        // Redraws are throttled: a target that finishes within one may never be drawn running.
        expect(tty.stdout).toMatch(/target +phase +rows\/s +state +step[^\n]*\n {2}(pg00\d|maria1|embedded) +expand +running +\d+\/\d+ create (table|index)/);
        expect(tty.stdout).toMatch(new RegExp(`${String.fromCharCode(27)}\\[\\d+A`)); // redrawn in place
        expect(readFileSync(`${project.dir}/out.txt`, 'utf8')).toMatch(new RegExp(`^ok +pg001 .*\\n[\\s\\S]*fleet expand: ${targets.length} ok, 0 failed`));
      } finally {
        project.remove();
      }
    }, 120_000);
  });

  describe('of a hundred PostgreSQL cells, from the CLI', () => {
    const { targets } = cells('fleet', { postgres: 100, mariadb: 3 });
    const fleet = (args: string[]) => runCli(['fleet', ...args, '--fleet', files.dir + '/fleet.json', '--concurrency', '8']);
    const chain = exampleChain();
    beforeAll(() => {
      files.write('fleet.json', JSON.stringify({ targets }, null, 2));
    });
    const ok = (r: CliResult) => expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

    it('contract refuses while cells are behind, and --shard partitions the fleet', async () => {
      const icehouse = (await chain)[0]!.file;
      const refused = await fleet(['contract', '--schema', icehouse, '--yes']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`fleet contract refused: ${targets.length} target\\(s\\) are not past migrate[\\s\\S]*pg001: expand pending`));
      expect((await fleet(['contract', '--schema', icehouse])).stderr).toMatch(/pass --yes/);

      const shards = await Promise.all([1, 2, 3].map((i) => fleet(['check', '--schema', icehouse, '--shard', `${i}/3`, '--format', 'json'])));
      const names = shards.flatMap((s) => jsonLines(s.stdout).filter((l) => l.type === 'target').map((l) => l.name!));
      expect(names.sort()).toEqual(targets.map((t) => t.name).sort());
      for (const s of shards) expect(s.code).toBe(2);
    }, 300_000);

    it('takes every cell through the example chain, canary first; a killed run resumes, a failed precheck stops the rollout and contract refuses until it is repaired', async () => {
      const [icehouse, ...upgrades] = await chain;
      // Killed while it runs, the fleet expand resumes: the rerun finishes the rest and skips what is done.
      const run = startCli(['fleet', 'expand', '--fleet', files.dir + '/fleet.json', '--schema', icehouse!.file, '--canary', '1', '--stage', 'eu,us', '--concurrency', '2']);
      await run.stderrMatches(/eu: \d+ target\(s\)/);
      await new Promise((r) => setTimeout(r, 1500));
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');
      const junit = files.write('fleet.xml', '');
      const rerun = await fleet(['expand', '--schema', icehouse!.file, '--junit', junit]);
      ok(rerun);
      expect(rerun.stdout).toMatch(/fleet expand: \d+ ok, 0 failed, [1-9]\d* skipped, 0 not run/);
      expect(readFileSync(junit, 'utf8')).toMatch(/<testsuite name="fleet expand" tests="104" failures="0"/);
      ok(await fleet(['migrate', '--schema', icehouse!.file]));
      ok(await fleet(['contract', '--schema', icehouse!.file, '--yes']));

      // A legacy cell: an instance without a uuid, which the last release's unique, NOT NULL uuid refuses.
      const legacy = targets.find((t) => t.name === 'pg005')!;
      for (const release of upgrades) {
        if (release.declared.release === '004-liberty') await onCell(legacy.url!, ["INSERT INTO instances (host) VALUES ('legacy-host')"]);
        for (const phase of ['expand', 'migrate']) ok(await fleet([phase, '--schema', release.file]));
        const contract = await fleet(['contract', '--schema', release.file, '--yes', '--format', 'json']);
        if (release.declared.release !== '004-liberty') {
          ok(contract);
          continue;
        }
        const outcomes = jsonLines(contract.stdout).filter((l) => l.type === 'target');
        expect(outcomes.filter((o) => o.state === 'failed')).toMatchObject([{ name: 'pg005', exitCode: 1, message: expect.stringMatching(/prechecks failed; nothing was changed: .*instances\.uuid/) }]);
        const done = outcomes.filter((o) => o.state === 'ok').length;
        const unreached = targets.length - done - 1;
        expect(unreached).toBeGreaterThan(0);
        expect(contract.code).toBe(1);
        const checked = await fleet(['check', '--schema', release.file, '--format', 'json']);
        expect(jsonLines(checked.stdout).at(-1)).toMatchObject({ type: 'summary', distribution: { 'contract pending': unreached + 1, 'up to date': done }, exitCode: 4 });
        expect(checked.code).toBe(4);
        // The rerun skips the cells done, and stops at the same cell.
        const again = await fleet(['contract', '--schema', release.file, '--yes']);
        expect(again.stdout).toMatch(new RegExp(`fleet contract: \\d+ ok, 1 failed, ${done} skipped`));
        expect(again.stdout).toMatch(/failed: pg005: prechecks failed/);

        await onCell(legacy.url!, ["DELETE FROM instances WHERE host = 'legacy-host'"]);
        ok(await fleet(['contract', '--schema', release.file, '--yes']));
        const upToDate = await fleet(['check', '--schema', release.file]);
        ok(upToDate);
        expect(upToDate.stdout).toMatch(new RegExp(`\\s${targets.length}  up to date`));
      }
    }, 900_000);

    it('a kill -9 of the fleet run in the middle of migrate resumes to completion, nothing lost', async () => {
      const widen = files.write('005-widen.ts', WIDEN);
      await inTurns(targets.map((t) => () => onCell(t.url!, [seedRows(SEEDED)])), 8);
      ok(await fleet(['expand', '--schema', widen]));

      const run = startCli(['fleet', 'migrate', '--fleet', files.dir + '/fleet.json', '--schema', widen, '--concurrency', '4', '--batch-ms', '5', '--sleep-ms', '20', '--format', 'json']);
      await run.stderrMatches(/"type":"progress"/);
      await new Promise((r) => setTimeout(r, 3000));
      run.child.kill('SIGKILL');
      const killed = await run.done;
      expect(killed.signal).toBe('SIGKILL');
      const finished = jsonLines(killed.stdout).filter((l) => l.type === 'target').length;
      expect(finished).toBeGreaterThan(0);
      expect(finished).toBeLessThan(targets.length);

      const between = await fleet(['check', '--schema', widen, '--format', 'json']);
      expect(jsonLines(between.stdout).at(-1)).toMatchObject({ distribution: { 'migrate pending': expect.any(Number), 'contract pending': expect.any(Number) } });
      const resumed = await fleet(['migrate', '--schema', widen]);
      ok(resumed);
      expect(resumed.stdout).toMatch(/fleet migrate: \d+ ok, 0 failed, [1-9]\d* skipped, 0 not run/);
      ok(await fleet(['contract', '--schema', widen, '--yes']));
      const upToDate = await fleet(['check', '--schema', widen]);
      ok(upToDate);

      // Every cell holds its rows, each value moved.
      const counts = await inTurns(targets.map((t) => () => onCell(t.url!, ['SELECT count(*) AS n, sum(CASE WHEN memory_mb = vcpus THEN 1 ELSE 0 END) AS same FROM instances'])), 8);
      expect(new Set(counts.map((rows) => JSON.stringify(rows.map((r) => [Number(r.n), Number(r.same)]))))).toEqual(new Set([JSON.stringify([[SEEDED, SEEDED]])]));
    }, 600_000);
  });
});

/** Runs statements on a cell, returning the last one's rows. */
async function onCell(url: string, statements: string[]): Promise<Record<string, unknown>[]> {
  const db = await openDatabase(url);
  try {
    let rows: Record<string, unknown>[] = [];
    for (const sql of statements) rows = await db.conn.query<Record<string, unknown>>(sql);
    return rows;
  } finally {
    await db.close();
  }
}

/** `n` instances with memory_mb equal to vcpus, as one statement every dialect takes. */
const seedRows = (n: number) =>
  `INSERT INTO instances (uuid, host, memory_mb, vcpus) VALUES ${Array.from({ length: n }, (_, i) => `('seed-${i}', 'h', ${i}, ${i})`).join(', ')}`;

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
