/**
 * MariaDB makes a large table's column NOT NULL through a copy of the table
 * (src/diff/not-null-copies.ts): the contract under a writer loses no write and brings back no
 * deleted row, a run stopped at any point goes on from there, and a copy the release no longer
 * asks for is taken down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { check, contract, expand, migrate, planChanges, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { Connection } from '../../src/dialect.js';
import { tableCopyNames } from '../../src/plan/owned-names.js';
import { noMariadb, scratchMariadb, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';
import { COPY_MIN_ROWS } from '../../src/diff/not-null-copies.js';

/** Above COPY_MIN_ROWS, as the server estimates it: a smaller table is rebuilt in place. */
const ROWS = 300_000;

const v1 = defineSchema({
  release: 'v1',
  tables: {
    orders: {
      columns: { id: 'int', ref: 'varchar(36)', note: 'text' },
      primaryKey: ['id'],
      indexes: [{ name: 'orders_ref_idx', columns: ['ref', 'id'] }, { name: 'orders_old_idx', columns: ['ref'] }],
    },
  },
});

/** ref NOT NULL, orders_old_idx removed: dropped from the copy once swapped in. */
const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: { orders: { columns: { ref: { type: 'varchar(36)', nullable: false } }, removed: { indexes: ['orders_old_idx'] } } },
});

const names = tableCopyNames('orders');
const withConn = <T>(url: string, work: (conn: Connection) => Promise<T>) => withConnection(connectMysql(url), work);

/** The rows as the server holds them, by id. */
const refs = (url: string) =>
  withConn(url, async (c) => new Map((await c.query<{ id: number; ref: string }>('SELECT id, ref FROM orders ORDER BY id')).map((r) => [Number(r.id), r.ref])));

/** The table as a fresh install of v2 has it, and nothing of the copy left. */
const DONE = { tables: ['orders'], columns: ['id', 'ref', 'note'], indexes: ['PRIMARY', 'orders_ref_idx'], triggers: [] };

const copyObjects = (url: string) =>
  withConn(url, async (c) => ({
    tables: (await c.query<{ name: string }>('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME')).map((r) => r.name).filter((n) => !n.startsWith('_dbtide_') || n.includes('orders')).sort(),
    columns: (await c.query<{ name: string }>("SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' ORDER BY ORDINAL_POSITION")).map((r) => r.name),
    indexes: [...new Set((await c.query<{ name: string }>("SELECT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'")).map((r) => r.name))].sort(),
    triggers: (await c.query<{ name: string }>('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME')).map((r) => r.name),
  }));

/** A fresh database at v1 with ROWS rows (a few NULL refs the test repairs first where it needs). */
async function atV1(scratch: ScratchDatabase): Promise<Target> {
  const t = { url: scratch.url };
  for (const phase of [expand, migrate, contract]) await phase(t, v1);
  await withConn(t.url, async (c) => {
    await c.query(`INSERT INTO orders (id, ref, note) SELECT seq, CONCAT('r-', seq), 'n' FROM seq_1_to_${ROWS}`);
    await c.query('ANALYZE TABLE orders');
  });
  await expand(t, v2);
  await migrate(t, v2);
  return t;
}

/** Inserts, updates and deletes, as the new version makes them, until stopped; what it wrote last per id (null: deleted). */
function writer(url: string) {
  const wrote = new Map<number, string | null>();
  let stop = false;
  let errors = 0;
  const done = withConn(url, async (c) => {
    for (let i = 0; !stop; i++) {
      const id = i % 3 === 2 ? ROWS + 1 + i : 1 + ((i * 7919) % ROWS);
      const ref = `w-${i}`;
      try {
        if (i % 3 === 0) await c.query('UPDATE orders SET ref = ? WHERE id = ?', [ref, id]);
        else if (i % 3 === 1) await c.query('DELETE FROM orders WHERE id = ?', [id]);
        else await c.query("INSERT INTO orders (id, ref, note) VALUES (?, ?, 'w')", [id, ref]);
        wrote.set(id, i % 3 === 1 ? null : ref);
      } catch {
        errors++;
      }
    }
  });
  return { wrote, stopped: async () => { stop = true; await done; return errors; } };
}

