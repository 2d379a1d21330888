/**
 * The same column change by pt-online-schema-change (Percona Toolkit), on MySQL and MariaDB: it
 * creates an altered empty copy of the table, triggers that keep the copy current, copies the
 * rows over in chunks sized to a time target, and renames the copy over the original. Run on a
 * fresh table of the same N rows: with nothing else running and its default settings, once in
 * each throughput round, next to dbtide's backfill (bench/throughput.ts); once under the same
 * workload with the live settings (its chunk time and pause set to dbtide's `--batch-ms` and
 * `--sleep-ms`).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Connection } from '../src/dialect.js';
import { redactText } from '../src/redact.js';
import { percentile, round, summarize } from './report.js';
import { createAccounts, scalar, type Hooks } from './hooks.js';
import { startWorkload, type IdCounter } from './workload.js';

const TOOL = 'pt-online-schema-change';
export const TABLE = 'accounts_ptosc';

/** Its defaults: a chunk takes about 0.5 s (dbtide's targetBatchMs is 500 as well), no pause. */
export const DEFAULTS = { chunkTimeS: 0.5, sleepS: 0 };

/** Where the tool's output says a stage begins. */
const STAGES: [RegExp, string][] = [
  [/^Creating new table/, 'create'],
  [/Creating triggers/, 'triggers'],
  [/Copying approximately/, 'copy'],
  [/Copied rows OK/, 'analyze'],
  [/Swapping tables/, 'swap'],
  [/Dropping old table/, 'drop-old'],
  [/Dropping triggers/, 'drop-triggers'],
  [/^Successfully altered/, 'done'],
];

export interface PtoscOptions {
  rows: number;
  clients: number;
  live: { targetBatchMs: number; sleepMs: number };
}

/** The tool's version line, or null when it is not installed or cannot start (it needs Perl's DBD::mysql). */
export function ptoscVersion(): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(TOOL, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code === 0 ? out.trim() : null));
  });
}

/** `D=db,t=table,h=host,...`: the tool's own connection syntax, from the bench database's URL. */
function dsn(url: string, table: string): string {
  const u = new URL(url);
  const parts = { D: decodeURIComponent(u.pathname.slice(1)), t: table, h: u.hostname, P: u.port || '3306', u: decodeURIComponent(u.username), p: decodeURIComponent(u.password) };
  const values = Object.entries(parts).filter(([, v]) => v !== '');
  if (values.some(([, v]) => /[,=]/.test(v))) throw new Error(`${TOOL}: a DSN value cannot hold ',' or '='`);
  return values.map(([k, v]) => `${k}=${v}`).join(',');
}

export type ToolRun = Awaited<ReturnType<typeof runTool>>;

