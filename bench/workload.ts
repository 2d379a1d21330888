/**
 * The application side of the benchmark: clients that keep reading and writing `accounts` as the
 * old and the new application version would, while dbtide changes the table under them.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export type OpKind = 'read' | 'old-update' | 'insert' | 'new-update';

/** A read-mostly mix; every write kind is there so each branch of the dual-write trigger runs. */
const MIX: [OpKind, number][] = [
  ['read', 0.4],
  ['old-update', 0.3],
  ['insert', 0.1],
  ['new-update', 0.2],
];

export interface Sample {
  kind: OpKind;
  /** What dbtide was doing when the operation started (`baseline`, `expand`, `migrate`). */
  phase: string;
  ms: number;
  failed: boolean;
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

const randomId = (rows: number) => 1 + Math.floor(Math.random() * rows);
const intValue = () => Math.floor(Math.random() * 1_000_000);

function pickKind(): OpKind {
  let r = Math.random();
  for (const [kind, share] of MIX) if ((r -= share) < 0) return kind;
  return 'read';
}

async function runOp(client: pg.Client, kind: OpKind, rows: number, ids: IdCounter): Promise<void> {
  switch (kind) {
    case 'read':
      await client.query('SELECT id, points, note FROM accounts WHERE id = $1', [randomId(rows)]);
      return;
    case 'old-update':
      await client.query('UPDATE accounts SET points = points + 1 WHERE id = $1', [randomId(rows)]);
      return;
    case 'new-update':
      await client.query('UPDATE accounts SET points = $2, note = $3 WHERE id = $1', [randomId(rows), intValue(), 'new version']);
      return;
    case 'insert':
      await client.query('INSERT INTO accounts (id, points, note) VALUES ($1, $2, $3)', [ids.next++, intValue(), 'inserted']);
      ids.inserted++;
      return;
  }
}

/** A connected client whose lost backend (e.g. the bench database dropped on Ctrl-C) fails its queries instead of crashing the process. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Starts `clients` connections, each running operations back to back until stopped. */
export async function startWorkload(url: string, clients: number, rows: number, ids: IdCounter, phase: string): Promise<WorkloadRun> {
  const samples: Sample[] = [];
  const errors = new Map<string, number>();
  let running = true;
  const connections = await Promise.all(Array.from({ length: clients }, () => connect(url)));
  const run: WorkloadRun = {
    phase,
    async stop() {
      running = false;
      await Promise.all(loops);
      await Promise.all(connections.map((c) => c.end().catch(() => {})));
      return { samples, errors };
    },
  };
  const loop = async (client: pg.Client) => {
    while (running) {
      const kind = pickKind();
      const started = performance.now();
      const at = run.phase;
      let failed = false;
      try {
        await runOp(client, kind, rows, ids);
      } catch (error) {
        failed = true;
        const message = `${kind}: ${(error as Error).message}`;
        errors.set(message, (errors.get(message) ?? 0) + 1);
        // A broken connection fails at once; do not spin on it.
        await sleep(10);
      }
      samples.push({ kind, phase: at, ms: performance.now() - started, failed });
    }
  };
  const loops = connections.map(loop);
  return run;
}

export interface ProbeOptions {
  warmup: number;
  rounds: number;
  perRound: number;
  /** Off takes the WAL flush out of each commit, leaving the server's own work on the row. */
  synchronousCommit: boolean;
}

/** The mean latency of each round of sequential single-row autocommit updates on one connection. */
export async function writeRoundsMs(url: string, rows: number, o: ProbeOptions): Promise<number[]> {
  const client = await connect(url);
  try {
    if (!o.synchronousCommit) await client.query('SET synchronous_commit = off');
    const write = () => client.query('UPDATE accounts SET points = points + 1 WHERE id = $1', [randomId(rows)]);
    for (let i = 0; i < o.warmup; i++) await write();
    const means: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const started = performance.now();
      for (let i = 0; i < o.perRound; i++) await write();
      means.push((performance.now() - started) / o.perRound);
    }
    return means;
  } finally {
    await client.end();
  }
}
