/**
 * The contract run: the example chain up to 003-kilo, N instances with their children, then
 * 004-liberty's contract (instances.uuid NOT NULL + UNIQUE, 11 NOT NULL foreign keys to it) while
 * writers keep inserting and updating. What counts is the longest any single write waits.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import icehouse from '../migrations/001-icehouse.js';
import juno from '../migrations/002-juno.js';
import kilo from '../migrations/003-kilo.js';
import liberty from '../migrations/004-liberty.js';
import { dialectFor } from '../dialects/registry.js';
import { check, contract, expand, migrate, type Declaration } from '../src/api.js';
import { normalizeSchema } from '../src/declaration/normalize.js';
import type { Connection, Dialect } from '../src/dialect.js';
import type { RunEvent } from '../src/execute/events.js';
import { redactText } from '../src/redact.js';
import { contractSqlFor, type Session } from './contract-sql.js';
import { hooksFor, type Hooks } from './hooks.js';
import { round, summarize, type Row } from './report.js';
import { now, pick, randomId, startClientsInWorker, type Op, type Sample, type WorkloadRun } from './workload.js';

export const CONTRACT_TARGETS = { maxWriterWaitMs: 100 };

export interface ContractOptions {
  rows: number;
  clients: number;
  seconds: number;
  bufferPoolMb?: number;
}

/** The tables 004-liberty gives a foreign key to instances, read from the declaration itself. */
const CHILDREN = Object.values(normalizeSchema(liberty).model.tables)
  .filter((t) => t.foreignKeys.some((fk) => fk.referencedTable === 'instances'))
  .map((t) => t.name);

/** Child rows per instance: FK validation has 100k+ rows to check in a few tables, a few in the rest. */
const CHILD_SHARE: Record<string, number> = { block_device_mapping: 0.2, instance_metadata: 0.2, instance_system_metadata: 0.2, instance_info_caches: 0.1 };
const OTHER_CHILD_SHARE = 0.01;

/** instance_faults.code is NOT NULL without a default. */
function childInsert(dialect: Dialect, table: string, id: string, from = ''): string {
  const { uuidOf } = contractSqlFor(dialect);
  return table === 'instance_faults'
    ? `INSERT INTO instance_faults (instance_uuid, code) SELECT ${uuidOf(id)}, 500 ${from}`
    : `INSERT INTO ${dialect.compiler.quote(table)} (instance_uuid) SELECT ${uuidOf(id)} ${from}`;
}

/**
 * The writers' statements, written on the main thread, where the dialect is at hand: `updateInstance`
 * takes the state and an instance id, each of `insertChild` (one per child table) an instance id.
 */
interface Writers {
  rows: number;
  updateInstance: string;
  insertChild: string[];
  insertInstance: string;
}

function writers(dialect: Dialect, rows: number): Writers {
  const p = dialect.runtime.param;
  const sql = contractSqlFor(dialect);
  return {
    rows,
    updateInstance: `UPDATE instances SET vm_state = ${p(1)}, updated_at = now() WHERE id = ${p(2)}`,
    insertChild: CHILDREN.map((table) => childInsert(dialect, table, sql.idParam)),
    insertInstance: sql.insertInstance,
  };
}

/** Short autocommit writes touching every table contract locks: the parent, and each child. Runs in the writers' worker. */
export function writerOp({ rows, updateInstance, insertChild, insertInstance }: Writers): Op {
  const kind = pick<'insert-instance' | 'update-instance' | 'insert-child'>([
    ['update-instance', 0.4],
    ['insert-child', 0.4],
    ['insert-instance', 0.2],
  ]);
  const run = (client: Connection) => {
    switch (kind) {
      case 'update-instance':
        return client.query(updateInstance, ['active', randomId(rows)]);
      case 'insert-child':
        return client.query(insertChild[Math.floor(Math.random() * insertChild.length)]!, [randomId(rows)]);
      case 'insert-instance':
        return client.query(insertInstance);
    }
  };
  return { kind, run };
}

