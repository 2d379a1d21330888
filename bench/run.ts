/**
 * `npm run bench -- [--url <admin url>] [--rows N] [--clients N] [--seconds S] [--batch-ms MS] [--sleep-ms MS] [--rounds N] [--only changetype|contract|startup|lockwait|replica|fleet|galera] [--buffer-pool-mb N]`
 *
 * Two parts, each in a database of its own that it drops at the end. `changetype`: online
 * int -> bigint changes of two columns of a table with N rows, `balance` with nothing else running
 * (the backfill's throughput against one UPDATE, in rounds: bench/throughput.ts), then `points` under a live workload of old and
 * new code (what the application feels, with the migrate settings an operator uses live); on
 * MySQL and MariaDB, the same changes by pt-online-schema-change (bench/pt-osc.ts) as well.
 * `contract` (bench/contract.ts): 004-liberty's contract on N instances under concurrent writers.
 * `startup` (bench/startup.ts): the compiled CLI's start and a plan of 1,000 tables, against the sources.
 * `lockwait` (bench/lockwait.ts): a writer's longest insert while expand waits behind an idle reader.
 * `replica` (bench/replica.ts): a replica's lag during a backfill, without and with --max-replica-lag, on a primary and replica of its own.
 * `galera` (bench/galera.ts, only with --only galera): writers' longest waits per node of a three-node cluster of its own.
 * The server is PostgreSQL or MySQL/MariaDB by the URL, through the dialect serving it (bench/hooks.ts
 * holds what the bench does there besides dbtide's runs). See bench/README.md.
 */
import { benchFleet, fleetRows } from './fleet.js';
import { benchGalera, galeraRows } from './galera.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { dialectFor } from '../dialects/registry.js';
import { contract, expand, migrate } from '../src/api.js';
import { defineSchema } from '../src/declaration/define-schema.js';
import { changeType } from '../src/declaration/transitions.js';
import type { Dialect } from '../src/dialect.js';
import { BACKFILL_DEFAULTS } from '../src/migrate/backfill.js';
import { redactText, redactUrl } from '../src/redact.js';
import { benchContract, contractRows } from './contract.js';
import { benchPtosc, ptoscQuietRun, ptoscVersion, type PtoscResult } from './pt-osc.js';
import { benchStartup, startupRows } from './startup.js';
import { benchLockwait, lockwaitRows } from './lockwait.js';
import { benchReplica, replicaRows } from './replica.js';
import { printTable, round, secondsSince, summarize, timed as timedStep, type Row } from './report.js';
import { hooksFor, scalar } from './hooks.js';
import { backfillTimer, throughputRound, throughputSummary, v2, type Round } from './throughput.js';
import { startWorkload, writeRoundsMs, type IdCounter, type Sample } from './workload.js';

const v3 = defineSchema({
  release: 'v3',
  extends: v2,
  tables: { accounts: { columns: { points: 'bigint' } } },
  transitions: [changeType('accounts', 'points')],
});

const TARGETS = { backfillRatio: 1.2, triggerOverhead: 1.5, p99Factor: 3, backfillVsPtosc: 1 };
/**
 * 2000 probe writes in rounds: a commit waits for a WAL flush, whose latency on a shared or
 * virtual disk swings severalfold within seconds; the least disturbed round is the write's cost.
 */
const WRITE_PROBE = { warmup: 200, rounds: 5, perRound: 400 };

const PARTS = ['changetype', 'contract', 'startup', 'lockwait', 'replica', 'fleet', 'galera'] as const;
type Part = (typeof PARTS)[number];

interface Options {
  adminUrl: string;
  parts: Part[];
  rows: number;
  clients: number;
  seconds: number;
  /** Migrate settings of the live run: short batches hold row locks briefly, pauses leave room. */
  live: { targetBatchMs: number; sleepMs: number };
  /** Throughput pairs (one UPDATE, dbtide's backfill) measured, each on fresh tables; the medians are reported. */
  rounds: number;
  /** The galera part's column change: rows of its table (1M unless --rows). */
  galeraRows: number;
  /** MySQL: the InnoDB buffer pool the contract run uses, set for it and put back after; else the server's. */
  bufferPoolMb?: number;
}

