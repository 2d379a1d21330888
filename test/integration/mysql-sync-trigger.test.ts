/**
 * The MySQL dialect's transition, backfill and scan SQL against the suite's MariaDB, through the
 * real driver: what old and new application code write, what
 * the backfill does batch by batch, and what each scan statement finds in real rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Statement } from '../../src/model/locks.js';
import { mysqlBackfill as backfill } from '../../dialects/mysql/backfill.js';
import { quote } from '../../dialects/mysql/compiler.js';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { mysqlScan as scan } from '../../dialects/mysql/scan.js';
import { createScratchMysql } from '../../dialects/mysql/scratch.js';
import { mysqlTransitions as transitions } from '../../dialects/mysql/transitions.js';
import { updateTriggerName } from '../../dialects/mysql/trigger-names.js';
import type { Connection, ScratchDatabase } from '../../src/dialect.js';
import { columnKey } from '../../src/model/index-entry.js';
import type { ForeignKeyModel } from '../../src/model/schema-model.js';
import type { BackfillJob, KeyedTable } from '../../src/model/keyed-table.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';
import type { PrecheckRule } from '../../src/model/precheck-rule.js';
import { mariadbAdminUrl, noMariadb } from '../support/scratch-databases.js';

const ADMIN_URL = noMariadb ? '' : mariadbAdminUrl();

let scratch: ScratchDatabase;
let conn: Connection;

beforeAll(async () => {
  scratch = await createScratchMysql(ADMIN_URL, 't_sync');
  conn = await connectMysql(scratch.url);
});

afterAll(async () => {
  await conn?.close();
  await scratch?.drop();
});

const run = async (...statements: (string | Statement)[]) => {
  const sql = statements.map((s) => (typeof s === 'string' ? s : s.sql));
  for (const s of sql) await conn.query(s);
};
const rows = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => conn.query<T>(sql, params);
const quietly = async (work: () => Promise<unknown>) => {
  await run(...backfill.quietTriggers(true));
  try {
    await work();
  } finally {
    await run(...backfill.quietTriggers(false));
  }
};
const triggersOf = (table: string) =>
  rows<{ name: string; event: string }>(
    'SELECT TRIGGER_NAME AS name, EVENT_MANIPULATION AS event FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? ORDER BY ACTION_ORDER, TRIGGER_NAME',
    [table],
  );

describe.skipIf(noMariadb)('mysql dual-write triggers', () => {
  it('a rename: each side reaches the other, by exact bytes, and only the INSERT trigger carries the sync name', async () => {
    await run('CREATE TABLE people (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, nick varchar(50), nickname varchar(50), score int)');
    const sync: SyncSpec = { table: 'people', trigger: '_dbtide_sync_people_nickname', forward: { nickname: 'nick' }, backward: { nick: 'nickname' }, fillOnly: false, sources: ['nick'] };
    await run(...transitions.createSyncTrigger(sync));
    expect(await triggersOf('people')).toEqual([
      { name: '_dbtide_sync_people_nickname', event: 'INSERT' },
      { name: updateTriggerName(sync.trigger), event: 'UPDATE' },
    ]);

    await run("INSERT INTO people (id, nick) VALUES (1, 'old')", "INSERT INTO people (id, nickname) VALUES (2, 'new')");
    await run("UPDATE people SET nick = 'old2' WHERE id = 1", "UPDATE people SET nickname = 'new2' WHERE id = 2");
    // The collation finds 'old2' and 'OLD2' equal; the trigger must not.
    await run("UPDATE people SET nick = 'OLD2' WHERE id = 1", 'UPDATE people SET score = 7');
    expect(await rows('SELECT id, nick, nickname FROM people ORDER BY id')).toEqual([
      { id: 1, nick: 'OLD2', nickname: 'OLD2' },
      { id: 2, nick: 'new2', nickname: 'new2' },
    ]);

    await quietly(() => run("INSERT INTO people (id, nick) VALUES (3, 'quiet')", "UPDATE people SET nick = 'hush' WHERE id = 1"));
    expect(await rows('SELECT id, nick, nickname FROM people WHERE id IN (1, 3) ORDER BY id')).toEqual([
      { id: 1, nick: 'hush', nickname: 'OLD2' },
      { id: 3, nick: 'quiet', nickname: null },
    ]);

    // A run stopped between the two triggers is picked up again by the same statements.
    await run(`DROP TRIGGER ${quote(sync.trigger)}`, ...transitions.createSyncTrigger(sync));
    await run(...transitions.dropSyncTrigger('people', sync.trigger));
    expect(await triggersOf('people')).toEqual([]);
  });

  it('a derive with a way back: CONCAT forward, SUBSTRING_INDEX back; the backfill writes past the triggers', async () => {
    await run('CREATE TABLE names (id int PRIMARY KEY, first_name varchar(50), last_name varchar(50), full_name varchar(101))');
    const sync: SyncSpec = {
      table: 'names',
      trigger: '_dbtide_sync_names_full_name',
      forward: { full_name: "CONCAT(first_name, ' ', `last_name`)" },
      backward: { first_name: "SUBSTRING_INDEX(full_name, ' ', 1)", last_name: "SUBSTRING_INDEX(full_name, ' ', -1)" },
      fillOnly: false,
      sources: ['first_name', 'last_name'],
    };
    // Written before the sync: the backfill's to fill.
    await run("INSERT INTO names (id, first_name, last_name) VALUES (1, 'Mary Ann', 'Smith')");
    await run(...transitions.createSyncTrigger(sync));
    await run("INSERT INTO names (id, first_name, last_name) VALUES (2, 'Ada', 'Lovelace')", "INSERT INTO names (id, full_name) VALUES (3, 'Grace Hopper')");
    await run("UPDATE names SET last_name = 'Byron' WHERE id = 2", "UPDATE names SET full_name = 'Alan Turing' WHERE id = 3");

    // Without the quiet flag the UPDATE trigger would take this for new code and split 'Mary Ann Smith' wrongly.
    const job: BackfillJob = { id: 'j', table: 'names', key: ['id'], set: { full_name: sync.forward.full_name! }, where: 'TRUE' };
    await quietly(() => rows(backfill.update(job, false), [1]));
    expect(await rows('SELECT id, first_name, last_name, full_name FROM names ORDER BY id')).toEqual([
      { id: 1, first_name: 'Mary Ann', last_name: 'Smith', full_name: 'Mary Ann Smith' },
      { id: 2, first_name: 'Ada', last_name: 'Byron', full_name: 'Ada Byron' },
      { id: 3, first_name: 'Alan', last_name: 'Turing', full_name: 'Alan Turing' },
    ]);
  });

  it('a fill: fills what is still NULL on INSERT and UPDATE, and leaves what new code wrote', async () => {
    await run('CREATE TABLE places (id int PRIMARY KEY, city text, city_code varchar(3))');
    const sync: SyncSpec = { table: 'places', trigger: '_dbtide_sync_places_city_code', forward: { city_code: "UPPER(LEFT(COALESCE(city, 'zzz'), 3))" }, backward: {}, fillOnly: true, sources: [] };
    await run("INSERT INTO places VALUES (1, 'lisbon', NULL)");
    await run(...transitions.createSyncTrigger(sync));
    await run("INSERT INTO places (id, city) VALUES (2, 'oslo'), (3, NULL)", "INSERT INTO places VALUES (4, 'rome', 'RMA')");
    await run("UPDATE places SET city = 'porto' WHERE id = 1", "UPDATE places SET city = 'milan' WHERE id = 4");
    expect(await rows('SELECT id, city_code FROM places ORDER BY id')).toEqual([
      { id: 1, city_code: 'POR' },
      { id: 2, city_code: 'OSL' },
      { id: 3, city_code: 'ZZZ' },
      { id: 4, city_code: 'RMA' },
    ]);
  });

  it('without a way back: an UPDATE of the sources recomputes, one of the new column by new code stands', async () => {
    await run('CREATE TABLE sums (id int PRIMARY KEY, a int, b int, total int, note text)');
    const sync: SyncSpec = { table: 'sums', trigger: '_dbtide_sync_sums_total', forward: { total: 'a + b' }, backward: {}, fillOnly: false, sources: ['a', 'b'] };
    await run(...transitions.createSyncTrigger(sync));
    await run('INSERT INTO sums (id, a, b) VALUES (1, 1, 2), (2, 10, 20)', 'UPDATE sums SET a = 5 WHERE id = 1', 'UPDATE sums SET total = 99 WHERE id = 2');
    expect(await rows('SELECT id, total FROM sums ORDER BY id')).toEqual([{ id: 1, total: 7 }, { id: 2, total: 99 }]);

    // Without known sources, any UPDATE that leaves the new column alone recomputes it.
    await run(...transitions.dropSyncTrigger('sums', sync.trigger), ...transitions.createSyncTrigger({ ...sync, sources: [] }));
    await run("UPDATE sums SET note = 'x' WHERE id = 2", 'UPDATE sums SET total = 1, a = 0 WHERE id = 1');
    expect(await rows('SELECT id, total FROM sums ORDER BY id')).toEqual([{ id: 1, total: 1 }, { id: 2, total: 30 }]);
    await run(...transitions.dropSyncTrigger('sums', sync.trigger));
  });

  it('reads the row as written when one expression reads a field another assigns', async () => {
    await run('CREATE TABLE chained (id int PRIMARY KEY, x int, a2 int, b2 int)');
    const sync: SyncSpec = { table: 'chained', trigger: '_dbtide_sync_chained', forward: { a2: 'x + 1', b2: 'COALESCE(a2, 0) + 10' }, backward: {}, fillOnly: true, sources: [] };
    await run(...transitions.createSyncTrigger(sync));
    await run('INSERT INTO chained (id, x) VALUES (1, 1)');
    expect(await rows('SELECT a2, b2, @_dbtide_1 AS v FROM chained')).toEqual([{ a2: 2, b2: 10, v: null }]);
  });

  it('a table rename leaves a view old code reads and writes through', async () => {
    await run('CREATE TABLE hosts (id int PRIMARY KEY, hostname text)', "INSERT INTO hosts VALUES (1, 'a')");
    await run(...transitions.renameTableWithAlias('hosts', 'machines'));
    await run("INSERT INTO hosts VALUES (2, 'b')", "UPDATE hosts SET hostname = 'c' WHERE id = 1");
    expect(await rows('SELECT id, hostname FROM machines ORDER BY id')).toEqual([{ id: 1, hostname: 'c' }, { id: 2, hostname: 'b' }]);
    await run(...transitions.dropAlias('hosts'), ...transitions.dropAlias('hosts'));
    expect(await rows("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('hosts', 'machines')")).toEqual([{ name: 'machines' }]);
  });
});

describe.skipIf(noMariadb)('mysql backfill batches', () => {
  const ROWS = 1000;
  const BATCH = 100;

  /** The core's loop, in short: fixed upper key, batches ending `limit` rows on, each its own transaction. */
  async function runJob(job: BackfillJob): Promise<number[]> {
    const [last] = await rows(backfill.lastKey(job));
    const upper = job.key.map((k) => last![k]);
    const counts: number[] = [];
    let after: unknown[] | null = null;
    await run(...backfill.quietTriggers(true));
    for (;;) {
      const from: unknown[] = after ?? [];
      const done = await conn.transaction(async () => {
        const [endRow] = await rows(backfill.batchEnd(job, after !== null), [...from, ...upper, BATCH - 1]);
        const end = endRow ? job.key.map((k) => endRow[k]) : upper;
        const [updated] = await rows<{ n: number }>(backfill.update(job, after !== null), [...from, ...end]);
        counts.push(Number(updated!.n));
        after = end;
        return !endRow;
      });
      if (done) break;
    }
    await run(...backfill.quietTriggers(false));
    return counts;
  }

  it('walks a composite key (a BIGINT part arrives as a string) in batches of the asked size, each row once', async () => {
    await run(
      'CREATE TABLE items (tenant bigint NOT NULL, id int NOT NULL, a int, b int, total int, PRIMARY KEY (tenant, id))',
      `INSERT INTO items (tenant, id, a, b) WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${ROWS})
         SELECT 9007199254740990 + n MOD 3, n, n, 2 * n FROM s`,
    );
    const job: BackfillJob = { id: 'items', table: 'items', key: ['tenant', 'id'], set: { total: 'a + b' }, where: 'total IS NULL' };
    const counts = await runJob(job);
    // The tenth batch ends on the upper key itself, so one more finds nothing left.
    expect(counts).toEqual([...Array.from({ length: ROWS / BATCH }, () => BATCH), 0]);
    expect(await rows('SELECT count(*) AS n, sum(total = 3 * id) AS ok FROM items')).toEqual([{ n: String(ROWS), ok: String(ROWS) }]);
  });

  it('a second run over filled rows still counts the rows it matched, and the range walks the key index', async () => {
    const job: BackfillJob = { id: 'items', table: 'items', key: ['tenant', 'id'], set: { total: 'a + b' }, where: 'TRUE' };
    expect((await runJob(job)).reduce((s, n) => s + n, 0)).toBe(ROWS);
    const params = ['9007199254740991', 10, '9007199254740992', 500];
    const plan = await rows<{ table: string; type: string }>(`EXPLAIN ${backfill.update(job, true)}`, params);
    expect(plan.find((p) => p.table === 'items')?.type).toBe('range');
    await run('CREATE TABLE single (id int PRIMARY KEY)', 'INSERT INTO single VALUES (1), (2), (3)');
    const single: KeyedTable = { table: 'single', key: ['id'] };
    expect(await rows(backfill.batchEnd(single, true), [1, 3, 0])).toEqual([{ id: 2 }]);
    expect(await rows(backfill.batchEnd(single, true), [1, 3, 2])).toEqual([]);
  });
});

