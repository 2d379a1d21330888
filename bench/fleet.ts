/**
 * `fleet`: the wall time of `fleet expand` of the example chain's last release over 100 fresh
 * databases at concurrency 1, 4 and 8, against what operators run without it: a shell loop of
 * `dbtide expand`, one database after the other, measured in the same run on the same databases'
 * twins. Creating and dropping the databases is not timed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadSchemaFile } from '../src/declaration/load-schema.js';
import type { Dialect, ScratchDatabase } from '../src/dialect.js';
import { runFleetCommand } from '../src/fleet/fleet-commands.js';
import { round, type Row } from './report.js';

const DATABASES = 100;
const LEVELS = [1, 4, 8];
const ROOT = new URL('../', import.meta.url).pathname;
const RELEASE = join(ROOT, 'migrations/004-liberty.ts');

export interface FleetBenchResult {
  fleet_databases: number;
  fleet_expand_shell_loop_s: number;
  fleet_expand_c1_s: number;
  fleet_expand_c4_s: number;
  fleet_expand_c8_s: number;
}

async function withDatabases<T>(dialect: Dialect, adminUrl: string, label: string, work: (dbs: ScratchDatabase[]) => Promise<T>): Promise<T> {
  const dbs: ScratchDatabase[] = [];
  try {
    for (let i = 0; i < DATABASES; i++) dbs.push(await dialect.createScratch(adminUrl, `${label}${i}`));
    return await work(dbs);
  } finally {
    for (const db of dbs) await db.drop().catch(() => {});
  }
}

export async function benchFleet(dialect: Dialect, adminUrl: string, log: (m: string) => void): Promise<FleetBenchResult> {
  const declared = await loadSchemaFile(RELEASE);
  const timings: Record<string, number> = {};
  timings.loop = await withDatabases(dialect, adminUrl, 'fleet_loop', async (dbs) => {
    const started = performance.now();
    for (const db of dbs) {
      const run = spawnSync(process.execPath, [join(ROOT, 'bin/dbtide.js'), 'expand', '--url', db.url, '--schema', RELEASE], { cwd: ROOT, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`dbtide expand failed on a loop database: ${run.stderr}`);
    }
    const s = (performance.now() - started) / 1000;
    log(`shell loop of dbtide expand over ${DATABASES} databases: ${round(s, 2)} s`);
    return s;
  });
  for (const concurrency of LEVELS) {
    timings[concurrency] = await withDatabases(dialect, adminUrl, `fleet_c${concurrency}_`, async (dbs) => {
      const targets = dbs.map((db, i) => ({ name: `cell${i + 1}`, url: db.url }));
      const started = performance.now();
      const result = await runFleetCommand({ command: 'expand', targets, declared, concurrency });
      if (result.ok !== DATABASES) throw new Error(`fleet expand at concurrency ${concurrency}: ${result.failed} failed: ${result.outcomes.find((o) => o.state === 'failed')?.message}`);
      const s = (performance.now() - started) / 1000;
      log(`fleet expand over ${DATABASES} databases at concurrency ${concurrency}: ${round(s, 2)} s`);
      return s;
    });
  }
  return {
    fleet_databases: DATABASES,
    fleet_expand_shell_loop_s: round(timings.loop!, 2),
    fleet_expand_c1_s: round(timings[1]!, 2),
    fleet_expand_c4_s: round(timings[4]!, 2),
    fleet_expand_c8_s: round(timings[8]!, 2),
  };
}

export const fleetRows = (r: FleetBenchResult): Row[] => [
  { metric: `fleet_expand_shell_loop_s (${r.fleet_databases} databases, dbtide expand each)`, value: r.fleet_expand_shell_loop_s },
  { metric: 'fleet_expand_c1_s', value: r.fleet_expand_c1_s, target: '< shell loop', pass: r.fleet_expand_c1_s < r.fleet_expand_shell_loop_s },
  { metric: 'fleet_expand_c4_s', value: r.fleet_expand_c4_s, target: '< c1', pass: r.fleet_expand_c4_s < r.fleet_expand_c1_s },
  { metric: 'fleet_expand_c8_s', value: r.fleet_expand_c8_s },
];