async function parseOptions(): Promise<Options> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      rows: { type: 'string' },
      clients: { type: 'string', default: '4' },
      seconds: { type: 'string', default: '5' },
      'batch-ms': { type: 'string', default: '50' },
      'sleep-ms': { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
      only: { type: 'string' },
      'buffer-pool-mb': { type: 'string' },
    },
  });
  const only = values.only as Part | undefined;
  if (only !== undefined && !PARTS.includes(only)) throw new Error(`--only must be one of ${PARTS.join(', ')}, got ${only}`);
  const positive = (name: keyof typeof values, fallback?: number) => {
    const n = Number(values[name] ?? fallback);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
    return n;
  };
  return {
    adminUrl: values.url,
    // The galera part starts a cluster of its own and takes minutes: it runs when asked for.
    parts: only ? [only] : PARTS.filter((p) => p !== 'galera'),
    galeraRows: values.rows === undefined ? 1_000_000 : positive('rows'),
    rows: positive('rows', hooksFor(await dialectFor(values.url)).defaultRows),
    clients: positive('clients'),
    seconds: positive('seconds'),
    live: { targetBatchMs: positive('batch-ms'), sleepMs: positive('sleep-ms') },
    rounds: positive('rounds'),
    ...(values['buffer-pool-mb'] === undefined ? {} : { bufferPoolMb: positive('buffer-pool-mb') }),
  };
}

const log = (message: string) => console.error(`[bench] ${message}`);
const timed = <T>(label: string, work: () => Promise<T>) => timedStep(log, label, work);

