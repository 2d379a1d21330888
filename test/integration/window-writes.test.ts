/**
 * No committed write is lost in the window: migrate's backfill never overwrites what the new
 * version wrote (before migrate or while it runs), verification before contract accepts those
 * rows, and contract's type swap keeps every row a writer commits while it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate, planChanges } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { changeType, derive, fillColumn } from '../../src/declaration/transitions.js';
import { targets, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';
import type { Connection } from '../../src/dialect.js';

const ROWS = 3000;

const v1 = defineSchema({
  release: 'v1',
  tables: { items: { columns: { id: 'int', name: 'varchar(50)', qty: 'int' }, primaryKey: ['id'] } },
});

const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: {
    items: {
      columns: {
        shout: 'varchar(50)',
        label: { type: 'varchar(50)', nullable: false, default: 'none' },
        region: { type: 'varchar(10)', nullable: false },
      },
    },
  },
  transitions: [
    derive('items', { forward: { shout: 'upper(name)' } }),
    derive('items', { forward: { label: "concat('L', name)" } }),
    fillColumn('items', 'region', "'EU'"),
  ],
});

/** v2 widens qty online; the swap runs in v3's contract while a writer inserts. */
const v3 = defineSchema({
  release: 'v3',
  extends: v2,
  tables: { items: { columns: { qty: 'bigint' } } },
  transitions: [changeType('items', 'qty')],
});

/** Runs `write` with its own connection until `stop` resolves; returns how many writes committed. */
async function writer(open: () => Promise<Connection>, write: (conn: Connection, i: number) => Promise<void>, stop: Promise<unknown>) {
  const conn = await open();
  let done = false;
  void stop.finally(() => (done = true));
  let i = 0;
  try {
    while (!done) await write(conn, i++);
  } finally {
    await conn.close();
  }
  return i;
}

/** Rows 2..ROWS in turn, by a stride that visits them out of key order. */
const someOldRow = (i: number) => 2 + ((i * 97) % (ROWS - 2));

describe.each(targets)('new-version writes before migrate on $name', (target) => {
  let db: ScratchDatabase;
  const run = (sql: string) => withConnection(target.dialect.connect(db.url), (c) => c.query<Record<string, unknown>>(sql));

  beforeAll(async () => {
    db = await target.create('window_writes');
    await expand({ url: db.url }, v1);
    await run(`INSERT INTO items (id, name, qty) VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 'n${i + 1}', ${i})`).join(', ')}`);
  }, 60_000);
  afterAll(() => db?.drop());

  it("migrate's backfill keeps them, old rows get the forward values, and contract verifies without --force", async () => {
    await expand({ url: db.url }, v2);
    // The new version: its own values on an old row and on a row of its own.
    await run("UPDATE items SET shout = 'custom', label = 'mine', region = 'US' WHERE id = 1");
    await run(`INSERT INTO items (id, name, qty, shout, label, region) VALUES (${ROWS + 1}, 'new', 0, 'typed', 'picked', 'APAC')`);
    // The old version: its rows reach the new columns through the trigger (label's default waits for contract).
    await run(`INSERT INTO items (id, name, qty) VALUES (${ROWS + 2}, 'old', 0)`);
    await migrate({ url: db.url }, v2);

    const rows = await run('SELECT id, shout, label, region FROM items ORDER BY id');
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    expect(byId.get(1)).toMatchObject({ shout: 'custom', label: 'mine', region: 'US' });
    expect(byId.get(ROWS + 1)).toMatchObject({ shout: 'typed', label: 'picked', region: 'APAC' });
    expect(byId.get(ROWS + 2)).toMatchObject({ shout: 'OLD', label: 'Lold', region: 'EU' });
    expect(byId.get(2)).toMatchObject({ shout: 'N2', label: 'Ln2', region: 'EU' });

    await contract({ url: db.url }, v2);
    // The declared default is in place once the trigger is gone.
    await run(`INSERT INTO items (id, name, qty, region) VALUES (${ROWS + 3}, 'late', 0, 'EU')`);
    expect((await run(`SELECT label FROM items WHERE id = ${ROWS + 3}`))[0]!.label).toBe('none');
    expect((await planChanges({ url: db.url }, v2)).plan.steps).toEqual([]);
  }, 120_000);
});

/** PGlite takes one connection at a time: concurrent writers need a server. */
const servers = targets.filter((t) => t.name !== 'pglite');

describe.each(servers)('concurrent writers in the window on $name', (target) => {
  let db: ScratchDatabase;
  const run = (sql: string) => withConnection(target.dialect.connect(db.url), (c) => c.query<Record<string, unknown>>(sql));
  const open = () => target.dialect.connect(db.url);

  beforeAll(async () => {
    db = await target.create('window_writers');
    await expand({ url: db.url }, v1);
    await run(`INSERT INTO items (id, name, qty) VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 'n${i + 1}', ${i})`).join(', ')}`);
  }, 60_000);
  afterAll(() => db?.drop());

  it("the new version's writes during migrate's backfill all survive it", async () => {
    await expand({ url: db.url }, v2);
    const last = new Map<number, string>();
    const migrating = migrate({ url: db.url }, v2, { backfill: { initialBatch: 100, minBatch: 100, maxBatch: 100 } });
    const writes = await writer(open, async (conn, i) => {
      const id = someOldRow(i);
      await conn.query(`UPDATE items SET shout = 'w${i}', label = 'w${i}', region = 'W' WHERE id = ${id}`);
      last.set(id, `w${i}`);
    }, migrating);
    await migrating;
    expect(writes).toBeGreaterThan(10);

    const rows = await run('SELECT id, shout, label, region FROM items ORDER BY id');
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const lost = [...last].filter(([id, value]) => byId.get(id)!.shout !== value || byId.get(id)!.label !== value || byId.get(id)!.region !== 'W');
    expect(lost).toEqual([]);
    const untouched = rows.filter((r) => !last.has(Number(r.id)));
    expect(untouched.length).toBeGreaterThan(0);
    for (const r of untouched) expect([r.shout, r.label, r.region]).toEqual([`N${Number(r.id)}`, `Ln${Number(r.id)}`, 'EU']);
    await contract({ url: db.url }, v2);
  }, 120_000);

  it("a type change's contract keeps every row old and new writers commit while it swaps", async () => {
    await expand({ url: db.url }, v3);
    await migrate({ url: db.url }, v3);
    let next = 100_000;
    const committed: number[] = [];
    const contracting = contract({ url: db.url }, v3);
    // Two writers: the old version's INSERT names qty, which reaches the converted copy through the trigger until the swap.
    const insert = async (conn: Connection) => {
      const id = next++;
      await conn.query(`INSERT INTO items (id, name, qty, region) VALUES (${id}, 'c', ${id % 1000}, 'EU')`);
      committed.push(id);
    };
    const counts = await Promise.all([writer(open, insert, contracting), writer(open, insert, contracting)]);
    await contracting;
    expect(counts[0]! + counts[1]!).toBeGreaterThan(10);

    const wrong = await run('SELECT id, qty FROM items WHERE id >= 100000 AND (qty IS NULL OR qty <> id % 1000)');
    expect(wrong).toEqual([]);
    const [{ n }] = (await run('SELECT count(*) AS n FROM items WHERE id >= 100000')) as [{ n: unknown }];
    expect(Number(n)).toBe(committed.length);
    expect((await planChanges({ url: db.url }, v3)).plan.steps).toEqual([]);
  }, 120_000);
});