/** N instances and their children, as the contract run has them; the child rows it wrote. */
export async function loadInstances(dialect: Dialect, on: Hooks, db: Connection, rows: number): Promise<number> {
  const sql = contractSqlFor(dialect);
  await db.query(sql.loadInstances(await on.series(db, rows)), [rows]);
  for (const statement of sql.afterLoad) await db.query(statement, [rows]);
  let children = 0;
  for (const table of CHILDREN) {
    const n = Math.max(1, Math.round(rows * (CHILD_SHARE[table] ?? OTHER_CHILD_SHARE)));
    // Spread over all instances, so validation looks up the whole parent index, not its first pages.
    await db.query(childInsert(dialect, table, `1 + (g * 7919) % ${rows}`, await on.series(db, n)), [n]);
    children += n;
  }
  await on.tidy(db, null, true);
  await on.flush(db);
  return children;
}

interface Activity {
  at: number;
  step: string;
  /** The statement, or the precheck, dbtide was running from `at` on. */
  running: string;
}

/** What contract was doing when, from its events, to name what a slow write overlapped. */
function activityLog(started: number) {
  const log: Activity[] = [{ at: started, step: '(planning)', running: 'introspection and plan' }];
  let prechecks: string[] = [];
  let lockRetries = 0;
  const mark = (step: string, running: string) => log.push({ at: now(), step, running });
  // A precheck's event comes when its count is done: the next one starts then.
  const onEvent = (e: RunEvent) => {
    if (e.type === 'phase-start') prechecks = e.steps.flatMap((s) => s.prechecks.map((p) => `precheck: ${p.description}`));
    if ((e.type === 'phase-start' || e.type === 'precheck') && prechecks.length > 0) mark('(prechecks)', prechecks.shift()!);
    if (e.type === 'statement') mark(e.step.description, e.sql);
    if (e.type === 'lock-retry') lockRetries++;
  };
  /** A write that began while a statement waited for its lock queued behind it: the last one to start before the write. */
  const runningAt = (at: number) => log.filter((a) => a.at <= at).at(-1) ?? null;
  return { log, onEvent, runningAt, lockRetries: () => lockRetries };
}

/** One session as the server showed it at `at` (PostgreSQL's `wait` is `type:event` from pg_stat_activity, MySQL's the session's state). */
interface Seen extends Session {
  at: number;
}

/**
 * Samples every active session of the database every `everyMs`: tells a write queued behind
 * dbtide's DDL (or DDL queued behind a write) from one slowed by CPU or disk.
 */
async function watchSessions(url: string, everyMs = 10) {
  const dialect = await dialectFor(url);
  const db = await dialect.connect(url);
  const monitor = await contractSqlFor(dialect).monitor(db);
  const startBytes = await monitor.logBytes();
  const seen: Seen[] = [];
  let polls = 0;
  let running = true;
  const poll = async () => {
    while (running) {
      polls++;
      const at = now();
      seen.push(...(await monitor.sessions()).map((r) => ({ ...r, at })));
      await sleep(everyMs);
    }
  };
  const polling = poll();
  return {
    async stop() {
      running = false;
      await polling;
      const walBytes = Number((await monitor.logBytes()) - startBytes);
      await db.close();
      return { seen, polls, walBytes };
    },
  };
}

function longestLockWait(seen: Seen[]) {
  const top = seen.filter((s) => s.lock !== null).reduce<Seen | null>((a, s) => (a === null || s.ms > a.ms ? s : a), null);
  return top && { ms: round(top.ms), waiting: top.query, lock: top.lock, blockedBy: top.blockedBy };
}

/** What the server showed of one write while it ran, merged into spans of the same wait. */
function serverView(seen: Seen[], write: Sample) {
  const spans: { from_ms: number; to_ms: number; wait: string }[] = [];
  for (const s of seen.filter((s) => s.pid === write.pid && s.at >= write.at && s.at <= write.at + write.ms)) {
    const wait = s.lock ? `${s.lock} behind ${s.blockedBy}` : (s.wait ?? 'on CPU');
    const t = round(s.at - write.at, 0);
    const last = spans.at(-1);
    if (last?.wait === wait) last.to_ms = t;
    else spans.push({ from_ms: t, to_ms: t, wait });
  }
  return spans;
}