async function bench(url: string, { rows, clients, seconds, live, rounds: roundCount }: Options, ptosc: boolean, earlierRounds: Round[]) {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const dialect = await dialectFor(url);
  const on = hooksFor(dialect);
  const db = await dialect.connect(url);
  try {
    const server = String(await scalar(db, on.versionSql));

    // Throughput: the same work as a single UPDATE, as dbtide's backfill, with nothing else running.
    const last = await throughputRound(url, db, dialect, on, rows, ptosc ? () => ptoscQuietRun(url, db, on, rows, `round ${roundCount}`, log) : null, log);
    const rounds = [...earlierRounds, last];
    const throughput = throughputSummary(rounds, rows);
    const c2 = await timed('contract v2', () => contract({ url }, v2));
    // The backfill and the swap leave a dead row version per row; clean up before the live run.
    await on.tidy(db, 'accounts', true);
    await on.flush(db);

    // Both probes start right after a checkpoint, so both pay the same full-page writes.
    const probeWrites = async () => {
      await on.flush(db);
      return {
        sync: await writeRoundsMs(url, rows, { ...WRITE_PROBE, commitFlush: true }),
        async: await writeRoundsMs(url, rows, { ...WRITE_PROBE, commitFlush: false }),
      };
    };
    const writeBefore = await timed('single-row writes before expand', probeWrites);

    const ids: IdCounter = { next: rows + 1, inserted: 0 };
    const baselineRun = await startWorkload(url, clients, rows, ids, 'baseline');
    await sleep(seconds * 1000);
    const baseline = await baselineRun.stop();
    log(`baseline workload: ${baseline.samples.length.toLocaleString('en-US')} ops in ${seconds} s`);

    const liveTimer = backfillTimer();
    const onEvent = liveTimer.onEvent;
    const duringRun = await startWorkload(url, clients, rows, ids, 'expand');
    let during: { samples: Sample[]; errors: Map<string, number> };
    let phaseS: { expand: number; migrate: number };
    try {
      const e = await timed('expand v3 (points, under workload)', () => expand({ url }, v3, { onEvent }));
      duringRun.phase = 'migrate';
      const m = await timed('migrate v3 (points, live settings, under workload)', () => migrate({ url }, v3, { onEvent, backfill: live }));
      phaseS = { expand: e.s, migrate: m.s };
    } finally {
      during = await duringRun.stop();
    }
    if (liveTimer.t.s === 0) throw new Error('migrate ran no backfill step');

    // Dead rows the backfill left would make autovacuum run during the probe; the trigger's cost is what is measured.
    await on.tidy(db, 'accounts', false);
    const writeAfter = await timed('single-row writes after expand', probeWrites);

    const c = await timed('contract v3', () => contract({ url }, v3));
    // Rows the workload inserted have no balance (new code writes points only).
    const nulls = Number(await scalar(db, `SELECT count(*) FROM accounts WHERE (balance IS NULL AND id <= ${rows}) OR points IS NULL`));
    const type = await on.columnTypes(db, 'accounts', ['balance', 'points']);
    const count = Number(await scalar(db, 'SELECT count(*) FROM accounts'));
    const expectedCount = rows + ids.inserted;

    let compared: PtoscResult | null = null;
    if (ptosc) {
      // The tool's runs get what dbtide's had: one table of N rows, the same buffer pool.
      await db.query('DROP TABLE accounts');
      const quietRuns = rounds.map((r) => r.tool!);
      compared = (await timed('pt-online-schema-change under the workload', () => benchPtosc(url, db, on, { rows, clients, live }, quietRuns, log))).value;
    }

    const base = summarize(baseline.samples);
    const dur = summarize(during.samples);
    const byPhase = (phase: string) => summarize(during.samples.filter((s) => s.phase === phase));
    const errors = new Map([...baseline.errors, ...during.errors]);
    const overhead = (mode: 'sync' | 'async') => Math.min(...writeAfter.value[mode]) / Math.min(...writeBefore.value[mode]);
    const rounded = (means: number[]) => means.map((m) => round(m, 4));
    const { singleRate, backfillRate } = throughput;
    return {
      rows,
      single_update_rows_per_s: Math.round(singleRate),
      backfill_rows_per_s: Math.round(backfillRate),
      backfill_ratio: round(throughput.ratio, 3),
      trigger_write_overhead: round(overhead('sync'), 3),
      workload_p99_baseline_ms: round(base.p99),
      workload_p99_during_ms: round(dur.p99),
      workload_errors: base.errors + dur.errors,
      max_lock_wait_ms: round(dur.max),
      workload_ops_baseline: base.ops,
      workload_ops_during: dur.ops,
      verified: nulls === 0 && type === 'bigint' && count === expectedCount,
      verification: { null_values: nulls, column_types: type, row_count: count, expected_row_count: expectedCount, inserted_rows: ids.inserted },
      ...(compared && {
        ...compared,
        // dbtide's expand and migrate of balance (the rounds' median) and its contract: the same change as the tool's runs without workload.
        dbtide_total_s: round(throughput.expandMigrateS + c2.s, 2),
        backfill_vs_ptosc: round(throughput.vsTool!, 3),
      }),
      server,
      started_at: startedAt,
      duration_s: round(secondsSince(started), 1),
      backfill_settings: { throughput_run: BACKFILL_DEFAULTS, live_run: { ...BACKFILL_DEFAULTS, ...live } },
      details: {
        clients,
        baseline_seconds: seconds,
        throughput_rounds: rounds.length,
        ...throughput.perRound,
        backfill_rows: last.backfillRows,
        backfill_batches: last.batches,
        live_backfill_rows_per_s: Math.round(liveTimer.t.rows / liveTimer.t.s),
        live_backfill_s: round(liveTimer.t.s, 3),
        live_backfill_batches: liveTimer.t.batches,
        expand_s: round(phaseS.expand, 3),
        migrate_s: round(phaseS.migrate, 3),
        contract_s: round(c.s, 3),
        write_round_means_ms_before: rounded(writeBefore.value.sync),
        write_round_means_ms_after: rounded(writeAfter.value.sync),
        trigger_write_overhead_without_commit_flush: round(overhead('async'), 3),
        write_round_means_ms_before_without_commit_flush: rounded(writeBefore.value.async),
        write_round_means_ms_after_without_commit_flush: rounded(writeAfter.value.async),
        workload_p50_baseline_ms: round(base.p50, 3),
        workload_p50_during_ms: round(dur.p50, 3),
        workload_p99_expand_ms: round(byPhase('expand').p99),
        workload_p99_migrate_ms: round(byPhase('migrate').p99),
        // Reads never wait for the backfill's row locks; writes to rows of the running batch do.
        workload_p99_during_by_kind_ms: Object.fromEntries(
          (['read', 'old-update', 'new-update', 'insert'] as const).map((k) => [k, round(summarize(during.samples.filter((s) => s.kind === k)).p99)]),
        ),
        slowest_op_during: dur.slowest && { kind: dur.slowest.kind, phase: dur.slowest.phase, ms: round(dur.slowest.ms) },
        error_messages: Object.fromEntries([...errors].map(([m, n]) => [redactText(m), n])),
      },
    };
  } finally {
    await db.close();
  }
}

