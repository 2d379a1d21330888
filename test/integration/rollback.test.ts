import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { check, contract, expand, migrate, rollback, status, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { openDatabase, type Database } from '../../src/engine.js';
import { targets, type ScratchDatabase, type ScratchTarget } from '../support/scratch-databases.js';
import { series } from '../support/series.js';
import { release2, SQL, v1 } from '../support/transition-releases.js';

/** What old code reads of every table of v1, in key order: what a rollback must leave as it was. */
const OLD_READS = [
  'SELECT id, first_name, last_name, nick, score, city FROM people ORDER BY id',
  'SELECT id, hostname FROM hosts ORDER BY id',
  'SELECT id, note FROM audit ORDER BY id',
  'SELECT id, body FROM notes ORDER BY id',
];

/** A small release pair for what a rollback drops with rows in it: a new column, index and table. */
const items1 = defineSchema({
  release: 'i1',
  tables: { items: { columns: { id: 'int', name: 'text', legacy: 'text' }, primaryKey: ['id'] } },
});
const items2 = defineSchema({
  release: 'i2',
  extends: items1,
  tables: {
    items: { columns: { badge: 'varchar(20)' }, indexes: [{ columns: ['badge'] }], removed: { columns: ['legacy'] } },
    tags: { columns: { id: 'int', item_id: 'int', label: 'text' }, primaryKey: ['id'] },
  },
});

/**
 * A scratch database per test, and a way to use it. The embedded database takes one connection at
 * a time: each use opens and closes one.
 */
function onScratch(target: ScratchTarget) {
  let scratch: ScratchDatabase;
  beforeEach(async () => {
    scratch = await target.create('rollback');
  });
  afterEach(async () => {
    await scratch.drop();
  });
  const using = async <R>(work: (db: Database) => Promise<R>): Promise<R> => {
    const db = await openDatabase(scratch.url);
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  };
  return { at: (): Target => ({ url: scratch.url }), using };
}

describe.each(targets)('rollback on $name', (target) => {
  const v2 = release2(SQL[target.dialect.name]!);
  const { at, using } = onScratch(target);

  const oldReads = () =>
    using(async ({ conn }) => {
      const read: unknown[] = [];
      for (const sql of OLD_READS) read.push(await conn.query(sql));
      return JSON.stringify(read);
    });

  /** Old code writes every table of v1, under whichever release is live. */
  const oldWrites = (from: number) =>
    using(async ({ conn, dialect }) => {
      const p = dialect.runtime.param;
      for (let i = from; i < from + 5; i++) {
        await conn.query(`INSERT INTO people (first_name, last_name, nick, score, city) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`, [`Old${i}`, `Writer${i}`, `o${i}`, i, 'oslo']);
        await conn.query(`INSERT INTO hosts (id, hostname) VALUES (${p(1)}, ${p(2)})`, [1000 + i, `h${i}`]);
        await conn.query(`INSERT INTO audit (id, note) VALUES (${p(1)}, ${p(2)})`, [1000 + i, `note ${i}`]);
      }
      await conn.query(`UPDATE people SET first_name = ${p(1)}, nick = ${p(2)}, score = score + 1 WHERE id <= 3`, [`Edited${from}`, `e${from}`]);
      await conn.query(`UPDATE hosts SET hostname = concat(hostname, '-old') WHERE id = 1`);
      await conn.query(`DELETE FROM audit WHERE id = ${p(1)}`, [from]);
      await conn.query(`INSERT INTO notes (id, body) VALUES (${p(1)}, ${p(2)})`, [5000 + from, 'old note']);
    });

  it('withdraws every kind of transition: old code reads and writes every table, its rows unchanged, and the earlier plan is empty', async () => {
    const t = at();
    await expand(t, v1);
    await contract(t, v1);
    await using(async ({ conn, dialect }) => {
      await conn.query(`INSERT INTO people (first_name, last_name, nick, score, city) SELECT concat('First', g), concat('Last', g), concat('nick', g), g, 'rome' FROM ${series(dialect, 200)} ORDER BY g`);
      await conn.query(`INSERT INTO hosts (id, hostname) SELECT g, concat('host', g) FROM ${series(dialect, 20)}`);
      await conn.query(`INSERT INTO audit (id, note) SELECT g, concat('note ', g) FROM ${series(dialect, 100)}`);
    });
    await oldWrites(1);
    await expand(t, v2);
    await oldWrites(10);
    // New code writes too: its values reach the old columns through the dual writes.
    await using(async ({ conn, dialect }) => {
      const p = dialect.runtime.param;
      await conn.query(`INSERT INTO people (full_name, nickname, score, city, city_code) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`, ['New Writer', 'nw', 99, 'paris', 'PAR']);
      await conn.query(`UPDATE people SET full_name = 'Renamed Person', nickname = 'rn' WHERE id = 5`);
      await conn.query(`INSERT INTO machines (id, hostname) VALUES (${p(1)}, ${p(2)})`, [3000, 'm1']);
    });
    await migrate(t, v2);
    await oldWrites(20);
    expect((await check(t, v2)).next).toBe('contract');

    const dry = await rollback(t, { to: v1, withdrawn: v2, dryRun: true });
    expect(dry.from).toBe('v2');
    const operations = dry.steps.map((s) => s.operation);
    // Dual writes first, then the new version's views, the table's old name, then what was added.
    expect(operations.slice(0, 4)).toEqual(['remove-sync', 'remove-sync', 'remove-sync', 'remove-sync']);
    expect(operations.filter((o) => o !== 'drop-version-schema').slice(4)).toEqual(['restore-table-name', 'drop-column', 'drop-column', 'drop-column', 'drop-column']);
    // Mirrored columns and a fill whose every value is what the old columns compute lose nothing.
    expect(dry.newData.filter((d) => d.rows > 0)).toEqual([]);
    const before = await oldReads();

    const done = await rollback(t, { to: v1, withdrawn: v2 });
    expect(done.steps.map((s) => s.id)).toEqual(dry.steps.map((s) => s.id));
    expect(done.remaining).toEqual([]);
    expect(await oldReads()).toBe(before);
    expect(await check(t, v1)).toMatchObject({ exitCode: 0, drift: [] });
    await oldWrites(30);
    expect((await status(t, v1)).runs[0]).toMatchObject({ phase: 'rollback', release: 'v2', status: 'done', message: `to v1: ${done.steps.length} step(s)` });

    const again = await rollback(t, { to: v1, withdrawn: v2 });
    expect(again.steps).toEqual([]);

    // The release can go out again: its backfills run again, over every row.
    await expand(t, v2);
    await oldWrites(40);
    await migrate(t, v2);
    expect(await check(t, v2)).toMatchObject({ next: 'contract', drift: [] });
    await using(async ({ conn }) => {
      const [empty] = await conn.query<{ n: string }>('SELECT count(*) AS n FROM people WHERE full_name IS NULL OR nickname IS NULL OR city_code IS NULL');
      expect(Number(empty!.n)).toBe(0);
      const [mismatch] = await conn.query<{ n: string }>("SELECT count(*) AS n FROM people WHERE full_name <> concat(first_name, ' ', last_name) OR nickname <> nick");
      expect(Number(mismatch!.n)).toBe(0);
    });
    await contract(t, v2);
    expect(await check(t, v2)).toMatchObject({ exitCode: 0, drift: [] });
    // About thirty runs and sessions: the embedded database starts for each (seconds apiece on a loaded machine).
  }, 180_000);

});

// The archive's SQL on the embedded database is PostgreSQL's, which runs here on the server.
describe.each(targets.filter((t) => t.name !== 'pglite'))('rollback of new data on $name', (target) => {
  const { at, using } = onScratch(target);

  it('refuses to drop rows only the withdrawn release holds unless they are archived or discarded, and refuses after contract', async () => {
    const t = at();
    await expand(t, items1);
    await using(async ({ conn, dialect }) => {
      await conn.query(`INSERT INTO items (id, name, legacy) SELECT g, concat('item', g), 'x' FROM ${series(dialect, 20)}`);
    });
    await expand(t, items2);
    await using(async ({ conn }) => {
      await conn.query("UPDATE items SET badge = 'gold' WHERE id <= 3");
      await conn.query("INSERT INTO tags (id, item_id, label) VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c'), (4, 3, 'd'), (5, 3, 'e')");
    });
    const dry = await rollback(t, { to: items1, dryRun: true });
    expect(dry.newData.map((d) => [d.object, d.rows, d.exact])).toEqual([['column items.badge', 3, true], ['table tags', 5, true]]);
    expect(dry.steps.map((s) => s.id)).toEqual(['drop-index:items.items_badge_idx', 'drop-column:items.badge', 'drop-table:tags']);

    await expect(rollback(t, { to: items1 })).rejects.toThrow(/would drop data that only i2 holds; nothing was changed:\n {2}column items\.badge: 3 row\(s\)\n {2}table tags: 5 row\(s\)/);
    expect((await rollback(t, { to: items1, dryRun: true })).steps).toHaveLength(3);

    const archived = await rollback(t, { to: items1, archive: true });
    expect(archived.archivedRows).toEqual({ 'column items.badge': 3, 'table tags': 5 });
    expect(await check(t, items1)).toMatchObject({ exitCode: 0, drift: [] });
    await using(async ({ conn }) => {
      const badges = await conn.query<{ id: number; badge: string }>('SELECT id, badge FROM shadow_items ORDER BY id');
      expect(badges.map((r) => [Number(r.id), r.badge])).toEqual([[1, 'gold'], [2, 'gold'], [3, 'gold']]);
      const [tags] = await conn.query<{ n: string }>('SELECT count(*) AS n FROM shadow_tags');
      expect(Number(tags!.n)).toBe(5);
    });

    await expand(t, items2);
    await contract(t, items2);
    await expect(rollback(t, { to: items1, discardNewData: true })).rejects.toThrow(
      /rollback refused: release i2 was contracted .*cannot be restored by a rollback to i1:\n {2}drop-column:items\.legacy/,
    );
  });
});
