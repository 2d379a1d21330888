/**
 * ENUM and SET columns on MySQL and MariaDB: members appended at the end change metadata only and
 * run in expand while writes go on; removing members waits for contract, which refuses to start
 * while a row holds a removed member, and then keeps every other value.
 */
import { describe, expect, it } from 'vitest';
import { contract, expand, planChanges, type Target } from '../../src/api.js';
import { defineSchema, native } from '../../src/index.js';
import { withDatabase } from '../../src/engine.js';
import { mysqlTargets } from '../support/scratch-databases.js';

const release = (name: string, status: string, tags: string, extendsFrom?: ReturnType<typeof defineSchema>) =>
  defineSchema({
    release: name,
    ...(extendsFrom ? { extends: extendsFrom } : {}),
    tables: { orders: { columns: { id: 'int', status: { type: native(status), nullable: false, default: 'new' }, tags: { type: native(tags) } }, primaryKey: ['id'] } },
  });

const v1 = release('enum-1', "enum('new','paid')", "set('red','green')");
/** Members appended at the end: metadata only. */
const v2 = release('enum-2', "enum('new','paid','shipped')", "set('red','green','blue')", v1);
/** 'paid' and 'green' go. */
const v3 = release('enum-3', "enum('new','shipped')", "set('red','blue')", v2);
/** A ninth SET member needs a second byte: copied. */
const v4 = release('enum-4', "enum('new','shipped')", "set('red','blue','a','b','c','d','e','f','g')", v3);

const rows = (url: string) => withDatabase(url, {}, ({ conn }) => conn.query<{ id: number; status: string; tags: string | null }>('SELECT id, status, tags FROM orders ORDER BY id'));
const run = (url: string, sql: string) => withDatabase(url, {}, ({ conn }) => conn.query(sql));

describe.each(mysqlTargets)('ENUM and SET changes on $name', (target) => {
  it('appending runs in expand in place; removing is prechecked in contract; a new storage size is copied in contract', async () => {
    const db = await target.create('enum_set');
    const t: Target = { url: db.url };
    try {
      await expand(t, v1);
      await contract(t, v1);
      await run(db.url, "INSERT INTO orders VALUES (1, 'new', 'red'), (2, 'paid', 'red,green'), (3, 'new', NULL)");

      const appended = (await planChanges(t, v2)).plan;
      expect(appended.steps.map((s) => [s.id, s.phase, s.lock.level, s.prechecks.length])).toEqual([
        ['alter-column-type:orders.status', 'expand', 'ALGORITHM=INPLACE, LOCK=NONE (reads and writes continue)', 0],
        ['alter-column-type:orders.tags', 'expand', 'ALGORITHM=INPLACE, LOCK=NONE (reads and writes continue)', 0],
      ]);
      expect(appended.warnings).toEqual([]);
      await expand(t, v2);
      await run(db.url, "INSERT INTO orders VALUES (4, 'shipped', 'blue')");

      const removed = (await planChanges(t, v3)).plan;
      expect(removed.steps.map((s) => [s.id, s.phase, s.prechecks.map((p) => p.description)])).toEqual([
        ['alter-column-type:orders.status', 'contract', ["no row of orders holds a value of status that native(enum('new','shipped')) lacks"]],
        ['alter-column-type:orders.tags', 'contract', ["no row of orders holds a value of tags that native(set('red','blue')) lacks"]],
      ]);
      await expand(t, v3);
      // Row 2 holds 'paid' and 'green': contract refuses before changing anything.
      await expect(contract(t, v3)).rejects.toThrow(/prechecks failed; nothing was changed[\s\S]*id=2/);
      expect((await rows(db.url)).map((r) => r.status)).toEqual(['new', 'paid', 'new', 'shipped']);

      await run(db.url, "UPDATE orders SET status = 'shipped', tags = 'red' WHERE id = 2");
      await contract(t, v3);
      expect(await rows(db.url)).toEqual([
        { id: 1, status: 'new', tags: 'red' },
        { id: 2, status: 'shipped', tags: 'red' },
        { id: 3, status: 'new', tags: null },
        { id: 4, status: 'shipped', tags: 'blue' },
      ]);
      expect((await planChanges(t, v3)).plan.steps).toEqual([]);

      const wider = (await planChanges(t, v4)).plan;
      expect(wider.steps.map((s) => [s.id, s.phase, s.lock.blocksWrites])).toEqual([['alter-column-type:orders.tags', 'contract', true]]);
      await expand(t, v4);
      await contract(t, v4);
      expect((await rows(db.url)).map((r) => r.tags)).toEqual(['red', 'red', null, 'blue']);
    } finally {
      await db.drop();
    }
  });
});
