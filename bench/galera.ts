/**
 * `galera`: on a three-node Galera cluster of its own (what `npm run galera` starts), the longest
 * wait of one application writer per node, each inserting a row every 10 ms into a table dbtide
 * never touches, during:
 * - 004-liberty's contract at 200,000 instances (children as the `contract` part has them), run
 *   through node 1;
 * - one column change, int -> bigint of a 1M-row table: dbtide's expand, migrate and contract
 *   through node 1, then pt-online-schema-change's run of the same change on a fresh table of the
 *   same rows, in the same run.
 * The writers' waits are what total-order DDL costs every node. The cluster is stopped and removed
 * afterwards. dbtide runs as the CLI in a child process, so this process only times the writers.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectMysql } from '../dialects/mysql/driver.js';
import { mysqlDialect } from '../dialects/mysql/index.js';
import type { Connection } from '../src/dialect.js';
import { redactText } from '../src/redact.js';
import { galeraMissing, startGaleraCluster, type GaleraCluster } from '../test/support/galera-cluster.js';
import { loadInstances } from './contract.js';
import { createAccounts, hooksFor } from './hooks.js';
import { DEFAULTS as PTOSC_DEFAULTS, TABLE as PTOSC_TABLE, ptoscVersion, runTool } from './pt-osc.js';
import { percentile, round, type Row } from './report.js';

const ROOT = new URL('../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/dbtide.js');
const CHAIN = ['001-icehouse', '002-juno', '003-kilo', '004-liberty'].map((r) => join(ROOT, 'migrations', `${r}.ts`));
const INSTANCES = 200_000;
const TARGET_MS = 250;

/** The column change, as release files the CLI reads: `dbtide` in them is the running package. */
const V1 = `import { defineSchema } from 'dbtide';
export default defineSchema({ release: 'v1', tables: { accounts: { columns: { id: 'bigint', balance: 'int', points: 'int', note: 'text' }, primaryKey: ['id'] } } });
`;
const V2 = `import { changeType, defineSchema } from 'dbtide';
import v1 from './v1.ts';
export default defineSchema({ release: 'v2', extends: v1, tables: { accounts: { columns: { balance: 'bigint' } } }, transitions: [changeType('accounts', 'balance')] });
`;

export interface GaleraBenchResult {
  galera_instances: number;
  galera_column_change_rows: number;
  /** Per node, the longest insert of its writer while 004-liberty's contract ran. */
  galera_contract_writer_max_wait_ms: number[];
  galera_contract_s: number;
  galera_column_change_writer_max_wait_ms: number[];
  galera_column_change_s: number;
  galera_ptosc_writer_max_wait_ms: number[] | null;
  galera_ptosc_s: number | null;
  galera_writer_errors: number;
  galera_details: Record<string, unknown>;
}

/** What dbtide was doing from `at` on (ms, performance time): from its JSON events. */
interface Activity {
  at: number;
  doing: string;
}

/** The activity a write starting at `at` overlapped last began before it. */
const doingAt = (log: Activity[], at: number) => [...log].reverse().find((a) => a.at <= at)?.doing ?? '(before dbtide started)';

/** One writer per node: an insert every 10 ms, each timed; stopped, the longest and the errors. */
function nodeWriters(urls: string[]) {
  let running = true;
  const samples = urls.map(() => [] as { at: number; ms: number }[]);
  const errors: string[] = [];
  const loops = urls.map(async (url, node) => {
    const conn = await connectMysql(url);
    try {
      while (running) {
        const started = performance.now();
        try {
          await conn.query('INSERT INTO bench_writes (node, at) VALUES (?, NOW(3))', [node + 1]);
        } catch (error) {
          errors.push(`node${node + 1}: ${(error as Error).message}`);
        }
        samples[node]!.push({ at: started, ms: performance.now() - started });
        await sleep(10);
      }
    } finally {
      await conn.close();
    }
  });
  // Writes that began before `from` (the writers' warm-up) are left out.
  return async (log: Activity[], from: number) => {
    running = false;
    await Promise.all(loops);
    for (const [i, s] of samples.entries()) samples[i] = s.filter((w) => w.at >= from);
    const slowest = samples.map((s) => s.reduce((a, b) => (b.ms > a.ms ? b : a), { at: 0, ms: 0 }));
    return {
      max: slowest.map((w) => round(w.ms)),
      p99: samples.map((s) => round(percentile(s.map((w) => w.ms), 99))),
      writes: samples.map((s) => s.length),
      // Where each node's longest wait fell: what to make shorter.
      slowestDuring: slowest.map((w) => doingAt(log, w.at)),
      errors,
    };
  };
}

