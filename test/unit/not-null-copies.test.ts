/**
 * NOT NULL through a copy of the table on MySQL and MariaDB (src/diff/not-null-copies.ts and
 * src/plan/operations/table-copy.ts): which tables take it, the steps and SQL of each state a
 * stopped run can leave, and what is left when the release no longer asks for it.
 */
import { describe, expect, it } from 'vitest';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { changeType } from '../../src/declaration/transitions.js';
import { guardStep } from '../../src/execute/statement-guard.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { mysqlDialect } from '../../dialects/mysql/index.js';
import type { Change } from '../../src/diff/changes.js';
import { COPY_MIN_ROWS, copyBlocker, copyCandidates, indexBlocker, SINGLE_SERVER, throughCopies, TOTAL_ORDER_CLUSTER } from '../../src/diff/not-null-copies.js';
import { plan } from '../../src/plan/planner.js';
import { SERVERS } from '../support/every-change.js';

const MYSQL_COPIES = { notNull: 'table-copy' as const, backfill: 'table-copy' as const, blockingIndexMethods: ['fulltext', 'spatial'] };
import { planWithoutServer } from '../../src/engine.js';
import { emptyTombstones, type DeclaredSchema, type SchemaModel, type TableModel } from '../../src/model/schema-model.js';
import { noOwnedObjects, type ColumnSync, type OwnedObjects } from '../../src/model/transition.js';
import { tableCopyNames } from '../../src/plan/owned-names.js';
import { column as col, foreignKey, idColumn, index, T, table } from '../support/model-builders.js';

const MARIADB = { dialect: mysqlDialect, caps: mysqlCapabilities('10.11.6-MariaDB') };
const names = tableCopyNames('orders');
const COLUMNS = '`id`, `ref`, `note`';

const declaredOrders = (parts: Partial<TableModel> = {}): TableModel =>
  table('orders', { columns: [idColumn(), col('ref', T.varchar(36), { nullable: false }), col('note')], indexes: [index('orders_ref_idx', ['ref', 'id'])], ...parts });
const liveOrders = (parts: Partial<TableModel> = {}): TableModel =>
  table('orders', { columns: [idColumn(), col('ref', T.varchar(36)), col('note')], indexes: [index('orders_ref_idx', ['ref', 'id'])], ...parts });
/** The copy as the server shows it once created: the table, `ref` NOT NULL (MySQL's primary key is named after its table). */
const liveCopy = (parts: Partial<TableModel> = {}): TableModel => ({ ...declaredOrders(), name: names.copy, primaryKey: { name: `${names.copy}_pkey`, columns: ['id'] }, ...parts });

function planOf(want: TableModel, have: TableModel, options: { owned?: Partial<OwnedObjects>; copies?: SchemaModel['copies']; removed?: Partial<DeclaredSchema['removed']>; others?: TableModel[]; unsupported?: SchemaModel['unsupported'] } = {}) {
  const declared: DeclaredSchema = { release: 'r2', model: { tables: { orders: want } }, removed: { ...emptyTombstones(), ...options.removed }, transitions: [] };
  const live: SchemaModel = {
    tables: Object.fromEntries([have, ...(options.others ?? [])].map((t) => [t.name, t])),
    owned: { ...noOwnedObjects(), ...options.owned },
    ...(options.unsupported ? { unsupported: options.unsupported } : {}),
    ...(options.copies ? { copies: options.copies } : {}),
  };
  for (const t of options.others ?? []) declared.model.tables[t.name] = t;
  return planWithoutServer(MARIADB, declared, live, 'app').plan;
}

const ids = (p: ReturnType<typeof planOf>) => p.steps.map((s) => `${s.phase} ${s.id}`);
const ALL_STEPS = ['contract create-table-copy:orders', 'contract copy-table:orders', 'contract swap-table-copy:orders', 'contract drop-replaced-table:orders'];
const triggers = [{ table: 'orders', name: names.triggers.insert }];
const copies = { [names.copy]: liveCopy() };