type Result = Awaited<ReturnType<typeof bench>>;

function tableRows(r: Result): Row[] {
  const p99Limit = TARGETS.p99Factor * r.workload_p99_baseline_ms;
  return [
    { metric: 'rows', value: r.rows },
    { metric: 'single_update_rows_per_s', value: r.single_update_rows_per_s },
    { metric: 'backfill_rows_per_s', value: r.backfill_rows_per_s },
    { metric: 'backfill_ratio', value: r.backfill_ratio, target: `>= ${TARGETS.backfillRatio}`, pass: r.backfill_ratio >= TARGETS.backfillRatio },
    { metric: 'trigger_write_overhead', value: r.trigger_write_overhead, target: `<= ${TARGETS.triggerOverhead}`, pass: r.trigger_write_overhead <= TARGETS.triggerOverhead },
    { metric: 'workload_p99_baseline_ms', value: r.workload_p99_baseline_ms },
    { metric: 'workload_p99_during_ms', value: r.workload_p99_during_ms, target: `<= ${round(p99Limit)} (3x)`, pass: r.workload_p99_during_ms <= p99Limit },
    { metric: 'workload_errors', value: r.workload_errors, target: '0', pass: r.workload_errors === 0 },
    { metric: 'max_lock_wait_ms', value: r.max_lock_wait_ms },
    { metric: 'workload_ops_baseline', value: r.workload_ops_baseline },
    { metric: 'workload_ops_during', value: r.workload_ops_during },
    { metric: 'verified', value: `${r.verified} (${r.verification.row_count.toLocaleString('en-US')} rows)`, target: 'true', pass: r.verified },
    ...(r.ptosc_details ? ptoscRows(r as Result & Comparison) : []),
    { metric: 'duration_s', value: r.duration_s },
  ];
}

type Comparison = PtoscResult & { dbtide_total_s: number; backfill_vs_ptosc: number };

/** The tool's rows: its workload errors are what it did to the application, not a target of dbtide's. */
function ptoscRows(r: Comparison): Row[] {
  const target = TARGETS.backfillVsPtosc;
  return [
    { metric: 'dbtide_total_s', value: r.dbtide_total_s },
    { metric: 'ptosc_total_s', value: r.ptosc_total_s },
    { metric: 'ptosc_copy_rows_per_s', value: r.ptosc_copy_rows_per_s },
    { metric: 'backfill_vs_ptosc', value: r.backfill_vs_ptosc, target: `>= ${target}`, pass: r.backfill_vs_ptosc >= target },
    { metric: 'ptosc_workload_p99_during_ms', value: r.ptosc_workload_p99_during_ms },
    { metric: 'ptosc_workload_errors', value: r.ptosc_workload_errors },
    { metric: 'ptosc_max_lock_wait_ms', value: r.ptosc_max_lock_wait_ms },
    { metric: 'ptosc_verified', value: r.ptosc_details.verified, target: 'true', pass: r.ptosc_details.verified },
  ];
}

/**
 * Drops the database the running part works in, for Ctrl-C: the drop its own cleanup may have
 * begun already, awaited rather than skipped (a scratch database's second drop returns at once).
 */