/** Runs the CLI to completion, noting in `log` each step as it starts; its output is kept for the error when it fails. */
function dbtide(args: string[], log: Activity[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    log.push({ at: performance.now(), doing: `dbtide ${args[0]}: starting, connecting, planning` });
    const child = spawn(process.execPath, [BIN, ...args, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', DATABASE_URL: '' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    createInterface({ input: child.stderr }).on('line', (line) => {
      output += `${line}\n`;
      const event = /^\{/.test(line) ? (JSON.parse(line) as { type?: string; step?: string }) : {};
      if (event.type === 'phase-start') log.push({ at: performance.now(), doing: `dbtide ${args[0]}: planned, before its first step` });
      if (event.type === 'step-start') log.push({ at: performance.now(), doing: `dbtide ${args[0]}: ${event.step}` });
      if (event.type === 'step-done') log.push({ at: performance.now(), doing: `dbtide ${args[0]}: between steps` });
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dbtide ${args[0]} exited ${code}:\n${redactText(output.slice(-3000))}`))));
  });
}

const phases = (url: string, schema: string) => ['expand', 'migrate', 'contract'].map((phase) => (log?: Activity[]) => dbtide([phase, '--url', url, '--schema', schema, '--yes'], log));

/** Runs `work` under the node writers; the writers' figures, where each node's slowest fell, and the seconds it took. */
async function underWriters(urls: string[], work: (log: Activity[]) => Promise<void>) {
  await settled(urls);
  const log: Activity[] = [];
  const stop = nodeWriters(urls);
  await sleep(500);
  const started = performance.now();
  try {
    await work(log);
  } finally {
    log.push({ at: performance.now(), doing: '(dbtide done)' });
    await sleep(500);
  }
  const seconds = (performance.now() - started) / 1000;
  return { ...(await stop(log, started)), s: round(seconds) };
}

/**
 * Waits until every node has applied all it received: a large load replicates as one write set
 * that the other nodes apply for seconds after, under flow control that stalls every writer.
 */
async function settled(urls: string[]): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const states = await Promise.all(
      urls.map((url) => onNode(url, async (c) => Object.fromEntries((await c.query<{ Variable_name: string; Value: string }>("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_recv_queue', 'wsrep_last_committed')")).map((r) => [r.Variable_name, r.Value])))),
    );
    if (states.every((s) => s.wsrep_local_recv_queue === '0' && s.wsrep_last_committed === states[0]!.wsrep_last_committed)) return sleep(1000).then(() => {});
    await sleep(200);
  }
  throw new Error('the Galera nodes did not settle within two minutes');
}

async function onNode<T>(url: string, work: (c: Connection) => Promise<T>): Promise<T> {
  const conn = await connectMysql(url);
  try {
    return await work(conn);
  } finally {
    await conn.close();
  }
}

export async function benchGalera(rows: number, log: (m: string) => void): Promise<GaleraBenchResult> {
  const missing = galeraMissing();
  if (missing) throw new Error(`the galera part needs a Galera cluster on this machine: ${missing}`);
  log('galera: starting a three-node cluster');
  const cluster: GaleraCluster = await startGaleraCluster();
  const files = mkdtempSync(join(ROOT, '.dbtide', 'bench-galera-'));
  try {
    const urls = (db: string) => cluster.nodes.map((n) => `${n.url}${db}`);
    const on = hooksFor(mysqlDialect);
    for (const db of ['bench_contract', 'bench_column']) {
      await onNode(urls('')[0]!, (c) => c.query(`CREATE DATABASE ${db}`));
      await onNode(urls(db)[0]!, (c) => c.query('CREATE TABLE bench_writes (id bigint AUTO_INCREMENT PRIMARY KEY, node int, at datetime(3))'));
    }

    // 004-liberty's contract at 200k instances.
    const contractUrl = urls('bench_contract')[0]!;
    for (const schema of CHAIN.slice(0, 3)) for (const run of phases(contractUrl, schema)) await run();
    const children = await onNode(contractUrl, (c) => loadInstances(mysqlDialect, on, c, INSTANCES));
    log(`galera: ${INSTANCES.toLocaleString('en-US')} instances, ${children.toLocaleString('en-US')} child rows`);
    const [expand, migrate, contract] = phases(contractUrl, CHAIN[3]!);
    await expand!();
    await migrate!();
    const contracted = await underWriters(urls('bench_contract'), (log) => contract!(log));
    log(`galera: 004-liberty contract ${contracted.s} s, writers' longest wait per node ${contracted.max.join(' / ')} ms, during ${contracted.slowestDuring.join(' / ')}`);

    // One column change on 1M rows: dbtide, then pt-online-schema-change on a table of its own.
    const columnUrl = urls('bench_column')[0]!;
    writeFileSync(join(files, 'v1.ts'), V1);
    writeFileSync(join(files, 'v2.ts'), V2);
    await onNode(columnUrl, (c) => createAccounts(c, on, 'accounts', rows));
    for (const run of phases(columnUrl, join(files, 'v1.ts'))) await run();
    const changed = await underWriters(urls('bench_column'), async (log) => {
      for (const run of phases(columnUrl, join(files, 'v2.ts'))) await run(log);
    });
    log(`galera: dbtide column change ${changed.s} s, writers' longest wait per node ${changed.max.join(' / ')} ms, during ${changed.slowestDuring.join(' / ')}`);
    let tool: Awaited<ReturnType<typeof underWriters>> | null = null;
    const version = await ptoscVersion();
    if (version === null) {
      log('galera: pt-online-schema-change is not installed (apt-get install percona-toolkit): its figures are left out');
    } else {
      await onNode(columnUrl, (c) => createAccounts(c, on, PTOSC_TABLE, rows));
      tool = await underWriters(urls('bench_column'), async () => void (await runTool(columnUrl, 'MODIFY balance BIGINT', PTOSC_DEFAULTS, () => {})));
      log(`galera: pt-online-schema-change ${tool.s} s, writers' longest wait per node ${tool.max.join(' / ')} ms`);
    }
    return {
      galera_instances: INSTANCES,
      galera_column_change_rows: rows,
      galera_contract_writer_max_wait_ms: contracted.max,
      galera_contract_s: contracted.s,
      galera_column_change_writer_max_wait_ms: changed.max,
      galera_column_change_s: changed.s,
      galera_ptosc_writer_max_wait_ms: tool?.max ?? null,
      galera_ptosc_s: tool?.s ?? null,
      galera_writer_errors: contracted.errors.length + changed.errors.length + (tool?.errors.length ?? 0),
      galera_details: {
        nodes: cluster.nodes.length,
        writer_p99_ms: { contract: contracted.p99, column_change: changed.p99, ptosc: tool?.p99 ?? null },
        slowest_write_during: { contract: contracted.slowestDuring, column_change: changed.slowestDuring },
        writes: { contract: contracted.writes, column_change: changed.writes, ptosc: tool?.writes ?? null },
        errors: [...contracted.errors, ...changed.errors, ...(tool?.errors ?? [])].slice(0, 10),
        ptosc: version,
      },
    };
  } finally {
    rmSync(files, { recursive: true, force: true });
    await cluster.stop();
  }
}

export function galeraRows(r: GaleraBenchResult): Row[] {
  const worst = (ms: number[]) => Math.max(...ms);
  const target = `< ${TARGET_MS} on every node${r.galera_ptosc_writer_max_wait_ms ? ', and below pt-online-schema-change' : ''}`;
  const beats = (ms: number[]) => worst(ms) < TARGET_MS && (r.galera_ptosc_writer_max_wait_ms === null || worst(ms) < worst(r.galera_ptosc_writer_max_wait_ms));
  return [
    { metric: `galera_writer_max_wait_ms, 004-liberty contract (${r.galera_instances.toLocaleString('en-US')} instances), node 1/2/3`, value: r.galera_contract_writer_max_wait_ms.join(' / '), target: `< ${TARGET_MS} on every node`, pass: worst(r.galera_contract_writer_max_wait_ms) < TARGET_MS },
    { metric: `galera_writer_max_wait_ms, int -> bigint on ${r.galera_column_change_rows.toLocaleString('en-US')} rows, dbtide, node 1/2/3`, value: r.galera_column_change_writer_max_wait_ms.join(' / '), target, pass: beats(r.galera_column_change_writer_max_wait_ms) },
    ...(r.galera_ptosc_writer_max_wait_ms ? [{ metric: 'galera_writer_max_wait_ms, same change, pt-online-schema-change, node 1/2/3', value: r.galera_ptosc_writer_max_wait_ms.join(' / ') }] : []),
    { metric: 'galera: contract s / dbtide change s / pt-online-schema-change s', value: `${r.galera_contract_s} / ${r.galera_column_change_s} / ${r.galera_ptosc_s ?? '-'}` },
    { metric: 'galera_writer_errors', value: r.galera_writer_errors, target: '0', pass: r.galera_writer_errors === 0 },
  ];
}