describe('NOT NULL through a copy of the table', () => {
  it('creates the copy with its triggers, copies the rows, swaps it in by one rename and drops the replaced table, in contract', () => {
    const p = planOf(declaredOrders(), liveOrders());
    expect(ids(p)).toEqual(ALL_STEPS);
    const [create, copy, swap, drop] = p.steps;
    expect(create!.sql).toEqual([
      'DROP TRIGGER IF EXISTS `_dbtide_copy_orders`',
      'DROP TRIGGER IF EXISTS `_dbtide_copy_orders_upd`',
      'DROP TRIGGER IF EXISTS `_dbtide_copy_orders_del`',
      'DROP TABLE IF EXISTS `_dbtide_copy_orders`, `_dbtide_old_orders`',
      'CREATE TABLE `_dbtide_copy_orders` LIKE `orders`',
      'ALTER TABLE `_dbtide_copy_orders` MODIFY COLUMN `ref` varchar(36) NOT NULL',
      "SET @dbtide_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')",
      'CREATE TRIGGER `_dbtide_copy_orders_del` AFTER DELETE ON `orders` FOR EACH ROW DELETE FROM `_dbtide_copy_orders` WHERE `id` = OLD.`id`',
      'CREATE TRIGGER `_dbtide_copy_orders_upd` AFTER UPDATE ON `orders` FOR EACH ROW BEGIN IF NOT (NEW.`id` <=> OLD.`id`) THEN ' +
        `DELETE FROM \`_dbtide_copy_orders\` WHERE \`id\` = OLD.\`id\`; END IF; REPLACE INTO \`_dbtide_copy_orders\` (${COLUMNS}) VALUES (NEW.\`id\`, NEW.\`ref\`, NEW.\`note\`); END`,
      `CREATE TRIGGER \`_dbtide_copy_orders\` AFTER INSERT ON \`orders\` FOR EACH ROW REPLACE INTO \`_dbtide_copy_orders\` (${COLUMNS}) VALUES (NEW.\`id\`, NEW.\`ref\`, NEW.\`note\`)`,
      'SET SESSION sql_mode = @dbtide_sql_mode',
    ]);
    expect(create!.restartsJob).toBe(names.job);
    expect(create!.prechecks.map((c) => c.description)).toEqual(['orders.ref has no NULL']);
    expect(copy!.work).toMatchObject({ kind: 'backfill', job: { id: names.job, table: 'orders', key: ['id'], targetBatchMs: 25, copy: { name: names.copy } } });
    const job = copy!.work?.kind === 'backfill' ? copy!.work.job : null;
    const range = 'FROM `orders` WHERE `orders`.`id` > ? AND `orders`.`id` <= ?';
    const select = `SELECT \`orders\`.\`id\`, \`orders\`.\`ref\`, \`orders\`.\`note\` ${range}`;
    const upsert = 'ON DUPLICATE KEY UPDATE `_dbtide_copy_orders`.`id` = `_dbtide_copy_orders`.`id`';
    // One locking read copies the range.
    expect(job !== null && 'copy' in job && mysqlDialect.transitions.tableCopy!.copyRows('orders', job.copy, true, [])).toEqual([
      `INSERT INTO \`_dbtide_copy_orders\` (${COLUMNS}) ${select} LOCK IN SHARE MODE ${upsert}`,
    ]);
    // With an AUTO_INCREMENT column, whose AUTO-INC lock the INSERT ... SELECT holds, the range is share-locked first.
    const counted = job !== null && 'copy' in job ? { ...job.copy, columns: job.copy.columns.map((c) => (c.name === 'id' ? { ...c, identity: 'by-default' as const } : c)) } : null;
    expect(counted && mysqlDialect.transitions.tableCopy!.copyRows('orders', counted, true, [])).toEqual([
      `SELECT COUNT(*) AS n ${range} LOCK IN SHARE MODE`,
      `INSERT INTO \`_dbtide_copy_orders\` (${COLUMNS}) ${select} ${upsert}`,
    ]);
    expect(mysqlDialect.transitions.tableCopy!.beforeBatch).toEqual(['SET TRANSACTION ISOLATION LEVEL READ COMMITTED']);
    expect(swap!.sql).toEqual([
      "SELECT AUTO_INCREMENT INTO @dbtide_counter FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'",
      "SET @dbtide_counter = CONCAT('ALTER TABLE `_dbtide_copy_orders` AUTO_INCREMENT = ', COALESCE(@dbtide_counter, 1))",
      'PREPARE _dbtide_counter FROM @dbtide_counter',
      'EXECUTE _dbtide_counter',
      'DEALLOCATE PREPARE _dbtide_counter',
      'RENAME TABLE `orders` TO `_dbtide_old_orders`, `_dbtide_copy_orders` TO `orders`',
      'DROP TRIGGER IF EXISTS `_dbtide_copy_orders`',
      'DROP TRIGGER IF EXISTS `_dbtide_copy_orders_upd`',
      'DROP TRIGGER IF EXISTS `_dbtide_copy_orders_del`',
    ]);
    expect(swap).toMatchObject({ together: true, destructive: false, lock: { blocksWrites: false } });
    expect(swap!.prechecks.map((c) => c.description)).toEqual(['orders.ref has no NULL']);
    expect(drop!.sql).toEqual(['DROP TABLE IF EXISTS `_dbtide_old_orders`']);
    expect(p.drift).toEqual([]);
  });

  it('carries every NOT NULL of the table in one copy, and runs what the release does to the table later on the swapped-in copy', () => {
    const want = declaredOrders({ columns: [idColumn(), col('ref', T.varchar(36), { nullable: false }), col('note', T.text, { nullable: false })], indexes: [] });
    const p = planOf(want, liveOrders(), { removed: { indexes: [{ table: 'orders', name: 'orders_ref_idx' }] } });
    expect(ids(p)).toEqual([...ALL_STEPS, 'contract drop-index:orders.orders_ref_idx']);
    expect(p.steps[0]!.sql[5]).toBe('ALTER TABLE `_dbtide_copy_orders` MODIFY COLUMN `ref` varchar(36) NOT NULL, MODIFY COLUMN `note` text NOT NULL');
    expect(p.steps[0]!.prechecks.map((c) => c.description)).toEqual(['orders.ref has no NULL', 'orders.note has no NULL']);
  });

  it("writes a table name with a quote or a backslash into the swap's counter statements as a string literal", () => {
    const odd = "o'r\\d";
    const copy = { ...tableCopyNames(odd), name: tableCopyNames(odd).copy, key: ['id'], columns: [idColumn()], notNull: [], uniques: [], checks: [], swaps: [], indexes: [], fills: [], copying: false, copied: false };
    const [select, concat] = mysqlDialect.transitions.tableCopy!.swap(odd, copy, []).map((s) => s.sql);
    expect(select).toContain("TABLE_NAME = 'o''r\\\\d'");
    expect(concat).toBe("SET @dbtide_counter = CONCAT('ALTER TABLE `_dbtide_copy_o''r\\\\d` AUTO_INCREMENT = ', COALESCE(@dbtide_counter, 1))");
  });

  it('leaves a generated column out of what the triggers and batches write: the copy computes it', () => {
    const total = col('total', { kind: 'native', sql: 'int GENERATED ALWAYS AS (`id` + 1) VIRTUAL' });
    const p = planOf(declaredOrders({ columns: [...declaredOrders().columns, total] }), liveOrders({ columns: [...liveOrders().columns, total] }));
    const create = p.steps[0]!.sql.join('\n');
    expect(create).toContain(`REPLACE INTO \`_dbtide_copy_orders\` (${COLUMNS}) VALUES (NEW.\`id\`, NEW.\`ref\`, NEW.\`note\`)`);
    const job = p.steps[1]!.work?.kind === 'backfill' ? p.steps[1]!.work.job : null;
    expect(job !== null && 'copy' in job && mysqlDialect.transitions.tableCopy!.copyRows('orders', job.copy, false, []).at(-1)).toMatch(/^INSERT INTO `_dbtide_copy_orders` \(`id`, `ref`, `note`\) SELECT `orders`.`id`, `orders`.`ref`, `orders`.`note` FROM/);
  });

  it('goes on from what a stopped run left: the copy and its triggers are not drift, done steps are not planned again', () => {
    const copied = planOf(declaredOrders(), liveOrders(), { owned: { triggers, finishedJobs: [names.job] }, copies });
    expect(ids(copied)).toEqual(ALL_STEPS.slice(2));
    const halfway = planOf(declaredOrders(), liveOrders(), { owned: { triggers }, copies });
    expect(ids(halfway)).toEqual(ALL_STEPS.slice(1));
    expect(halfway.steps[0]!.prechecks.map((c) => c.description)).toEqual(['orders.ref has no NULL']);
    expect(halfway.drift).toEqual([]);
  });

  it('creates the copy again, and copies from the first row, when its triggers are incomplete or it no longer matches the table', () => {
    const noTrigger = planOf(declaredOrders(), liveOrders(), { owned: { finishedJobs: [names.job] }, copies });
    expect(ids(noTrigger)).toEqual(ALL_STEPS);
    expect(noTrigger.steps[0]!.restartsJob).toBe(names.job);
    // A column added to the table since the copy was made: the swap would lose it.
    const grown = liveOrders({ columns: [...liveOrders().columns, col('extra')] });
    expect(ids(planOf(declaredOrders({ columns: [...declaredOrders().columns, col('extra')] }), grown, { owned: { triggers, finishedJobs: [names.job] }, copies }))).toEqual(ALL_STEPS);
  });

  it('takes down what a copy left once no NOT NULL asks for it: triggers first, then the copy and a replaced table', () => {
    const p = planOf(liveOrders(), liveOrders(), { owned: { triggers }, copies: { ...copies, [names.old]: liveOrders({ name: names.old }) } });
    expect(ids(p)).toEqual(['contract drop-table-copy:orders']);
    expect(p.steps[0]!.sql).toEqual([
      'DROP TRIGGER IF EXISTS `_dbtide_copy_orders`',
      'DROP TRIGGER IF EXISTS `_dbtide_copy_orders_upd`',
      'DROP TRIGGER IF EXISTS `_dbtide_copy_orders_del`',
      'DROP TABLE IF EXISTS `_dbtide_copy_orders`',
      'DROP TABLE IF EXISTS `_dbtide_old_orders`',
    ]);
    expect(p.drift).toEqual([]);
    // After a swap whose drop did not run: the replaced table alone.
    const swapped = planOf(declaredOrders(), declaredOrders(), { copies: { [names.old]: liveOrders({ name: names.old }) } });
    expect(swapped.steps.map((s) => s.sql)).toEqual([['DROP TABLE IF EXISTS `_dbtide_old_orders`']]);
    // A copy whose table is gone.
    const orphan = throughCopies([], { tables: {}, copies: { _dbtide_copy_gone: liveOrders({ name: '_dbtide_copy_gone' }) } }, undefined, MYSQL_COPIES);
    expect(orphan).toEqual([{ kind: 'drop-table-copy', table: '_dbtide_copy_gone', leftover: { copy: '_dbtide_copy_gone', old: null, triggers: null } }]);
  });

  it('rebuilds a table estimated below COPY_MIN_ROWS in place, unless a stopped run left its copy', () => {
    const declared = declaredOrders();
    const setNotNull: Change = { kind: 'set-not-null', table: 'orders', column: declared.columns[1]! };
    const kinds = (live: SchemaModel, rows: number) => throughCopies([setNotNull], live, { orders: rows }, MYSQL_COPIES).map((c) => c.kind);
    const live: SchemaModel = { tables: { orders: liveOrders() } };
    expect(kinds(live, COPY_MIN_ROWS - 1)).toEqual(['set-not-null']);
    expect(kinds(live, COPY_MIN_ROWS)).toEqual(['set-not-null-through-copy']);
    const left: SchemaModel = { tables: { orders: liveOrders() }, owned: { ...noOwnedObjects(), triggers: [{ table: 'orders', name: names.triggers.insert }] } };
    expect(kinds(left, 10)).toEqual(['set-not-null-through-copy']);
    const want: DeclaredSchema = { release: 'r2', model: { tables: { orders: declared } }, removed: emptyTombstones(), transitions: [] };
    expect(copyCandidates(want, live, MYSQL_COPIES)).toEqual(['orders']);
    expect(copyCandidates(want, { tables: { orders: declared } }, MYSQL_COPIES)).toEqual([]);
  });

  it('on a cluster that replicates DDL in total order, copies from 10,000 rows and makes the copy with the unique keys the table gains', () => {
    const declared = declaredOrders();
    const key = { name: 'orders_ref_key', columns: ['ref'] };
    const setNotNull: Change = { kind: 'set-not-null', table: 'orders', column: declared.columns[1]! };
    const addUnique: Change = { kind: 'add-unique', table: 'orders', key, existingIndex: null };
    const dropIndex: Change = { kind: 'drop-index', table: 'orders', name: 'orders_ref_idx' } as Change;
    const live: SchemaModel = { tables: { orders: liveOrders() } };
    const through = (changes: Change[], rows: number, cluster = TOTAL_ORDER_CLUSTER) => throughCopies(changes, live, { orders: rows }, MYSQL_COPIES, cluster);
    const [copy, ...rest] = through([setNotNull, addUnique, dropIndex], 10_000);
    expect(copy).toMatchObject({ kind: 'set-not-null-through-copy', table: 'orders', copy: { notNull: [declared.columns[1]], uniques: [key] } });
    expect(rest).toEqual([dropIndex]);
    // A unique key alone goes through a copy too; below the cluster's threshold, or on one server, it is built in place.
    expect(through([addUnique], 50_000)).toMatchObject([{ kind: 'set-not-null-through-copy', copy: { notNull: [], uniques: [key] } }]);
    expect(through([setNotNull, addUnique], 9_999).map((c) => c.kind)).toEqual(['set-not-null', 'add-unique']);
    expect(through([setNotNull, addUnique], COPY_MIN_ROWS, SINGLE_SERVER).map((c) => c.kind)).toEqual(['set-not-null-through-copy', 'add-unique']);
    // An index of the key's name left by a stopped build: the key is finished in place.
    expect(through([{ ...addUnique, existingIndex: { valid: true } }], 50_000).map((c) => c.kind)).toEqual(['add-unique']);
    const want: DeclaredSchema = { release: 'r2', model: { tables: { orders: { ...liveOrders(), uniques: [key] } } }, removed: emptyTombstones(), transitions: [] };
    expect(copyCandidates(want, live, MYSQL_COPIES, TOTAL_ORDER_CLUSTER)).toEqual(['orders']);
    expect(copyCandidates(want, live, MYSQL_COPIES)).toEqual([]);
  });

  it('makes the copy with the keys before its triggers, and the swap provides them', () => {
    const key = { name: 'orders_ref_key', columns: ['ref'] };
    const declared: DeclaredSchema = { release: 'r2', model: { tables: { orders: declaredOrders({ uniques: [key] }) } }, removed: emptyTombstones(), transitions: [] };
    const changes = throughCopies(
      [{ kind: 'set-not-null', table: 'orders', column: declaredOrders().columns[1]! }, { kind: 'add-unique', table: 'orders', key, existingIndex: null }],
      { tables: { orders: liveOrders() } },
      { orders: 50_000 },
      MYSQL_COPIES,
      TOTAL_ORDER_CLUSTER,
    );
    expect(changes).toHaveLength(1);
    const p = planWithoutServer(MARIADB, declared, { tables: { orders: liveOrders() }, owned: noOwnedObjects() }, 'app').plan;
    // Offline there is no cluster: the key is built on the table, after the copy for the NOT NULL.
    expect(ids(p)).toEqual([...ALL_STEPS, 'contract add-unique:orders.orders_ref_key']);
    const sql = mysqlDialect.transitions.tableCopy!.create('orders', (changes[0] as Extract<Change, { kind: 'set-not-null-through-copy' }>).copy, [], [{ sql: 'ALTER TABLE `_dbtide_copy_orders` ADD CONSTRAINT `orders_ref_key` UNIQUE (`ref`)', lock: { level: 'x', blocksWrites: false, rewritesTable: false, rank: 0 } }]).map((s) => s.sql);
    const keyAt = sql.findIndex((s) => s.includes('ADD CONSTRAINT `orders_ref_key`'));
    expect(keyAt).toBeGreaterThan(sql.findIndex((s) => s.startsWith('CREATE TABLE `_dbtide_copy_orders` LIKE')));
    expect(keyAt).toBeLessThan(sql.findIndex((s) => s.startsWith('CREATE TRIGGER')));
  });

  describe('keeps the in-place rebuild where a copy cannot carry the table', () => {
    const rebuilds = (p: ReturnType<typeof planOf>) => expect(ids(p)).toEqual(['contract set-not-null:orders.ref']);
    const declared = declaredOrders().columns[1]!;
    const setNotNull: Change = { kind: 'set-not-null', table: 'orders', column: declared };
    it('without a primary key to copy by', () => {
      rebuilds(planOf(declaredOrders({ primaryKey: null }), liveOrders({ primaryKey: null })));
    });
    it('when a foreign key uses the table, on either side (a rename takes it along)', () => {
      const refs = table('refs', { columns: [idColumn()] });
      const fk = { foreignKeys: [foreignKey('orders_refs_fkey', ['id'], 'refs')] };
      rebuilds(planOf(declaredOrders(fk), liveOrders(fk), { others: [refs] }));
      const child = table('items', { columns: [idColumn(), col('order_id', T.bigint)], foreignKeys: [foreignKey('items_order_fkey', ['order_id'], 'orders')] });
      rebuilds(planOf(declaredOrders(), liveOrders(), { others: [child] }));
    });
    it('while a dual-write trigger of a transition writes the table', () => {
      rebuilds(planOf(declaredOrders(), liveOrders(), { owned: { triggers: [{ table: 'orders', name: '_dbtide_sync_orders_note' }] } }));
    });
    it('when the server keeps something of the table dbtide does not model (a trigger of the application, partitions)', () => {
      const trigger = { kind: 'trigger', name: 'orders_audit', table: 'orders', detail: 'AFTER INSERT FOR EACH ROW: ...' };
      rebuilds(planOf(declaredOrders(), liveOrders(), { unsupported: [trigger] }));
      expect(copyBlocker('orders', [setNotNull], { tables: { orders: liveOrders() }, unsupported: [trigger] })).toBe(
        'the server keeps trigger orders_audit on the table, which dbtide does not model and a copy would not carry',
      );
    });
    it('when the release changes the table in a step that runs before the NOT NULL', () => {
      const live: SchemaModel = { tables: { orders: liveOrders() } };
      expect(copyBlocker('orders', [setNotNull], live)).toBeNull();
      const rename: Change = { kind: 'rename-object', table: 'orders', object: 'index', from: 'orders_ref_idx', to: 'orders_by_ref' };
      expect(copyBlocker('orders', [setNotNull, rename], live)).toBe('the release also changes the table before its NOT NULL (rename-object)');
      const addColumn: Change = { kind: 'add-column', table: 'orders', column: col('extra') };
      expect(copyBlocker('orders', [setNotNull, addColumn], live)).toBe('the release also changes the table before its NOT NULL (add-column)');
      const later: Change = { kind: 'drop-index', table: 'orders', name: 'orders_ref_idx' };
      expect(copyBlocker('orders', [setNotNull, later], live)).toBeNull();
    });
  });
});