let dropScratch: (() => Promise<void>) | null = null;

async function inScratchDatabase<T>(dialect: Dialect, adminUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const scratch = await dialect.createScratch(adminUrl, 'bench');
  log(`database ${scratch.name}`);
  let dropping: Promise<void> | null = null;
  dropScratch = () => (dropping ??= scratch.drop());
  try {
    return await work(scratch.url);
  } finally {
    await dropScratch();
    dropScratch = null;
  }
}

/** The throughput rounds before the last, which bench() measures in its own database and goes on from. */
async function earlierRounds(dialect: Dialect, { adminUrl, rows, rounds }: Options, ptosc: boolean): Promise<Round[]> {
  const done: Round[] = [];
  for (let i = 1; i < rounds; i++) {
    log(`throughput round ${i} of ${rounds}`);
    done.push(
      await inScratchDatabase(dialect, adminUrl, async (url) => {
        const db = await dialect.connect(url);
        try {
          const on = hooksFor(dialect);
          return await throughputRound(url, db, dialect, on, rows, ptosc ? () => ptoscQuietRun(url, db, on, rows, `round ${i}`, log) : null, log);
        } finally {
          await db.close();
        }
      }),
    );
  }
  log(`throughput round ${rounds} of ${rounds}`);
  return done;
}

/** pt-online-schema-change is compared when it can run; its absence only leaves its rows out. */
async function comparisonTool(): Promise<boolean> {
  const version = await ptoscVersion();
  log(version ? `comparing with ${version}` : 'pt-online-schema-change not found (Debian: percona-toolkit): no comparison rows');
  return version !== null;
}

async function main(): Promise<void> {
  const options = await parseOptions();
  const { adminUrl, parts } = options;
  const dialect = await dialectFor(adminUrl);
  log(`server ${redactUrl(adminUrl)}, parts ${parts.join(', ')}, live migrate: targetBatchMs ${options.live.targetBatchMs}, sleepMs ${options.live.sleepMs}`);
  process.once('SIGINT', () => {
    log('interrupted; dropping the bench database');
    void (dropScratch?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
  const ptosc = hooksFor(dialect).ptosc && parts.includes('changetype') && (await comparisonTool());
  const earlier = parts.includes('changetype') ? await earlierRounds(dialect, options, ptosc) : [];
  const typeChange = parts.includes('changetype') ? await inScratchDatabase(dialect, adminUrl, (url) => bench(url, options, ptosc, earlier)) : null;
  const contracted = parts.includes('contract') ? await inScratchDatabase(dialect, adminUrl, (url) => benchContract(url, options, log)) : null;
  const started = parts.includes('startup') ? await inScratchDatabase(dialect, adminUrl, (url) => benchStartup(url, dialect, log)) : null;
  const waited = parts.includes('lockwait') ? await inScratchDatabase(dialect, adminUrl, (url) => benchLockwait(url, dialect, log)) : null;
  // On a primary and replica of its own, of the --url server's dialect: that server is not touched.
  const lagged = parts.includes('replica') ? await benchReplica(dialect, options.rows, log) : null;
  const fleet = parts.includes('fleet') ? await benchFleet(dialect, adminUrl, log) : null;
  const galera = parts.includes('galera') ? await benchGalera(options.galeraRows, log) : null;
  const file = new URL('./results/latest.json', import.meta.url);
  await mkdir(new URL('.', file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ ...typeChange, ...contracted, ...started, ...waited, ...lagged, ...fleet, ...galera }, null, 2)}\n`);
  console.log();
  printTable([...(typeChange ? tableRows(typeChange) : []), ...(contracted ? contractRows(contracted) : []), ...(started ? startupRows(started) : []), ...(waited ? lockwaitRows(waited) : []), ...(lagged ? replicaRows(lagged) : []), ...(fleet ? fleetRows(fleet) : []), ...(galera ? galeraRows(galera) : [])]);
  console.log(`\nWritten to bench/results/latest.json`);
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${redactText(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
  process.exitCode = 1;
});
