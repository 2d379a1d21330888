/**
 * `lockwait`: what one application writer feels while expand adds a column behind an idle reader
 * transaction (a report left open, a stuck worker): the writer inserts every 10 ms, the reader
 * ends after `READER_S`. Measured twice in turn: expand as it runs by default (the ALTER queues
 * for its lock, every writer behind it, for the lock timeout of each attempt), and with
 * `maxBlockedMs` (it waits for the reader without asking for the lock). The figure is the longest
 * single insert while expand runs.
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

const base = defineSchema({ release: 'lw1', tables: { items: { columns: { id: 'bigint', sku: 'varchar(20)' }, primaryKey: ['id'] } } });
const withColumn = (release: string, column: string) => defineSchema({ release, extends: base, tables: { items: { columns: { [column]: 'text' } } } });

export interface LockwaitResult {
  blocked_writer_max_wait_ms: number;
  blocked_writer_max_wait_ms_queuing: number;
}

/** The longest insert of a writer running while `work` runs, with a reader transaction open for READER_S of it. */
async function writerStall(url: string, dialect: Dialect, work: () => Promise<unknown>, firstId: number): Promise<number> {
  const reader = await dialect.connect(url);
  const writer = await dialect.connect(url);
  let release!: () => void;
  const open = reader.transaction(async () => {
    await reader.query('SELECT * FROM items');
    await new Promise<void>((resolve) => (release = resolve));
  });
  let writing = true;
  let worst = 0;
  const insert = `INSERT INTO items (id, sku) VALUES (${dialect.runtime.param(1)}, ${dialect.runtime.param(2)})`;
  const writes = (async () => {
    for (let id = firstId; writing; id++) {
      const started = performance.now();
      await writer.query(insert, [id, `w${id}`]);
      worst = Math.max(worst, performance.now() - started);
      await sleep(WRITE_EVERY_MS);
    }
  })();
  try {
    await sleep(200);
    worst = 0;
    const running = work();
    await sleep(READER_S * 1000);
    release();
    await open;
    await running;
    return round(worst, 1);
  } finally {
    writing = false;
    await writes;
    await reader.close();
    await writer.close();
  }
}

export async function benchLockwait(url: string, dialect: Dialect, log: (line: string) => void): Promise<LockwaitResult> {
  await expand({ url }, base);
  log(`lockwait: expand adding a column behind a reader open ${READER_S} s, writer every ${WRITE_EVERY_MS} ms; default retries first`);
  const queuing = await writerStall(url, dialect, () => expand({ url }, withColumn('lw2', 'a')), 1);
  const waiting = await writerStall(url, dialect, () => expand({ url }, withColumn('lw3', 'b'), { retry: { maxBlockedMs: 60_000 } }), 1_000_000);
  return { blocked_writer_max_wait_ms: waiting, blocked_writer_max_wait_ms_queuing: queuing };
}

export function lockwaitRows(r: LockwaitResult): Row[] {
  return [
    { metric: 'blocked_writer_max_wait_ms', value: r.blocked_writer_max_wait_ms, target: `< ${TARGET_MS}`, pass: r.blocked_writer_max_wait_ms < TARGET_MS },
    { metric: 'blocked_writer_max_wait_ms_queuing', value: r.blocked_writer_max_wait_ms_queuing },
  ];
}