describe('backfills through a copy of the table', () => {
  const sync: ColumnSync = {
    kind: 'column-sync', id: 'r2:orders:ref', table: 'orders', trigger: '_dbtide_sync_orders_ref', declaredAs: 'change-type',
    forward: {}, backward: {}, retires: [], sources: ['ref'], fillOnly: false,
    swap: { column: 'ref', shadow: '_dbtide_new_ref', type: T.varchar(64), using: null, from: T.varchar(36) },
  };
  const backfill: Change = { kind: 'backfill', table: 'orders', sync, key: ['id'] };
  const withShadow = (parts: Partial<TableModel> = {}) => liveOrders({ columns: [...liveOrders().columns, col('_dbtide_new_ref', T.varchar(64))], ...parts });
  const synced = (parts: Partial<OwnedObjects> = {}): OwnedObjects => ({ ...noOwnedObjects(), triggers: [{ table: 'orders', name: sync.trigger }], ...parts });
  const through = (live: Partial<SchemaModel>, rows = COPY_MIN_ROWS, caps: Parameters<typeof throughCopies>[3] = MYSQL_COPIES) =>
    throughCopies([backfill], { tables: { orders: withShadow() }, owned: synced(), ...live }, { orders: rows }, caps);

  it('takes a large table whose triggers are its syncs', () => {
    const [change] = through({});
    expect(change).toMatchObject({ kind: 'backfill-through-copy', table: 'orders', copy: { fills: [sync], notNull: [], copying: false, copied: false } });
  });

  it('keeps the UPDATE for a small table, a foreign key, another trigger, and a server that backfills in place', () => {
    const kinds = (changes: Change[]) => changes.map((c) => c.kind);
    expect(kinds(through({}, COPY_MIN_ROWS - 1))).toEqual(['backfill']);
    expect(kinds(through({ tables: { orders: withShadow({ foreignKeys: [foreignKey('orders_user_fk', ['id'], 'users')] }) } }))).toEqual(['backfill']);
    expect(kinds(through({ owned: synced({ triggers: [{ table: 'orders', name: sync.trigger }, { table: 'orders', name: '_dbtide_sync_orders_other' }] }) }))).toEqual(['backfill']);
    expect(kinds(through({}, COPY_MIN_ROWS, { notNull: 'table-copy', backfill: 'update', blockingIndexMethods: [] }))).toEqual(['backfill']);
  });

  it('goes on from a copy a stopped migrate left, and does not take it for a leftover', () => {
    const copy = { ...withShadow(), name: names.copy, primaryKey: { name: `${names.copy}_pkey`, columns: ['id'] } };
    const owned = synced({ triggers: [{ table: 'orders', name: sync.trigger }, { table: 'orders', name: names.triggers.insert }], finishedJobs: [names.fillJob] });
    const changes = through({ copies: { [names.copy]: copy }, owned }, 10);
    expect(changes).toMatchObject([{ kind: 'backfill-through-copy', copy: { copying: true, copied: true } }]);
  });

  it("computes the new columns in the copy's SELECT where still empty, and puts the syncs' triggers on the copy, under their moved names, before the rename", () => {
    const sql = mysqlDialect.transitions.tableCopy!;
    const [change] = through({});
    const copy = (change as Extract<Change, { kind: 'backfill-through-copy' }>).copy;
    const spec: SyncSpec = { table: 'orders', trigger: sync.trigger, forward: { _dbtide_new_ref: 'CAST(`ref` AS CHAR(64))' }, backward: { ref: 'CAST(`_dbtide_new_ref` AS CHAR(36))' }, fillOnly: false, sources: ['ref'] };
    const insert = sql.copyRows('orders', copy, false, [spec]).at(-1);
    expect(insert).toContain('SELECT `orders`.`id`, `orders`.`ref`, `orders`.`note`, CASE WHEN `orders`.`_dbtide_new_ref` IS NULL THEN CAST(`ref` AS CHAR(64)) ELSE `orders`.`_dbtide_new_ref` END FROM');
    // A row a writer's trigger carried before the batch came (an update of note leaves the new column empty) gets the fill.
    expect(insert).toMatch(/ ON DUPLICATE KEY UPDATE `_dbtide_copy_orders`.`_dbtide_new_ref` = COALESCE\(`_dbtide_copy_orders`.`_dbtide_new_ref`, VALUES\(`_dbtide_new_ref`\)\)$/);
    // The carried rows are marked, and the mark is cleared when the carry fails.
    const created = sql.create('orders', copy, [spec], []).map((s) => s.sql);
    expect(created.find((s) => s.startsWith('CREATE TRIGGER `_dbtide_copy_orders` AFTER INSERT'))).toContain(
      'DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN SET @dbtide_carrying = NULL; RESIGNAL; END; SET @dbtide_carrying = 1; REPLACE INTO',
    );
    expect(created.some((s) => s.startsWith('ALTER TABLE'))).toBe(false);
    // A carried row whose new column is still empty (a write to note) gets the fill, as the batch would give it.
    expect(created.find((s) => s.startsWith('CREATE TRIGGER `_dbtide_copy_orders_upd`'))).toContain(
      'VALUES (NEW.`id`, NEW.`ref`, NEW.`note`, CASE WHEN NEW.`_dbtide_new_ref` IS NULL THEN CAST(NEW.`ref` AS CHAR(64)) ELSE NEW.`_dbtide_new_ref` END)',
    );
    const swap = sql.swap('orders', copy, [spec]).map((s) => s.sql);
    const rename = swap.findIndex((s) => s.startsWith('RENAME TABLE'));
    const moved = swap.findIndex((s) => s.startsWith('CREATE TRIGGER `_dbtidm_sync_orders_ref` BEFORE INSERT ON `_dbtide_copy_orders`'));
    expect(moved).toBeGreaterThan(-1);
    expect(moved).toBeLessThan(rename);
    expect(swap[moved]).toContain("IF NOT (@dbtide_backfill <=> 'on') AND @dbtide_carrying IS NULL THEN");
    // The swap's statements pass the migrate guard: dbtide's own objects, and a rename that keeps the table's name.
    expect(() => guardStep('migrate', [...created, ...swap, sql.dropOld(copy.old).sql], mysqlDialect.statements)).not.toThrow();
  });

  it('plans the copy in migrate, for a changeType declared as usual: the swap records the backfill done and provides it', () => {
    const v1 = defineSchema({ release: 'v1', tables: { orders: { columns: { id: 'int', ref: 'varchar(36)', note: 'text' }, primaryKey: ['id'] } } });
    const v2 = normalizeSchema(defineSchema({ release: 'v2', extends: v1, tables: { orders: { columns: { ref: 'varchar(64)' } } }, transitions: [changeType('orders', 'ref')] }));
    const [declaredSync] = v2.transitions as ColumnSync[];
    const live: SchemaModel = {
      tables: { orders: table('orders', { columns: [idColumn(), col('ref', T.varchar(36)), col('note'), col(declaredSync!.swap!.shadow, T.varchar(64))] }) },
      owned: synced({ triggers: [{ table: 'orders', name: declaredSync!.trigger }] }),
    };
    const p = planWithoutServer(MARIADB, v2, live, 'app').plan;
    const migrate = p.steps.filter((s) => s.phase === 'migrate');
    expect(migrate.map((s) => s.operation)).toEqual(['create-table-copy', 'copy-table', 'swap-table-copy', 'drop-replaced-table']);
    expect(migrate[2]).toMatchObject({ finishesJobs: [declaredSync!.id], provides: [`backfilled:${declaredSync!.id}`] });
    expect(migrate[1]!.work).toMatchObject({ kind: 'backfill', job: { id: names.fillJob, fills: [{ trigger: declaredSync!.trigger }] } });
  });
});

