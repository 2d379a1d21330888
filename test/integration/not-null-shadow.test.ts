/**
 * MariaDB makes a column NOT NULL through a shadow column (src/diff/not-null-shadows.ts): the
 * contract under a writer loses no write, a run stopped at any point goes on from there, and a
 * shadow the release no longer asks for is taken down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { check, contract, expand, migrate, planChanges, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { Connection } from '../../src/dialect.js';
import { notNullShadowNames } from '../../src/plan/owned-names.js';
import { noMariadb, scratchMariadb, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';
import { SHADOW_MIN_ROWS } from '../../src/diff/not-null-shadows.js';

/** Above SHADOW_MIN_ROWS, as the server estimates it: a smaller table is rebuilt in place. */
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

/** ref NOT NULL, orders_old_idx removed: the swap drops it with the column. */
const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: { orders: { columns: { ref: { type: 'varchar(36)', nullable: false } }, removed: { indexes: ['orders_old_idx'] } } },
});

const names = notNullShadowNames('orders', 'ref');
const withConn = <T>(url: string, work: (conn: Connection) => Promise<T>) => withConnection(connectMysql(url), work);

/** The rows as the server holds them, by id. */
const refs = (url: string) =>
  withConn(url, async (c) => new Map((await c.query<{ id: number; ref: string }>('SELECT id, ref FROM orders ORDER BY id')).map((r) => [Number(r.id), r.ref])));

const shadowObjects = (url: string) =>
  withConn(url, async (c) => ({
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

/** Inserts and updates of ref, as the new version makes them, until stopped; what it wrote last per id. */
function writer(url: string) {
  const wrote = new Map<number, string>();
  let stop = false;
  let errors = 0;
  const done = withConn(url, async (c) => {
    for (let i = 0; !stop; i++) {
      const id = i % 2 === 0 ? 1 + ((i * 7919) % ROWS) : ROWS + 1 + i;
      const ref = `w-${i}`;
      try {
        if (id <= ROWS) await c.query('UPDATE orders SET ref = ? WHERE id = ?', [ref, id]);
        else await c.query("INSERT INTO orders (id, ref, note) VALUES (?, ?, 'w')", [id, ref]);
        wrote.set(id, ref);
      } catch {
        errors++;
      }
    }
  });
  return { wrote, stopped: async () => { stop = true; await done; return errors; } };
}

describe.skipIf(noMariadb)('NOT NULL through a shadow column on MariaDB', () => {
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
      t = await fresh('nn_shadow');
    });

    it('loses no write, keeps every value, and leaves the table as a fresh install has it', async () => {
      const before = await refs(t.url);
      const w = writer(t.url);
      const result = await contract(t, v2, { confirm: async () => {} });
      const errors = await w.stopped();
      expect(errors).toBe(0);
      expect(w.wrote.size).toBeGreaterThan(10);
      expect(result.steps.map((s) => s.operation)).toEqual(['add-shadow-column', 'fill-shadow-column', 'index-shadow-column', 'swap-shadow-column']);
      const after = await refs(t.url);
      const expected = new Map([...before, ...w.wrote]);
      expect(after).toEqual(expected);
      expect(await shadowObjects(t.url)).toEqual({ columns: ['id', 'ref', 'note'], indexes: ['PRIMARY', 'orders_ref_idx'], triggers: [] });
      expect((await check(t, v2)).next).toBeNull();
      const refused = await withConn(t.url, (c) => c.query("INSERT INTO orders (id, ref, note) VALUES (0, NULL, 'x')").then(() => null, (e: Error) => e.message));
      expect(refused).toMatch(/cannot be null/);
    });
  });

  describe('stopped and run again', () => {
    it('goes on after --max-rows stopped the fill, and after the triggers were dropped and rows changed behind them', async () => {
      const t = await fresh('nn_resume');
      expect(ROWS).toBeGreaterThan(SHADOW_MIN_ROWS);
      const first = await contract(t, v2, { confirm: async () => {}, backfill: { maxRows: 500, initialBatch: 100 } });
      expect(first.moreToDo).toBe(true);
      expect((await shadowObjects(t.url)).triggers).toEqual([names.trigger, `${names.trigger}_update`].sort());
      const stopped = await planChanges(t, v2);
      expect(stopped.plan.steps.map((s) => s.operation)).toEqual(['fill-shadow-column', 'index-shadow-column', 'swap-shadow-column']);
      expect(stopped.plan.drift).toEqual([]);

      // A run killed inside the swap, after its triggers went: rows changed since reach the column only.
      await withConn(t.url, async (c) => {
        await c.query(`DROP TRIGGER \`${names.trigger}\``);
        await c.query(`DROP TRIGGER \`${names.trigger}_update\``);
        await c.query("UPDATE orders SET ref = CONCAT('late-', id) WHERE id IN (1, 2, 299999)");
      });
      const again = await planChanges(t, v2);
      expect(again.plan.steps.map((s) => s.operation)).toEqual(['add-shadow-column', 'fill-shadow-column', 'index-shadow-column', 'swap-shadow-column']);
      expect(again.plan.steps[0]!.description).toMatch(/again by trigger/);
      const before = await refs(t.url);
      const second = await contract(t, v2, { confirm: async () => {} });
      expect(second.moreToDo).toBe(false);
      expect(await refs(t.url)).toEqual(before);
      expect((await refs(t.url)).get(299999)).toBe('late-299999');
      expect(await shadowObjects(t.url)).toEqual({ columns: ['id', 'ref', 'note'], indexes: ['PRIMARY', 'orders_ref_idx'], triggers: [] });
      expect((await planChanges(t, v2)).plan.steps).toEqual([]);
    });

    it('takes the shadow down when the release no longer makes the column NOT NULL, and NULLs are accepted again', async () => {
      const t = await fresh('nn_abandon');
      expect((await contract(t, v2, { confirm: async () => {}, backfill: { maxRows: 200, initialBatch: 100 } })).moreToDo).toBe(true);
      const v2b = defineSchema({ release: 'v2b', extends: v1, tables: { orders: { removed: { indexes: ['orders_old_idx'] } } } });
      const p = await planChanges(t, v2b);
      expect(p.plan.steps.map((s) => s.id)).toEqual(['drop-not-null-shadow:orders._dbtide_nn_ref', 'drop-index:orders.orders_old_idx']);
      await contract(t, v2b, { confirm: async () => {} });
      expect(await shadowObjects(t.url)).toEqual({ columns: ['id', 'ref', 'note'], indexes: ['PRIMARY', 'orders_ref_idx'], triggers: [] });
      await withConn(t.url, (c) => c.query("INSERT INTO orders (id, ref, note) VALUES (0, NULL, 'x')"));
    });
  });
});
