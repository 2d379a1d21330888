/**
 * `lockwait`: what one application writer feels while expand adds a column behind an idle reader
 * transaction (a report left open, a stuck worker): the writer inserts every 10 ms, the reader
 * ends after `READER_S`. Measured twice in turn: expand as a plain script (and dbtide before it
 * watched lock holders) runs it, attempting at once with a 2 s cap and 10 retries, so the ALTER
 * queues for its lock, every writer behind it, for the cap of each attempt; and expand as it runs
 * by default (it waits for the reader without asking for the lock, then attempts with a short cap).
 * The figures are the longest single insert while expand runs, and the writer's stall summed over
 * the whole wait (each insert's time beyond `STALL_FROM_MS`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { expand } from '../src/api.js';
import { defineSchema } from '../src/declaration/define-schema.js';
import type { Dialect } from '../src/dialect.js';
import { round, type Row } from './report.js';

const READER_S = 3;
const WRITE_EVERY_MS = 10;
const TARGET_MS = 100;
const STALL_FROM_MS = 10;
/** The strategy this is measured against: attempt at once, 2 s per attempt, 10 retries from 250 ms. */
const PLAIN_SCRIPT = { lockTimeoutMs: 2000, retries: 10, baseBackoffMs: 250, maxBackoffMs: 10_000, waitForHolders: false };

const base = defineSchema({ release: 'lw1', tables: { items: { columns: { id: 'bigint', sku: 'varchar(20)' }, primaryKey: ['id'] } } });
const withColumn = (release: string, column: string) => defineSchema({ release, extends: base, tables: { items: { columns: { [column]: 'text' } } } });

export interface LockwaitResult {
  blocked_writer_max_wait_ms: number;
  blocked_writer_max_wait_ms_queuing: number;
  blocked_writer_stall_total_ms: number;
  blocked_writer_stall_total_ms_queuing: number;
}

interface Stall {
  max: number;
  total: number;
}

/** A writer's longest insert, and its stall in all, while `work` runs with a reader transaction open for READER_S of it. */
async function writerStall(url: string, dialect: Dialect, work: () => Promise<unknown>, firstId: number): Promise<Stall> {
  const reader = await dialect.connect(url);
  const writer = await dialect.connect(url);
  let release!: () => void;
  const open = reader.transaction(async () => {
    await reader.query('SELECT * FROM items');
    await new Promise<void>((resolve) => (release = resolve));
  });
  let writing = true;
  let worst = 0;
  let stalled = 0;
  const insert = `INSERT INTO items (id, sku) VALUES (${dialect.runtime.param(1)}, ${dialect.runtime.param(2)})`;
  const writes = (async () => {
    for (let id = firstId; writing; id++) {
      const started = performance.now();
      await writer.query(insert, [id, `w${id}`]);
      const ms = performance.now() - started;
      worst = Math.max(worst, ms);
      stalled += Math.max(0, ms - STALL_FROM_MS);
      await sleep(WRITE_EVERY_MS);
    }
  })();
  try {
    await sleep(200);
    worst = 0;
    stalled = 0;
    const running = work();
    await sleep(READER_S * 1000);
    release();
    await open;
    await running;
    return { max: round(worst, 1), total: round(stalled, 1) };
  } finally {
    writing = false;
    await writes;
    await reader.close();
    await writer.close();
  }
}

export async function benchLockwait(url: string, dialect: Dialect, log: (line: string) => void): Promise<LockwaitResult> {
  await expand({ url }, base);
  log(`lockwait: expand adding a column behind a reader open ${READER_S} s, writer every ${WRITE_EVERY_MS} ms; as a plain script first, then as dbtide runs it`);
  const queuing = await writerStall(url, dialect, () => expand({ url }, withColumn('lw2', 'a'), { retry: PLAIN_SCRIPT }), 1);
  const waiting = await writerStall(url, dialect, () => expand({ url }, withColumn('lw3', 'b')), 1_000_000);
  return {
    blocked_writer_max_wait_ms: waiting.max,
    blocked_writer_max_wait_ms_queuing: queuing.max,
    blocked_writer_stall_total_ms: waiting.total,
    blocked_writer_stall_total_ms_queuing: queuing.total,
  };
}

export function lockwaitRows(r: LockwaitResult): Row[] {
  return [
    { metric: 'blocked_writer_max_wait_ms', value: r.blocked_writer_max_wait_ms, target: `< ${TARGET_MS}`, pass: r.blocked_writer_max_wait_ms < TARGET_MS },
    { metric: 'blocked_writer_max_wait_ms_queuing', value: r.blocked_writer_max_wait_ms_queuing },
    { metric: 'blocked_writer_stall_total_ms', value: r.blocked_writer_stall_total_ms },
    { metric: 'blocked_writer_stall_total_ms_queuing', value: r.blocked_writer_stall_total_ms_queuing },
  ];
}