describe("a type change's swap on a cluster that replicates DDL in total order", () => {
  const v1 = defineSchema({ release: 'v1', tables: { orders: { columns: { id: 'int', ref: 'varchar(36)', note: 'text' }, primaryKey: ['id'] } } });
  const v2 = normalizeSchema(defineSchema({ release: 'v2', extends: v1, tables: { orders: { columns: { ref: { type: 'varchar(64)', nullable: false } } } }, transitions: [changeType('orders', 'ref')] }));
  const [sync] = v2.transitions as ColumnSync[];
  const shadow = sync!.swap!.shadow;
  const liveTable = (parts: Partial<TableModel> = {}) => table('orders', { columns: [idColumn(), col('ref', T.varchar(36)), col('note'), col(shadow, T.varchar(64))], ...parts });
  const live = (parts: Partial<SchemaModel> = {}): SchemaModel => ({ tables: { orders: liveTable() }, owned: { ...noOwnedObjects(), triggers: [{ table: 'orders', name: sync!.trigger }], finishedJobs: [sync!.id] }, ...parts });
  const swap: Change = { kind: 'swap-column', table: 'orders', sync: sync! };
  const notNull: Change = { kind: 'set-not-null', table: 'orders', column: v2.model.tables.orders!.columns[1]! };
  const copyOf = (changes: Change[]) => (changes[0] as Extract<Change, { kind: 'set-not-null-through-copy' }>).copy;

  it('goes through a copy made with the shadow under the column\'s name, whatever the table\'s size; one server keeps the swap under LOCK TABLES', () => {
    const changes = throughCopies([swap, notNull], live(), { orders: 10 }, MYSQL_COPIES, TOTAL_ORDER_CLUSTER);
    expect(changes.map((c) => c.kind)).toEqual(['set-not-null-through-copy']);
    const copy = copyOf(changes);
    expect(copy.swaps).toEqual([sync]);
    expect(copy.columns.map((c) => c.name)).toEqual(['id', 'note', 'ref']);
    const sql = mysqlDialect.transitions.tableCopy!;
    const create = sql.create('orders', copy, [], []).map((s) => s.sql);
    expect(create.slice(4, 7)).toEqual([
      'CREATE TABLE `_dbtide_copy_orders` LIKE `orders`',
      `ALTER TABLE \`_dbtide_copy_orders\` DROP COLUMN \`ref\`, RENAME COLUMN \`${shadow}\` TO \`ref\``,
      'ALTER TABLE `_dbtide_copy_orders` MODIFY COLUMN `ref` varchar(64) NOT NULL',
    ]);
    // The table's columns the copy's are read from: the shadow for the swapped one.
    expect(create.find((s) => s.startsWith('CREATE TRIGGER `_dbtide_copy_orders` AFTER INSERT'))).toContain(`VALUES (NEW.\`id\`, NEW.\`note\`, NEW.\`${shadow}\`)`);
    expect(sql.copyRows('orders', copy, true, [])[0]).toContain(`SELECT \`orders\`.\`id\`, \`orders\`.\`note\`, \`orders\`.\`${shadow}\` FROM`);
    const swapped = sql.swap('orders', copy, []).map((s) => s.sql);
    expect(swapped.slice(5, 7)).toEqual(['RENAME TABLE `orders` TO `_dbtide_old_orders`, `_dbtide_copy_orders` TO `orders`', 'DROP TRIGGER IF EXISTS `_dbtide_copy_orders`']);
    expect(swapped).toContain(`DROP TRIGGER IF EXISTS \`${sync!.trigger}\``);
    expect([...create, ...swapped].some((s) => /LOCK TABLES/.test(s))).toBe(false);
    // A copy a stopped run left, shaped so, is gone on from.
    const shaped = table(names.copy, { columns: [idColumn(), col('note'), col('ref', T.varchar(64), { nullable: false })], primaryKey: { name: `${names.copy}_pkey`, columns: ['id'] } });
    const owned = { ...noOwnedObjects(), triggers: [{ table: 'orders', name: sync!.trigger }, { table: 'orders', name: names.triggers.insert }], finishedJobs: [sync!.id] };
    expect(copyOf(throughCopies([swap, notNull], live({ copies: { [names.copy]: shaped }, owned }), { orders: 10 }, MYSQL_COPIES, TOTAL_ORDER_CLUSTER)).copying).toBe(true);
    // On one server the swap stays in place.
    expect(throughCopies([swap], live(), { orders: 10 }, MYSQL_COPIES, SINGLE_SERVER)).toEqual([swap]);
    expect(mysqlDialect.transitions.swapColumn('orders', 'ref', shadow, sync!.trigger, { tableLock: true })[0]!.sql).toBe('LOCK TABLES `orders` WRITE');
  });

  it('where no copy can carry the table, swaps without a table lock, the ALTER before the triggers\' drop, and says why', () => {
    const child = table('items', { columns: [idColumn(), col('order_id', T.int)], foreignKeys: [foreignKey('items_order_fkey', ['order_id'], 'orders')] });
    const changes = throughCopies([swap], live({ tables: { orders: liveTable(), items: child } }), { orders: 10 }, MYSQL_COPIES, TOTAL_ORDER_CLUSTER);
    expect(changes).toEqual([{ ...swap, unlocked: 'a foreign key uses the table' }]);
    const sql = mysqlDialect.transitions.swapColumn('orders', 'ref', shadow, sync!.trigger, { tableLock: false }).map((s) => s.sql);
    expect(sql[0]).toMatch(/^ALTER TABLE `orders` DROP COLUMN `ref`, RENAME COLUMN/);
    expect(sql.slice(1).every((s) => s.startsWith('DROP TRIGGER'))).toBe(true);
  });
});