/** Contract of 004-liberty, with what it ran when and what the server showed of every session meanwhile. */
async function watchedContract(url: string) {
  const started = now();
  const ran = activityLog(started);
  const drops: string[] = [];
  const watch = await watchSessions(url);
  let watched: Awaited<ReturnType<typeof watch.stop>>;
  try {
    await contract({ url }, liberty, {
      onEvent: ran.onEvent,
      // What `--yes` does on the command line: the tombstoned index goes.
      confirm: async (steps) => {
        drops.push(...steps.filter((s) => s.operation.startsWith('drop-')).map((s) => s.description));
      },
    });
  } finally {
    watched = await watch.stop();
  }
  return { started, contractS: (now() - started) / 1000, ran, drops, ...watched };
}

/** Writers for a baseline of `seconds`, then contract under them. */
async function contractUnderWriters(url: string, { rows, clients, seconds }: ContractOptions) {
  const ops = { module: import.meta.url, name: 'writerOp', data: writers(await dialectFor(url), rows) };
  const writing = await startClientsInWorker(url, clients, 'baseline', ops);
  let contracted: Awaited<ReturnType<typeof watchedContract>>;
  let written: Awaited<ReturnType<WorkloadRun['stop']>>;
  try {
    await sleep(seconds * 1000);
    writing.phase = 'contract';
    contracted = await watchedContract(url);
  } finally {
    written = await writing.stop();
  }
  return { ...contracted, ...written };
}

/** The slowest write by what contract was running when it began, statements with their names left out. */
function maxByActivity(writes: Sample[], ran: ReturnType<typeof activityLog>) {
  const max: Record<string, number> = {};
  for (const w of writes) {
    const a = ran.runningAt(w.at);
    const key = !a ? '?' : a.step.startsWith('(') ? a.step : a.running.replace(/"[^"]*"|`[^`]*`/g, (name) => `${name[0]}…${name[0]}`);
    max[key] = round(Math.max(max[key] ?? 0, w.ms));
  }
  return max;
}

export async function benchContract(url: string, options: ContractOptions, log: (message: string) => void) {
  const { rows, clients, seconds } = options;
  const dialect = await dialectFor(url);
  const db = await dialect.connect(url);
  let childRows: number;
  try {
    for (const release of [icehouse, juno, kilo] as Declaration[]) {
      await expand({ url }, release);
      await migrate({ url }, release);
      await contract({ url }, release);
    }
    const loadStarted = now();
    childRows = await loadInstances(dialect, hooksFor(dialect), db, rows);
    log(`contract run: ${rows.toLocaleString('en-US')} instances, ${childRows.toLocaleString('en-US')} child rows in ${CHILDREN.length} tables: ${((now() - loadStarted) / 1000).toFixed(2)} s`);
    await expand({ url }, liberty);
    await migrate({ url }, liberty);
  } finally {
    await db.close();
  }

  const pool = await bufferPool(url, options.bufferPoolMb, log);
  let run: Awaited<ReturnType<typeof contractUnderWriters>>;
  try {
    run = await contractUnderWriters(url, options);
  } finally {
    await pool.restore();
  }
  log(`contract 004-liberty under ${clients} writers: ${run.contractS.toFixed(2)} s`);
  const base = summarize(run.samples.filter((s) => s.phase === 'baseline'));
  const writes = run.samples.filter((s) => s.phase === 'contract');
  const during = summarize(writes);
  const slowest = during.slowest && run.ran.runningAt(during.slowest.at);
  return {
    contract_max_writer_wait_ms: round(during.max),
    contract_writer_p99_ms: round(during.p99),
    contract_writer_baseline_max_ms: round(base.max),
    contract_writer_baseline_p99_ms: round(base.p99),
    contract_s: round(run.contractS, 3),
    contract_writer_errors: base.errors + during.errors,
    contract_verified: (await check({ url }, liberty)).next === null,
    contract_details: {
      rows,
      child_rows: childRows,
      clients,
      baseline_seconds: seconds,
      // MySQL: what the InnoDB buffer pool held during contract; an online rebuild of a table it cannot hold twice evicts the writers' pages.
      buffer_pool_mb: pool.mb,
      lock_retries: run.ran.lockRetries(),
      statements: run.ran.log.filter((a) => !a.step.startsWith('(')).length,
      dropped: run.drops,
      writes_baseline: base.ops,
      writes_during: during.ops,
      writer_p50_ms: round(during.p50, 3),
      slowest_write: during.slowest && {
        kind: during.slowest.kind,
        ms: round(during.slowest.ms),
        started_after_contract_began_s: round((during.slowest.at - run.started) / 1000, 3),
        step: slowest?.step ?? null,
        dbtide_running: slowest?.running ?? null,
        // Sampled (see server_polls_per_s), so approximate; a span with from_ms = to_ms was seen once.
        server_saw: serverView(run.seen, during.slowest),
      },
      writer_max_ms_by_activity: maxByActivity(writes, run.ran),
      longest_lock_wait: longestLockWait(run.seen),
      server_polls_per_s: Math.round(run.polls / run.contractS),
      // Writers' commits included: a commit that needs a new WAL segment waits for it to be written.
      wal_mb_during: Math.round(run.walBytes / 2 ** 20),
      error_messages: Object.fromEntries([...run.errors].map(([m, n]) => [redactText(m), n])),
    },
  };
}

