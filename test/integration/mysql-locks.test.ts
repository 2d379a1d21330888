import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand, migrate, contract, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { renameColumn } from '../../src/declaration/transitions.js';
import { explain } from '../../dialects/mysql/trigger-preflight.js';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { mysqlRuntime } from '../../dialects/mysql/runtime.js';
import { introspectMysql } from '../../dialects/mysql/introspector.js';
import type { Connection } from '../../src/dialect.js';
import { mysqlTargets, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

const v1 = defineSchema({
  release: 'v1',
  tables: { items: { columns: { id: 'int', sku: 'varchar(20)' }, primaryKey: ['id'] } },
});
const v2 = defineSchema({ release: 'v2', extends: v1, tables: { items: { columns: { note: 'text' } } } });
const v3 = defineSchema({
  release: 'v3',
  extends: v2,
  tables: { items: { columns: { code: 'varchar(20)' } } },
  transitions: [renameColumn('items', 'sku', 'code')],
});

const withConn = <T>(url: string, work: (conn: Connection) => Promise<T>) => withConnection(connectMysql(url), work);

describe.each(mysqlTargets)('bounded locks, run lock and trigger rights on $name', (target) => {
  let scratch: ScratchDatabase;
  let t: Target;
  beforeAll(async () => {
    scratch = await target.create('locks');
    t = { url: scratch.url };
    for (const phase of [expand, migrate, contract]) await phase(t, v1);
    await withConn(t.url, (c) => c.query("INSERT INTO items (id, sku) VALUES (1, 'a'), (2, 'b')"));
  });
  afterAll(async () => scratch?.drop());

  it('asked to attempt at once, as a plain script does, an ALTER behind a long transaction gives up at the cap, retries with backoff, and writers queue at most that long', async () => {
    const app = await connectMysql(t.url);
    await app.query('START TRANSACTION');
    await app.query('SELECT * FROM items WHERE id = 1');
    const retries: number[] = [];
    const started = Date.now();
    const running = expand(t, v2, {
      retry: { lockTimeoutMs: 1000, retries: 2, baseBackoffMs: 100, maxBackoffMs: 200, waitForHolders: false },
      onEvent: (e) => {
        if (e.type === 'lock-retry') retries.push(e.waitMs);
      },
    }).then(
      () => null,
      (error: Error & { hint?: string }) => error,
    );
    // A writer arriving while the ALTER waits queues behind it, for no longer than the cap.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const writer = await connectMysql(t.url);
    const writeStarted = Date.now();
    await writer.query("INSERT INTO items (id, sku) VALUES (3, 'c')");
    const writeMs = Date.now() - writeStarted;
    await writer.close();

    const error = await running;
    await app.query('COMMIT');
    await app.close();
    expect(error?.message).toMatch(/expand stopped at step "add column items\.note" .* after 3 attempt\(s\)[\s\S]*Lock wait timeout exceeded/);
    expect(error?.hint).toContain('information_schema.PROCESSLIST');
    expect(retries).toHaveLength(2);
    expect(writeMs).toBeLessThan(1500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    const live = await withConn(t.url, (c) => introspectMysql(c));
    expect(live.tables.items!.columns.map((c) => c.name)).toEqual(['id', 'sku']);

    // With the transaction gone, the same phase goes through.
    expect((await expand(t, v2)).steps.map((s) => s.id)).toEqual(['add-column:items.note']);
  }, 30_000);

  it('the run lock (GET_LOCK) keeps two runs on one database apart, and is free again after release', async () => {
    await withConn(t.url, async (first) => {
      await withConn(t.url, async (second) => {
        const session = (conn: Connection) => ({ conn, connect: () => Promise.reject(new Error('not needed')), cluster: null });
        const held = await mysqlRuntime.tryRunLock(session(first), 'dbtide:run');
        expect(held).not.toBeNull();
        expect(await mysqlRuntime.tryRunLock(session(second), 'dbtide:run')).toBeNull();
        await held!.release();
        const next = await mysqlRuntime.tryRunLock(session(second), 'dbtide:run');
        expect(next).not.toBeNull();
        await next!.release();
      });
    });
  });

  it('refuses a phase whose dual-write triggers the user may not create, before changing anything', async () => {
    const user = `dbtide_t_${Math.random().toString(16).slice(2, 8)}`;
    const admin = new URL(t.url);
    const database = admin.pathname.slice(1);
    await withConn(t.url, async (c) => {
      await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'secret-pw'`);
      await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW ON \`${database}\`.* TO '${user}'@'%'`);
    });
    try {
      const restricted = new URL(t.url);
      restricted.username = user;
      restricted.password = 'secret-pw';
      const error = await expand({ url: restricted.toString() }, v3).then(
        () => null,
        (e: Error & { hint?: string }) => e,
      );
      expect(error?.message).toMatch(new RegExp(`^'${user}'@'%' lacks privileges expand needs; nothing was changed:`));
      expect(error?.message).toContain('TRIGGER on `' + database + '`.`items`, for: install dual-write trigger');
      expect(error?.message).not.toContain('secret-pw');
      expect(error?.hint).toContain('GRANT TRIGGER');
      const live = await withConn(t.url, (c) => introspectMysql(c));
      expect(live.tables.items!.columns.map((c) => c.name)).toEqual(['id', 'sku', 'note']);
    } finally {
      await withConn(t.url, (c) => c.query(`DROP USER '${user}'@'%'`));
    }
  });

  it("a first run whose plan installs a dual-write trigger checks the rights before the ledger exists, and leaves no probe behind", async () => {
    const first = await target.create('firstsync');
    try {
      const url = first.url;
      await withConn(url, (c) => c.query("CREATE TABLE items (id int PRIMARY KEY, sku varchar(20), note text)"));
      await withConn(url, (c) => c.query("INSERT INTO items (id, sku) VALUES (1, 'a')"));
      await expand({ url }, v3);
      const tables = await withConn(url, (c) => c.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE '%probe%'"));
      expect(tables).toEqual([]);
      await withConn(url, (c) => c.query("INSERT INTO items (id, sku) VALUES (2, 'b')"));
      const [row] = await withConn(url, (c) => c.query<{ code: string }>('SELECT code FROM items WHERE id = 2'));
      expect(row!.code).toBe('b');
    } finally {
      await first.drop();
    }
  });

  it('explains log_bin_trust_function_creators when binary logging blocks triggers', () => {
    const blocked = explain(Object.assign(new Error('You do not have the SUPER privilege and binary logging is enabled'), { errno: 1419 }));
    expect(blocked.problem).toContain('binary logging is on');
    expect(blocked.fix).toContain('SET GLOBAL log_bin_trust_function_creators = 1');
  });
});