describe("a large table's new index on a cluster that replicates DDL in total order", () => {
  const noteIndex = index('orders_note_idx', ['note']);
  const addIndex: Change = { kind: 'add-index', table: 'orders', index: noteIndex };
  const live: SchemaModel = { tables: { orders: liveOrders() }, owned: noOwnedObjects() };
  const through = (changes: Change[], rows = 50_000, cluster = TOTAL_ORDER_CLUSTER, caps = MYSQL_COPIES) => throughCopies(changes, live, { orders: rows }, caps, cluster);

  it('is built on a copy in expand, before the copy\'s triggers, and swapped in by one rename', () => {
    const changes = through([addIndex]);
    expect(changes).toMatchObject([{ kind: 'index-through-copy', table: 'orders', copy: { indexes: [noteIndex], job: names.indexJob } }]);
    const mariadb = SERVERS.find((s) => s.name === 'MariaDB 10.11')!;
    const steps = plan(changes, { ...mariadb, tables: { orders: liveOrders() } }).steps;
    expect(steps.map((s) => `${s.phase} ${s.id}`)).toEqual([
      'expand create-table-copy:orders.orders_note_idx', 'expand copy-table:orders.orders_note_idx', 'expand swap-table-copy:orders.orders_note_idx', 'expand drop-replaced-table:orders.orders_note_idx',
    ]);
    const create = steps[0]!;
    const indexAt = create.sql.findIndex((q) => q.includes('`_dbtide_copy_orders`') && q.includes('`orders_note_idx`'));
    expect(indexAt).toBeGreaterThan(create.sql.findIndex((q) => q.startsWith('CREATE TABLE `_dbtide_copy_orders` LIKE')));
    expect(indexAt).toBeLessThan(create.sql.findIndex((q) => q.startsWith('CREATE TRIGGER')));
    // Built on the empty copy: the step reads no rows, whatever the table holds.
    expect(create.lock).toMatchObject({ blocksWrites: false, rewritesTable: false });
    expect(create.lock.scansTable).toBeUndefined();
    expect(steps[2]!.provides).toEqual([`index:orders.orders_note_idx`]);
  });

  it('is built in place on a small table, on one server, as a unique or a blocking index, and where expand changes the table otherwise', () => {
    const kinds = (changes: Change[]) => changes.map((c) => c.kind);
    expect(kinds(through([addIndex], 9_999))).toEqual(['add-index']);
    expect(kinds(through([addIndex], 1_000_000, SINGLE_SERVER))).toEqual(['add-index']);
    expect(kinds(through([{ ...addIndex, index: { ...noteIndex, unique: true } }]))).toEqual(['add-index']);
    expect(kinds(through([{ ...addIndex, index: { ...noteIndex, using: 'fulltext' } }]))).toEqual(['add-index']);
    const addColumn: Change = { kind: 'add-column', table: 'orders', column: col('extra') } as Change;
    expect(kinds(through([addColumn, addIndex]))).toEqual(['add-column', 'add-index']);
    expect(indexBlocker('orders', [addColumn, addIndex], live)).toBe('the release also changes the table in expand (add-column)');
    // What runs in later phases leaves it alone.
    const setNotNull: Change = { kind: 'set-not-null', table: 'orders', column: declaredOrders().columns[1]! };
    expect(kinds(through([addIndex, setNotNull]))).toEqual(['index-through-copy', 'set-not-null-through-copy']);
  });
});