/**
 * MySQL's InnoDB buffer pool, resized (a dynamic setting) for the contract run when asked, and put
 * back after; `mb` is the size contract ran with, null on PostgreSQL.
 */
async function bufferPool(url: string, wantedMb: number | undefined, log: (message: string) => void) {
  const dialect = await dialectFor(url);
  if (dialect.name !== 'mysql') {
    if (wantedMb !== undefined) throw new Error('--buffer-pool-mb sizes the InnoDB buffer pool: MySQL and MariaDB only');
    return { mb: null, restore: async () => {} };
  }
  const db = await dialect.connect(url);
  const read = async () => Number((await db.query<{ bytes: string | number }>('SELECT @@innodb_buffer_pool_size AS bytes'))[0]!.bytes);
  const resize = async (bytes: number) => {
    await db.query(`SET GLOBAL innodb_buffer_pool_size = ${bytes}`);
    // The server resizes in the background; the setting reads the new size once it is done.
    while ((await db.query<{ status: string }>("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_resize_status'")).some((r) => /started|resizing|withdrawing/i.test(String(Object.values(r)[1] ?? '')))) await sleep(200);
  };
  const before = await read();
  if (wantedMb !== undefined) {
    await resize(wantedMb * 2 ** 20);
    log(`contract run: InnoDB buffer pool ${Math.round(before / 2 ** 20)} MiB -> ${Math.round((await read()) / 2 ** 20)} MiB, put back after`);
  }
  const mb = Math.round((await read()) / 2 ** 20);
  return {
    mb,
    restore: async () => {
      try {
        if (wantedMb !== undefined) await resize(before);
      } finally {
        await db.close();
      }
    },
  };
}

export type ContractResult = Awaited<ReturnType<typeof benchContract>>;

export function contractRows(r: ContractResult): Row[] {
  const limit = CONTRACT_TARGETS.maxWriterWaitMs;
  return [
    { metric: 'contract_max_writer_wait_ms', value: r.contract_max_writer_wait_ms, target: `< ${limit}`, pass: r.contract_max_writer_wait_ms < limit },
    { metric: 'contract_writer_p99_ms', value: r.contract_writer_p99_ms },
    { metric: 'contract_writer_baseline_max_ms', value: r.contract_writer_baseline_max_ms },
    { metric: 'contract_writer_baseline_p99_ms', value: r.contract_writer_baseline_p99_ms },
    { metric: 'contract_s', value: r.contract_s },
    { metric: 'contract_writer_errors', value: r.contract_writer_errors, target: '0', pass: r.contract_writer_errors === 0 },
    { metric: 'contract_verified', value: r.contract_verified, target: 'true', pass: r.contract_verified },
  ];
}
