/**
 * The application side of the benchmark: clients that keep running short autocommit operations
 * while dbtide changes the tables under them. `startWorkload` is the `accounts` mix of the old and
 * the new application version; the contract run brings its own operations to `startClientsInWorker`.
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { dialectFor } from '../dialects/registry.js';
import type { Connection } from '../src/dialect.js';
import { hooksFor, scalar } from './hooks.js';

export type OpKind = 'read' | 'old-update' | 'insert' | 'new-update';

/** A read-mostly mix; every write kind is there so each branch of the dual-write trigger runs. */
const MIX: [OpKind, number][] = [
  ['read', 0.4],
  ['old-update', 0.3],
  ['insert', 0.1],
  ['new-update', 0.2],
];

export interface Sample {
  kind: string;
  /** What dbtide was doing when the operation started (`baseline`, `expand`, `migrate`, `contract`). */
  phase: string;
  /** `now()` when the operation started, to line it up with dbtide's events. */
  at: number;
  /** The server's id of the client's session, to find its waits in the server's session list. */
  pid: number;
  ms: number;
  failed: boolean;
}

/** One operation of a client: what to record it as, and the call. */
export interface Op {
  kind: string;
  run(client: Connection): Promise<unknown>;
}

/** Shared by every client of every run, so inserted ids never collide. */
export interface IdCounter {
  next: number;
  inserted: number;
}

export interface WorkloadRun {
  phase: string;
  /** Stops the clients after their current operation and returns what they recorded. */
  stop(): Promise<{ samples: Sample[]; errors: Map<string, number> }>;
}

/** Milliseconds on a clock every thread shares (`performance.now()` starts anew in each worker). */
export const now = () => performance.timeOrigin + performance.now();

export const randomId = (rows: number) => 1 + Math.floor(Math.random() * rows);
const intValue = () => Math.floor(Math.random() * 1_000_000);

/** A kind drawn by its share of the mix (shares add up to 1). */
export function pick<K>(mix: [K, number][]): K {
  let r = Math.random();
  for (const [kind, share] of mix) if ((r -= share) < 0) return kind;
  return mix[0]![0];
}

/** `p`: the dialect's parameter placeholder (`$n`, `?`). */
async function runOp(client: Connection, p: (index: number) => string, table: string, kind: OpKind, rows: number, ids: IdCounter): Promise<void> {
  switch (kind) {
    case 'read':
      await client.query(`SELECT id, points, note FROM ${table} WHERE id = ${p(1)}`, [randomId(rows)]);
      return;
    case 'old-update':
      await client.query(`UPDATE ${table} SET points = points + 1 WHERE id = ${p(1)}`, [randomId(rows)]);
      return;
    case 'new-update':
      await client.query(`UPDATE ${table} SET points = ${p(1)}, note = ${p(2)} WHERE id = ${p(3)}`, [intValue(), 'new version', randomId(rows)]);
      return;
    case 'insert':
      await client.query(`INSERT INTO ${table} (id, points, note) VALUES (${p(1)}, ${p(2)}, ${p(3)})`, [ids.next++, intValue(), 'inserted']);
      ids.inserted++;
      return;
  }
}

/** Starts the mix of old and new application code on `table` (an `accounts`, or its copy). */
export async function startWorkload(url: string, clients: number, rows: number, ids: IdCounter, phase: string, table = 'accounts'): Promise<WorkloadRun> {
  const { runtime } = await dialectFor(url);
  return startClients(url, clients, phase, () => {
    const kind = pick(MIX);
    return { kind, run: (client) => runOp(client, runtime.param, table, kind, rows, ids) };
  });
}

/** Starts `clients` connections, each running the operations `next` gives back to back until stopped. */
export async function startClients(url: string, clients: number, phase: string, next: () => Op): Promise<WorkloadRun> {
  const samples: Sample[] = [];
  const errors = new Map<string, number>();
  let running = true;
  const dialect = await dialectFor(url);
  const { sessionIdSql } = hooksFor(dialect);
  const connections = await Promise.all(Array.from({ length: clients }, () => dialect.connect(url)));
  const run: WorkloadRun = {
    phase,
    async stop() {
      running = false;
      await Promise.all(loops);
      await Promise.all(connections.map((c) => c.close().catch(() => {})));
      return { samples, errors };
    },
  };
  const loop = async (client: Connection) => {
    const pid = Number(await scalar(client, sessionIdSql));
    while (running) {
      const op = next();
      const started = now();
      const at = run.phase;
      let failed = false;
      try {
        await op.run(client);
      } catch (error) {
        failed = true;
        const message = `${op.kind}: ${(error as Error).message}`;
        errors.set(message, (errors.get(message) ?? 0) + 1);
        // A broken connection fails at once; do not spin on it.
        await sleep(10);
      }
      samples.push({ kind: op.kind, phase: at, at: started, pid, ms: now() - started, failed });
    }
  };
  const loops = connections.map(loop);
  return run;
}

/** Where a worker finds its clients' operations: `module`'s export `name`, called with `data` for each one. */
export interface OpSource {
  module: string;
  name: string;
  data: unknown;
}

/**
 * `startClients` in a worker thread: the clients' timings then leave out the main thread's own
 * stalls (dbtide's planner runs there and holds its event loop for tens of milliseconds).
 */
export async function startClientsInWorker(url: string, clients: number, phase: string, ops: OpSource): Promise<WorkloadRun> {
  // A worker does not inherit the main thread's TypeScript loader.
  const entry = new URL('./clients-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { url, clients, phase, ops } });
  await once(worker, 'message');
  let current = phase;
  return {
    get phase() {
      return current;
    },
    set phase(phase: string) {
      current = phase;
      worker.postMessage({ phase });
    },
    async stop() {
      worker.postMessage({ stop: true });
      const [result] = (await once(worker, 'message')) as [Awaited<ReturnType<WorkloadRun['stop']>>];
      await worker.terminate();
      return result;
    },
  };
}

export interface ProbeOptions {
  warmup: number;
  rounds: number;
  perRound: number;
  /** Off takes the log flush out of each commit (see `Hooks.unflushed`), leaving the server's own work on the row. */
  commitFlush: boolean;
}

/** The mean latency of each round of sequential single-row autocommit updates on one connection. */
export async function writeRoundsMs(url: string, rows: number, o: ProbeOptions): Promise<number[]> {
  const dialect = await dialectFor(url);
  const unflushed = hooksFor(dialect).unflushed;
  const client = await dialect.connect(url);
  const run = async (statements: string[]) => {
    if (!o.commitFlush) for (const sql of statements) await client.query(sql);
  };
  try {
    await run(unflushed.session);
    const write = () => client.query(`UPDATE accounts SET points = points + 1 WHERE id = ${dialect.runtime.param(1)}`, [randomId(rows)]);
    for (let i = 0; i < o.warmup; i++) await write();
    const means: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const started = performance.now();
      await run(unflushed.roundStart);
      for (let i = 0; i < o.perRound; i++) await write();
      await run(unflushed.roundEnd);
      means.push((performance.now() - started) / o.perRound);
    }
    return means;
  } finally {
    await client.close();
  }
}