describe('a new check constraint on a cluster that replicates DDL in total order', () => {
  const check = { name: 'orders_note_ck', expression: "note <> ''", validated: true };
  const addCheck: Change = { kind: 'add-check', table: 'orders', check, existing: 'none' };
  const live: SchemaModel = { tables: { orders: liveOrders() }, owned: noOwnedObjects() };

  it('goes into the copy with the NOT NULLs and keys, validated on no rows, its violations checked first', () => {
    const changes = throughCopies([addCheck], live, { orders: 50_000 }, MYSQL_COPIES, TOTAL_ORDER_CLUSTER);
    expect(changes).toMatchObject([{ kind: 'set-not-null-through-copy', copy: { checks: [check], notNull: [], uniques: [] } }]);
    const mariadb = SERVERS.find((s) => s.name === 'MariaDB 10.11')!;
    const steps = plan(changes, { ...mariadb, tables: { orders: liveOrders() } }).steps;
    expect(steps.map((s) => `${s.phase} ${s.operation}`)).toEqual(['contract create-table-copy', 'contract copy-table', 'contract swap-table-copy', 'contract drop-replaced-table']);
    expect(steps[0]!.sql.filter((q) => q.includes("ADD CONSTRAINT `orders_note_ck`"))).toEqual(["ALTER TABLE `_dbtide_copy_orders` ADD CONSTRAINT `orders_note_ck` CHECK (note <> ''), ALGORITHM=COPY, LOCK=SHARED"]);
    expect(steps[0]!.lock).toMatchObject({ blocksWrites: false, rewritesTable: false });
    expect(steps[0]!.prechecks.map((p) => p.description)).toEqual(["every orders row satisfies note <> ''"]);
    expect(steps[2]!.provides).toEqual(['constraint:orders.orders_note_ck']);
    // On one server, or below the cluster's size, the server adds it in place.
    expect(throughCopies([addCheck], live, { orders: 50_000 }, MYSQL_COPIES, SINGLE_SERVER)).toEqual([addCheck]);
    expect(throughCopies([addCheck], live, { orders: 9_999 }, MYSQL_COPIES, TOTAL_ORDER_CLUSTER)).toEqual([addCheck]);
  });
});