describe.skipIf(noMariadb)('NOT NULL through a copy of the table on MariaDB', () => {
  const scratches: ScratchDatabase[] = [];
  const fresh = async (label: string) => {
    const s = await scratchMariadb(label);
    scratches.push(s);
    return atV1(s);
  };
  afterAll(async () => {
    for (const s of scratches) await s.drop();
  });

  describe('under a writer', () => {
    let t: Target;
    beforeAll(async () => {
      t = await fresh('nn_copy');
    });

    it('loses no write, brings back no deleted row, and leaves the table as a fresh install has it', async () => {
      const before = await refs(t.url);
      const w = writer(t.url);
      const result = await contract(t, v2, { confirm: async () => {} });
      const errors = await w.stopped();
      expect(errors).toBe(0);
      expect(w.wrote.size).toBeGreaterThan(10);
      expect(result.steps.map((s) => s.operation)).toEqual(['create-table-copy', 'copy-table', 'swap-table-copy', 'drop-replaced-table', 'drop-index']);
      const after = await refs(t.url);
      const expected = new Map([...before, ...w.wrote]);
      for (const [id, ref] of w.wrote) if (ref === null) expected.delete(id);
      expect(after).toEqual(expected);
      expect(await copyObjects(t.url)).toEqual(DONE);
      expect((await check(t, v2)).next).toBeNull();
      const refused = await withConn(t.url, (c) => c.query("INSERT INTO orders (id, ref, note) VALUES (0, NULL, 'x')").then(() => null, (e: Error) => e.message));
      expect(refused).toMatch(/cannot be null/);
    });
  });

  describe('stopped and run again', () => {
    it('goes on after --max-rows stopped the copy, and copies again after its triggers were dropped and rows changed behind them', async () => {
      const t = await fresh('nn_resume');
      expect(ROWS).toBeGreaterThan(COPY_MIN_ROWS);
      const batches: { batchRows: number; batchMs: number; nextBatch: number | null }[] = [];
      const first = await contract(t, v2, {
        confirm: async () => {},
        backfill: { maxRows: 500, initialBatch: 100 },
        onEvent: (e) => {
          if (e.type === 'work-progress') batches.push({ batchRows: e.batchRows, batchMs: e.batchMs, nextBatch: e.nextBatch });
        },
      });
      expect(first.moreToDo).toBe(true);
      // Each batch's size and time, and the size chosen for the next, as --format json shows them.
      expect(batches[0]!.batchRows).toBe(100);
      expect(batches.every((b) => b.batchMs >= 1 && b.nextBatch !== null && b.nextBatch >= 100)).toBe(true);
      expect(await copyObjects(t.url)).toMatchObject({ tables: [names.copy, 'orders'], triggers: [names.triggers.insert, names.triggers.delete, names.triggers.update].sort() });
      const stopped = await planChanges(t, v2);
      expect(stopped.plan.steps.map((s) => s.operation)).toEqual(['copy-table', 'swap-table-copy', 'drop-replaced-table', 'drop-index']);
      expect(stopped.plan.drift).toEqual([]);

      // Triggers dropped behind dbtide's back: rows changed since reach the table only.
      await withConn(t.url, async (c) => {
        for (const trigger of Object.values(names.triggers)) await c.query(`DROP TRIGGER \`${trigger}\``);
        await c.query("UPDATE orders SET ref = CONCAT('late-', id) WHERE id IN (1, 2, 299999)");
        await c.query('DELETE FROM orders WHERE id = 3');
      });
      const again = await planChanges(t, v2);
      expect(again.plan.steps.map((s) => s.operation)).toEqual(['create-table-copy', 'copy-table', 'swap-table-copy', 'drop-replaced-table', 'drop-index']);
      const before = await refs(t.url);
      const second = await contract(t, v2, { confirm: async () => {} });
      expect(second.moreToDo).toBe(false);
      expect(await refs(t.url)).toEqual(before);
      expect((await refs(t.url)).get(299999)).toBe('late-299999');
      expect((await refs(t.url)).has(3)).toBe(false);
      expect(await copyObjects(t.url)).toEqual(DONE);
      expect((await planChanges(t, v2)).plan.steps).toEqual([]);
    });

    it('takes the copy down when the release no longer makes the column NOT NULL, and NULLs are accepted again', async () => {
      const t = await fresh('nn_abandon');
      expect((await contract(t, v2, { confirm: async () => {}, backfill: { maxRows: 200, initialBatch: 100 } })).moreToDo).toBe(true);
      const v2b = defineSchema({ release: 'v2b', extends: v1, tables: { orders: { removed: { indexes: ['orders_old_idx'] } } } });
      const p = await planChanges(t, v2b);
      expect(p.plan.steps.map((s) => s.id)).toEqual(['drop-table-copy:orders', 'drop-index:orders.orders_old_idx']);
      await contract(t, v2b, { confirm: async () => {} });
      expect(await copyObjects(t.url)).toEqual(DONE);
      await withConn(t.url, (c) => c.query("INSERT INTO orders (id, ref, note) VALUES (0, NULL, 'x')"));
    });
  });
});
