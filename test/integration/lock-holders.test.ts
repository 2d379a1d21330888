/**
 * A lock wait that times out names who holds the table: the lock-retry events and the final error
 * carry the blocking session (PostgreSQL's pid; MySQL's connection, or, where performance_schema is
 * off as on MariaDB by default, the open transactions that may hold it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { Connection } from '../../src/dialect.js';
import type { LockHolder } from '../../src/model/locks.js';
import { targets, type ScratchDatabase, type ScratchTarget } from '../support/scratch-databases.js';

const v1 = defineSchema({ release: 'v1', tables: { items: { columns: { id: 'int', sku: 'varchar(20)' }, primaryKey: ['id'] } } });
const v2 = defineSchema({ release: 'v2', extends: v1, tables: { items: { columns: { note: 'text' } } } });

/** The blocker's own name for itself, as the holder list should show it. */
const SELF: Record<string, string> = { postgres: 'SELECT pg_backend_pid()::text AS id', mysql: 'SELECT CONNECTION_ID() AS id' };

const SERVERS = targets.filter((t) => t.name !== 'pglite');

/** A scratch database at v1 for the suite, dropped after it. */
function itemsDatabase(target: ScratchTarget, label: string) {
  const db = { scratch: undefined as ScratchDatabase | undefined, target: undefined as Target | undefined };
  beforeAll(async () => {
    db.scratch = await target.create(label);
    db.target = { url: db.scratch.url };
    await expand(db.target, v1);
  });
  afterAll(async () => db.scratch?.drop());
  return db;
}

/** A reader's transaction left open on items until `release` is called; `id` is how the server names its session. */
async function openReader(target: ScratchTarget, url: string): Promise<{ id: string; release(): Promise<void> }> {
  const conn: Connection = await target.dialect.connect(url);
  const [self] = await conn.query<{ id: string | number }>(SELF[target.dialect.name]!);
  let release!: () => void;
  const open = conn.transaction(async () => {
    await conn.query('SELECT * FROM items');
    await new Promise<void>((resolve) => (release = resolve));
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { id: String(self!.id), release: async () => (release(), await open, await conn.close()) };
}

describe.each(SERVERS)('lock holders on $name', (target) => {
  const db = itemsDatabase(target, 'holders');

  it('names the idle transaction that read the table, on each retry and in the error', async () => {
    const t = db.target!;
    const reader = await openReader(target, t.url);
    try {
      const seen: LockHolder[][] = [];
      const error = await expand(t, v2, {
        // A plain script's way: attempt at once, each attempt waiting out its cap.
        retry: { lockTimeoutMs: 200, retries: 1, baseBackoffMs: 50, maxBackoffMs: 50, waitForHolders: false },
        onEvent: (e) => {
          if (e.type === 'lock-retry') seen.push(e.holders);
        },
      }).then(() => null, (e: Error & { hint?: string }) => e);
      const holder = expect.objectContaining({ session: expect.stringMatching(new RegExp(`^(pid|connection) ${reader.id}$`)) });
      expect(seen).toEqual([expect.arrayContaining([holder])]);
      expect(error?.message).toMatch(new RegExp(`\\n {2}held by (pid|connection) ${reader.id} \\(`));
      expect(error?.hint).toContain('held by: above');
    } finally {
      await reader.release();
    }
    // With the reader gone, the same phase goes through.
    expect((await expand(t, v2)).steps.map((s) => s.id)).toEqual(['add-column:items.note']);
  }, 30_000);
});

describe.each(SERVERS)('waiting for lock holders without queuing on $name', (target) => {
  const db = itemsDatabase(target, 'blocked');

  it('by default, waits for the reader without a lock request, reports it, and goes on once it ends', async () => {
    const reader = await openReader(target, db.target!.url);
    const blocked: LockHolder[][] = [];
    const retries: number[] = [];
    const running = expand(db.target!, v2, {
      // No retries: an attempt that asked for the lock while the reader held it would fail the run.
      retry: { retries: 0 },
      onEvent: (e) => {
        if (e.type === 'blocked') blocked.push(e.holders);
        if (e.type === 'lock-retry') retries.push(e.attempt);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await reader.release();
    expect((await running).steps.map((s) => s.id)).toEqual(['add-column:items.note']);
    expect(blocked[0]).toEqual(expect.arrayContaining([expect.objectContaining({ session: expect.stringMatching(new RegExp(` ${reader.id}$`)) })]));
    // No attempt timed out: the ALTER asked for its lock only once the reader was gone.
    expect(retries).toEqual([]);
  }, 30_000);

  it('an app writer inserting every 10 ms keeps writing while expand waits behind an open reader; expand completes once the reader ends', async () => {
    const v4 = defineSchema({ release: 'v4', extends: v2, tables: { items: { columns: { score: 'int' } } } });
    await expand(db.target!, v2);
    const reader = await openReader(target, db.target!.url);
    const writer: Connection = await target.dialect.connect(db.target!.url);
    const p = target.dialect.runtime.param;
    let writes = 0;
    let writing = true;
    const writes$ = (async () => {
      for (let id = 1000; writing; id++) {
        await writer.query(`INSERT INTO items (id, sku) VALUES (${p(1)}, ${p(2)})`, [id, `w${id}`]);
        writes++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    let retried = false;
    let done = false;
    try {
      const running = expand(db.target!, v4, { onEvent: (e) => void (e.type === 'lock-retry' && (retried = true)) }).finally(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = writes;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // Writers queued behind a lock request would have written nothing in this second.
      expect(writes - before).toBeGreaterThan(20);
      expect(done).toBe(false);
      await reader.release();
      expect((await running).steps.map((s) => s.id)).toEqual(['add-column:items.score']);
      expect(retried).toBe(false);
    } finally {
      writing = false;
      await writes$;
      await writer.close();
    }
  }, 30_000);

  it('gives up after maxBlockedMs, naming the holder, with nothing of the step run', async () => {
    const reader = await openReader(target, db.target!.url);
    try {
      const error = await expand(db.target!, defineSchema({ release: 'v3', extends: v2, tables: { items: { columns: { tag: 'text' } } } }), {
        retry: { maxBlockedMs: 600 },
      }).then(() => null, (e: Error & { hint?: string }) => e);
      // The reader among the holders: a session an earlier test closed can still be listed while the server ends it.
      expect(error?.message).toMatch(new RegExp(`^expand waited \\d+ s at step "add column items\\.tag" \\(add-column:items\\.tag\\) for other sessions to release items, and gave up; the statement waiting did not run:\\n(?: {2}held by .*\\n)* {2}held by (pid|connection) ${reader.id} \\(`));
      expect(error?.hint).toContain('dbtide never ends a session it did not open');
    } finally {
      await reader.release();
    }
  }, 30_000);
});
