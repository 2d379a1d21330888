/**
 * `startup`: how long the CLI takes before and while it plans, as an operator runs it. The
 * compiled CLI (`npm run build`, what the package installs) against the same commands through the
 * checkout's sources compiled at every start (what the package used to install), each run in turn
 * and timed whole: `--version`, and `plan` of a database of 1,000 tables whose release declares them
 * as they are (so the plan is the comparison, not the DDL).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pull } from '../src/api.js';
import type { Dialect } from '../src/dialect.js';
import { percentile, round, type Row } from './report.js';

const TABLES = 1000;
const RUNS = 7;
const TARGETS = { versionS: 0.3, planS: 1 };

const ROOT = new URL('../', import.meta.url);
const COMPILED = [join(ROOT.pathname, 'dist/src/cli/entry.js')];
const FROM_SOURCE = ['--import', 'tsx', join(ROOT.pathname, 'src/cli/entry.ts')];

export interface StartupResult {
  startup_version_s: number;
  startup_version_from_source_s: number;
  startup_plan_1000_tables_s: number;
  startup_plan_1000_tables_from_source_s: number;
}

/** The median wall time of `node <args>`, the two commands run in turn so that drift hits both. */
function timeInTurn(a: string[], b: string[]): [number, number] {
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < RUNS; i++) {
    for (const [k, args] of [a, b].entries()) {
      const started = performance.now();
      const run = spawnSync(process.execPath, args, { cwd: ROOT.pathname, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
      times[k]!.push((performance.now() - started) / 1000);
    }
  }
  return [round(percentile(times[0], 50), 3), round(percentile(times[1], 50), 3)];
}

export async function benchStartup(url: string, dialect: Dialect, log: (line: string) => void): Promise<StartupResult> {
  log('startup: building the package (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT.pathname, stdio: 'inherit' });
  log(`startup: ${TABLES} tables`);
  const conn = await dialect.connect(url);
  try {
    const q = dialect.compiler.quote;
    for (let t = 0; t < TABLES; t += 100) {
      await conn.transaction(async () => {
        for (let i = t; i < t + 100; i++) {
          const name = `t${String(i).padStart(4, '0')}`;
          await conn.query(`CREATE TABLE ${q(name)} (${q('id')} bigint NOT NULL, ${q('name')} varchar(80), ${q('created_at')} timestamp, PRIMARY KEY (${q('id')}))`);
          await conn.query(`CREATE INDEX ${q(`${name}_name_idx`)} ON ${q(name)} (${q('name')})`);
        }
      });
    }
  } finally {
    await conn.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'dbtide-bench-startup-'));
  try {
    const release = join(dir, '001-initial.ts');
    writeFileSync(release, (await pull({ url }, { release: '001-initial' })).source);
    const [version, versionFromSource] = timeInTurn([...COMPILED, '--version'], [...FROM_SOURCE, '--version']);
    const plan = ['plan', '--url', url, '--schema', release];
    const [planned, plannedFromSource] = timeInTurn([...COMPILED, ...plan], [...FROM_SOURCE, ...plan]);
    return {
      startup_version_s: version,
      startup_version_from_source_s: versionFromSource,
      startup_plan_1000_tables_s: planned,
      startup_plan_1000_tables_from_source_s: plannedFromSource,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function startupRows(r: StartupResult): Row[] {
  return [
    { metric: 'startup_version_s', value: r.startup_version_s, target: `< ${TARGETS.versionS}`, pass: r.startup_version_s < TARGETS.versionS },
    { metric: 'startup_version_from_source_s', value: r.startup_version_from_source_s },
    { metric: 'startup_plan_1000_tables_s', value: r.startup_plan_1000_tables_s, target: `< ${TARGETS.planS}`, pass: r.startup_plan_1000_tables_s < TARGETS.planS },
    { metric: 'startup_plan_1000_tables_from_source_s', value: r.startup_plan_1000_tables_from_source_s },
  ];
}