describe.skipIf(noMariadb)('mysql scan statements on real rows', () => {
  const users: KeyedTable = { table: 'users', key: ['id'] };
  const accountFk: ForeignKeyModel = { name: 'f', columns: ['account_id'], referencedTable: 'accounts', referencedColumns: ['id'], onDelete: 'no action', onUpdate: 'no action', validated: true };
  const keys = async (rule: PrecheckRule, key = users.key) => (await rows(scan.offenders('users', rule, key))).map((r) => r.id);

  beforeAll(async () => {
    await run(
      'CREATE TABLE accounts (id int PRIMARY KEY)',
      'INSERT INTO accounts VALUES (1), (2)',
      'CREATE TABLE users (id int PRIMARY KEY, email varchar(50), region varchar(10), account_id int, price int, a int, b int, total int)',
      `INSERT INTO users VALUES
         (1, 'a@x', 'eu', 1, 5, 1, 1, 2),
         (2, 'A@x', NULL, 9, 0, 1, 1, 3),
         (3, 'b@x', NULL, NULL, NULL, 1, 1, NULL),
         (4, 'a@x', 'us', 2, -1, NULL, 1, NULL),
         (5, NULL, 'eu', 8, 3, 2, 2, 4),
         (6, NULL, 'eu', 1, 1, 0, 0, 0)`,
      'CREATE TABLE orders (id int PRIMARY KEY, user_id int, FOREIGN KEY (user_id) REFERENCES users (id))',
      'INSERT INTO orders VALUES (10, 2), (11, 2), (12, 1)',
    );
  });

  it('finds each rule’s offenders by key: NULLs, duplicates under the collation, orphans, a failing check, a wrong copy', async () => {
    expect(await keys({ kind: 'not-null', columns: ['region'] })).toEqual([2, 3]);
    expect((await keys({ kind: 'unique', keys: [columnKey('email')], where: null })).sort()).toEqual([2, 4]);
    expect(await keys({ kind: 'foreign-key', foreignKey: accountFk })).toEqual([2, 5]);
    expect(await keys({ kind: 'check', check: { name: 'c', expression: 'price > 0', validated: true } })).toEqual([2, 4]);
    const sync: SyncSpec = { table: 'users', trigger: 't', forward: { total: 'a + b' }, backward: {}, fillOnly: false, sources: [] };
    expect(await keys({ kind: 'verification', sync, exact: true })).toEqual([2, 3]);
    // Only rows left empty where the expression gives a value: 4's a + b is NULL, 2 holds its own.
    expect(await keys({ kind: 'verification', sync, exact: false })).toEqual([3]);
    const [{ n }] = (await rows<{ n: unknown }>(scan.count(scan.offenders('users', { kind: 'unique', keys: [columnKey('email')], where: null }, [])))) as [{ n: unknown }];
    expect(Number(n)).toBe(2);
  });

  it('counts by key range and pages after a key', async () => {
    const rule: PrecheckRule = { kind: 'check', check: { name: 'c', expression: 'price > 0', validated: true } };
    const count = async (after: number | null, upTo: number) =>
      Number((await rows<{ n: unknown }>(scan.countInRange('users', rule, ['id'], after !== null), after === null ? [upTo] : [after, upTo]))[0]!.n);
    expect([await count(null, 2), await count(2, 4), await count(4, 6)]).toEqual([1, 1, 0]);
    const offenders = scan.offenders('users', { kind: 'not-null', columns: ['region'] }, ['id']);
    expect(await rows(scan.page(offenders, ['id'], true, 5), [2])).toEqual([{ id: 3 }]);
    expect(await rows(scan.page(offenders, ['id'], false, 1))).toEqual([{ id: 2 }]);
    const byTwo = scan.offenders('users', { kind: 'not-null', columns: ['region'] }, ['id', 'email']);
    expect(await rows(scan.page(byTwo, ['id', 'email'], true, 5), [2, 'A@x'])).toEqual([{ id: 3, email: 'b@x' }]);
  });

  it('locks only listed rows that still offend, finds their dependents, archives and deletes them, fills defaults', async () => {
    const offenders = scan.offenders('users', { kind: 'foreign-key', foreignKey: accountFk }, ['id']);
    expect(await rows(scan.shadowColumns('shadow_orders'))).toEqual([]);
    // DDL commits on its own in MySQL: the shadow table is made before the chunk's transaction.
    await run('CREATE TABLE shadow_orders (id int NULL, user_id int NULL, dbtide_archived_at timestamp(6) NULL, dbtide_reason text NULL)');
    await run(...scan.markShadow('shadow_orders', 'orders'));
    const shadow = await rows(scan.shadowColumns('shadow_orders'));
    expect(shadow.map((c) => c.column_name)).toEqual(['id', 'user_id', 'dbtide_archived_at', 'dbtide_reason']);
    expect(shadow[0]!.marker).toBe('dbtide:shadow-of:orders');
    await conn.transaction(async () => {
      expect(await rows(scan.lockOffenders('users', ['id'], 3, offenders), [1, 2, 5])).toEqual([{ id: 2 }, { id: 5 }]);
      expect(await rows(scan.dependents({ table: 'orders', key: ['id'] }, { ...accountFk, columns: ['user_id'], referencedTable: 'users' }, ['id'], 2), [2, 5, 2, 5])).toEqual([
        { id: 10 },
        { id: 11 },
      ]);
      expect(await rows(scan.copyToShadow('orders', 'shadow_orders', ['id', 'user_id'], ['id'], 2), ['orphaned?', 10, 11])).toEqual([{ n: 2 }]);
      expect(await rows(scan.deleteRows('orders', ['id'], 2), [10, 11])).toEqual([{ n: 2 }]);
      expect(await rows(scan.deleteRows('users', ['id'], 2), [2, 5])).toEqual([{ n: 2 }]);
    });
    expect(await rows('SELECT id, user_id, dbtide_reason FROM shadow_orders ORDER BY id')).toEqual([
      { id: 10, user_id: 2, dbtide_reason: 'orphaned?' },
      { id: 11, user_id: 2, dbtide_reason: 'orphaned?' },
    ]);
    expect(await rows('SELECT count(*) AS n FROM shadow_orders WHERE dbtide_archived_at > NOW(6) - INTERVAL 1 MINUTE')).toEqual([{ n: '2' }]);

    const region = { name: 'region', type: { kind: 'varchar' as const, length: 10 }, nullable: false, default: { kind: 'literal' as const, value: 'eu' }, identity: null };
    expect(await rows(scan.fillDefault('users', region, ['id'], 2), [1, 3])).toEqual([{ n: 1 }]);
    expect(await rows('SELECT id, region FROM users WHERE id IN (1, 3) ORDER BY id')).toEqual([{ id: 1, region: 'eu' }, { id: 3, region: 'eu' }]);
    expect(await rows(scan.deleteRows('users', ['id', 'email'], 1), [4, 'a@x'])).toEqual([{ n: 1 }]);
  });
});