/** One run of the tool: its stages' start times (seconds from launch) and the total. */
export async function runTool(url: string, alter: string, settings: typeof DEFAULTS, onStage: (stage: string) => void) {
  const args = [
    '--alter', alter, dsn(url, TABLE), '--execute', '--no-check-alter',
    '--chunk-time', String(settings.chunkTimeS), '--sleep', String(settings.sleepS),
    // Its defaults, stated; no replicas here, so no lag to check for.
    '--max-load', 'Threads_running=25', '--critical-load', 'Threads_running=50', '--recursion-method', 'none',
    '--progress', 'time,1',
  ];
  const started = performance.now();
  const stages: Record<string, number> = {};
  const output: string[] = [];
  const child = spawn(TOOL, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Ctrl-C drops the bench database and exits; the tool must not outlive the bench.
  const stop = () => child.kill();
  process.once('exit', stop);
  const read = (stream: NodeJS.ReadableStream) =>
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      // Its stage lines start with a timestamp.
      const text = line.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\s+/, '');
      const stage = STAGES.find(([pattern]) => pattern.test(text))?.[1];
      if (stage && stages[stage] === undefined) {
        stages[stage] = (performance.now() - started) / 1000;
        onStage(stage);
      }
    });
  read(child.stdout);
  read(child.stderr);
  let code: number | null;
  try {
    code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
  } finally {
    process.off('exit', stop);
  }
  const totalS = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${TOOL} exited with ${code}:\n${redactText(output.slice(-20).join('\n'))}`);
  if (stages.copy === undefined || stages.analyze === undefined) throw new Error(`${TOOL}: no copy stage in its output:\n${output.join('\n')}`);
  return { totalS, copyS: stages.analyze - stages.copy, stages };
}

const describeStages = (stages: Record<string, number>) => Object.fromEntries(Object.entries(stages).map(([k, s]) => [k, round(s, 3)]));

/** The change of `balance` on a fresh table with nothing else running, the table dropped afterwards; `label` names the run in the log. */
export async function ptoscQuietRun(url: string, db: Connection, on: Hooks, rows: number, label: string, log: (message: string) => void): Promise<ToolRun> {
  await createAccounts(db, on, TABLE, rows);
  await on.tidy(db, TABLE, true);
  await on.flush(db);
  const run = await runTool(url, 'MODIFY balance BIGINT', DEFAULTS, () => {});
  log(`${TOOL} balance (defaults, no workload, ${label}): ${run.totalS.toFixed(2)} s, copy ${run.copyS.toFixed(2)} s`);
  await db.query(`DROP TABLE ${TABLE}`);
  await on.tidy(db, null, false);
  await on.flush(db);
  return run;
}

/**
 * The live run under the workload, on a fresh `accounts_ptosc` dropped afterwards, and the figures
 * of `quietRuns` (ptoscQuietRun's, one per round): their medians.
 */
export async function benchPtosc(url: string, db: Connection, on: Hooks, { rows, clients, live }: PtoscOptions, quietRuns: ToolRun[], log: (message: string) => void) {
  const median = (pick: (run: ToolRun) => number) => percentile(quietRuns.map(pick), 50);
  await createAccounts(db, on, TABLE, rows);
  await on.tidy(db, TABLE, true);
  await on.flush(db);

  const ids: IdCounter = { next: rows + 1, inserted: 0 };
  const workload = await startWorkload(url, clients, rows, ids, 'ptosc:start', TABLE);
  let loaded: Awaited<ReturnType<typeof runTool>>;
  let during: Awaited<ReturnType<typeof workload.stop>>;
  try {
    const settings = { chunkTimeS: live.targetBatchMs / 1000, sleepS: live.sleepMs / 1000 };
    loaded = await runTool(url, 'MODIFY points BIGINT', settings, (stage) => (workload.phase = `ptosc:${stage}`));
  } finally {
    during = await workload.stop();
  }
  log(`${TOOL} points (live settings, under workload): ${loaded.totalS.toFixed(2)} s, copy ${loaded.copyS.toFixed(2)} s`);

  // This table's `balance` is the quiet runs' change, made on tables of their own.
  const types = await on.columnTypes(db, TABLE, ['points']);
  const count = Number(await scalar(db, `SELECT count(*) FROM ${TABLE}`));
  await db.query(`DROP TABLE ${TABLE}`);
  const dur = summarize(during.samples);
  const byStage = Object.fromEntries(
    [...new Set(during.samples.map((s) => s.phase))].map((p) => [p.replace(/^ptosc:/, ''), round(summarize(during.samples.filter((s) => s.phase === p)).p99)]),
  );
  return {
    ptosc_total_s: round(median((r) => r.totalS), 2),
    ptosc_copy_rows_per_s: Math.round(rows / median((r) => r.copyS)),
    ptosc_workload_errors: dur.errors,
    ptosc_workload_p99_during_ms: round(dur.p99),
    ptosc_max_lock_wait_ms: round(dur.max),
    ptosc_details: {
      tool: await ptoscVersion(),
      copy_s: quietRuns.map((r) => round(r.copyS, 3)),
      total_s: quietRuns.map((r) => round(r.totalS, 3)),
      stages_s: quietRuns.map((r) => describeStages(r.stages)),
      settings: DEFAULTS,
      live_total_s: round(loaded.totalS, 2),
      live_copy_s: round(loaded.copyS, 3),
      live_copy_rows_per_s: Math.round(rows / loaded.copyS),
      live_stages_s: describeStages(loaded.stages),
      live_settings: { chunkTimeS: live.targetBatchMs / 1000, sleepS: live.sleepMs / 1000 },
      workload_ops_during: dur.ops,
      workload_p50_during_ms: round(dur.p50, 3),
      workload_p99_by_stage_ms: byStage,
      slowest_op_during: dur.slowest && { kind: dur.slowest.kind, stage: dur.slowest.phase.replace(/^ptosc:/, ''), ms: round(dur.slowest.ms) },
      error_messages: Object.fromEntries([...during.errors].map(([m, n]) => [redactText(m), n])),
      verified: types === 'bigint' && count === rows + ids.inserted,
      verification: { column_types: types, row_count: count, expected_row_count: rows + ids.inserted },
    },
  };
}

export type PtoscResult = Awaited<ReturnType<typeof benchPtosc>>;
