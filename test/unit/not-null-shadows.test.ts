/**
 * NOT NULL through a shadow column on MariaDB 10.6+ (src/diff/not-null-shadows.ts and
 * src/plan/operations/not-null-shadow.ts): which columns take it, the steps and SQL of each state a
 * stopped run can leave, and what is left when the release no longer asks for it.
 */
import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { mysqlDialect } from '../../dialects/mysql/index.js';
import { mysqlNotNullShadow } from '../../dialects/mysql/not-null-shadow.js';
import type { Change } from '../../src/diff/changes.js';
import { notNullCandidates, SHADOW_MIN_ROWS, shadowBlocker, throughShadows } from '../../src/diff/not-null-shadows.js';
import { planWithoutServer } from '../../src/engine.js';
import { emptyTombstones, type DeclaredSchema, type SchemaModel, type TableModel } from '../../src/model/schema-model.js';
import { noOwnedObjects, type OwnedObjects } from '../../src/model/transition.js';
import { notNullShadowNames } from '../../src/plan/owned-names.js';
import { check, column as col, foreignKey, idColumn, index, T, table } from '../support/model-builders.js';

const MARIADB = { dialect: mysqlDialect, caps: mysqlCapabilities('10.11.6-MariaDB') };
const names = notNullShadowNames('orders', 'ref');

const declaredOrders = (parts: Partial<TableModel> = {}): TableModel =>
  table('orders', { columns: [idColumn(), col('ref', T.varchar(36), { nullable: false }), col('note')], indexes: [index('orders_ref_idx', ['ref', 'id'])], ...parts });
const liveOrders = (parts: Partial<TableModel> = {}): TableModel =>
  table('orders', { columns: [idColumn(), col('ref', T.varchar(36)), col('note')], indexes: [index('orders_ref_idx', ['ref', 'id'])], ...parts });

function planOf(want: TableModel, have: TableModel, options: { owned?: Partial<OwnedObjects>; removed?: Partial<DeclaredSchema['removed']>; server?: typeof MARIADB; others?: TableModel[] } = {}) {
  const declared: DeclaredSchema = { release: 'r2', model: { tables: { orders: want } }, removed: { ...emptyTombstones(), ...options.removed }, transitions: [] };
  const live: SchemaModel = {
    tables: Object.fromEntries([have, ...(options.others ?? [])].map((t) => [t.name, t])),
    owned: { ...noOwnedObjects(), ...options.owned },
  };
  for (const t of options.others ?? []) declared.model.tables[t.name] = t;
  return planWithoutServer(options.server ?? MARIADB, declared, live, 'app').plan;
}

const ids = (p: ReturnType<typeof planOf>) => p.steps.map((s) => `${s.phase} ${s.id}`);

describe('NOT NULL through a shadow column', () => {
  it('adds, fills, indexes and swaps in the shadow in contract, each index copied and renamed back', () => {
    const p = planOf(declaredOrders(), liveOrders());
    expect(ids(p)).toEqual([
      'contract add-shadow-column:orders.ref',
      'contract fill-shadow-column:orders.ref',
      `contract index-shadow-column:orders.${names.index('orders_ref_idx')}`,
      'contract swap-shadow-column:orders.ref',
    ]);
    const [add, fill, build, swap] = p.steps;
    expect(add!.sql).toEqual([
      "ALTER TABLE `orders` ADD COLUMN `_dbtide_nn_ref` varchar(36) NOT NULL DEFAULT '' AFTER `ref`, ALGORITHM=INSTANT, LOCK=DEFAULT",
      'CREATE TRIGGER IF NOT EXISTS `_dbtide_nncopy_orders_ref_update` BEFORE UPDATE ON `orders` FOR EACH ROW SET NEW.`_dbtide_nn_ref` = NEW.`ref`',
      'CREATE TRIGGER `_dbtide_nncopy_orders_ref` BEFORE INSERT ON `orders` FOR EACH ROW SET NEW.`_dbtide_nn_ref` = NEW.`ref`',
    ]);
    expect(add!.restartsJob).toBe('not-null:orders.ref');
    expect(add!.prechecks.map((c) => c.description)).toEqual(['orders.ref has no NULL']);
    expect(fill!.work).toEqual({
      kind: 'backfill',
      job: {
        id: 'not-null:orders.ref', table: 'orders', key: ['id'], set: { _dbtide_nn_ref: '`ref`' },
        where: 'NOT (CAST(`_dbtide_nn_ref` AS BINARY) <=> CAST(`ref` AS BINARY))', targetBatchMs: 50,
      },
    });
    expect(build!.sql).toEqual(['ALTER TABLE `orders` ADD INDEX `_dbtide_nn_orders_ref_idx` (`_dbtide_nn_ref`, `id`), ALGORITHM=INPLACE, LOCK=NONE']);
    expect(swap!.sql).toEqual([
      'LOCK TABLES `orders` WRITE',
      'DROP TRIGGER IF EXISTS `_dbtide_nncopy_orders_ref`',
      'DROP TRIGGER IF EXISTS `_dbtide_nncopy_orders_ref_update`',
      'ALTER TABLE `orders` DROP INDEX `orders_ref_idx`, DROP COLUMN `ref`, CHANGE COLUMN `_dbtide_nn_ref` `ref` varchar(36) NOT NULL, ' +
        'RENAME INDEX `_dbtide_nn_orders_ref_idx` TO `orders_ref_idx`, ALGORITHM=NOCOPY, LOCK=NONE',
      'UNLOCK TABLES',
    ]);
    expect(swap).toMatchObject({ together: true, destructive: false, lock: { blocksWrites: false } });
    expect(p.drift).toEqual([]);
  });

  it('keeps a declared default on the shadow, and a unique key of the column is copied as a unique index', () => {
    const withDefault = col('ref', T.varchar(36), { nullable: false, default: { kind: 'literal', value: 'none' } });
    const unique = { name: 'orders_ref_key', columns: ['ref'] };
    const p = planOf(declaredOrders({ columns: [idColumn(), withDefault, col('note')], indexes: [], uniques: [unique] }), liveOrders({ columns: [idColumn(), { ...withDefault, nullable: true }, col('note')], indexes: [], uniques: [unique] }));
    expect(p.steps[0]!.sql[0]).toContain("`_dbtide_nn_ref` varchar(36) NOT NULL DEFAULT 'none' AFTER `ref`");
    expect(p.steps.find((s) => s.operation === 'index-shadow-column')!.sql).toEqual([
      'ALTER TABLE `orders` ADD UNIQUE INDEX `_dbtide_nn_orders_ref_key` (`_dbtide_nn_ref`), ALGORITHM=INPLACE, LOCK=NONE',
    ]);
    expect(p.steps.at(-1)!.sql[3]).toContain("CHANGE COLUMN `_dbtide_nn_ref` `ref` varchar(36) NOT NULL DEFAULT 'none', RENAME INDEX `_dbtide_nn_orders_ref_key` TO `orders_ref_key`");
  });

  it("drops an index of the column that the release removes in the swap instead of copying it (destructive: it asks)", () => {
    const p = planOf(declaredOrders({ indexes: [] }), liveOrders(), { removed: { indexes: [{ table: 'orders', name: 'orders_ref_idx' }] } });
    expect(ids(p)).toEqual(['contract add-shadow-column:orders.ref', 'contract fill-shadow-column:orders.ref', 'contract swap-shadow-column:orders.ref']);
    const swap = p.steps.at(-1)!;
    expect(swap.destructive).toBe(true);
    expect(swap.description).toContain('drops index orders_ref_idx, which the release removes');
    expect(swap.sql[3]).toMatch(/^ALTER TABLE `orders` DROP INDEX `orders_ref_idx`, DROP COLUMN `ref`, CHANGE COLUMN/);
  });

  it('copies an index of the column that the release drops to create again under its name, and leaves the drop to its own step', () => {
    const redefined = index('orders_ref_idx', ['ref']);
    const p = planOf(declaredOrders({ indexes: [redefined] }), liveOrders());
    expect([...ids(p)].sort()).toEqual([
      'contract add-index:orders.orders_ref_idx',
      'contract add-shadow-column:orders.ref',
      'contract drop-index:orders.orders_ref_idx',
      'contract fill-shadow-column:orders.ref',
      `contract index-shadow-column:orders.${names.index('orders_ref_idx')}`,
      'contract swap-shadow-column:orders.ref',
    ]);
    expect(ids(p).indexOf('contract drop-index:orders.orders_ref_idx')).toBeLessThan(ids(p).indexOf('contract add-index:orders.orders_ref_idx'));
    expect(ids(p).indexOf('contract swap-shadow-column:orders.ref')).toBeLessThan(ids(p).indexOf('contract drop-index:orders.orders_ref_idx'));
  });

  it('goes on from what a stopped run left: the shadow and its triggers are not drift, done steps are not planned again', () => {
    const shadowColumn = col(names.column, T.varchar(36), { nullable: false, default: { kind: 'literal', value: '' } });
    const have = liveOrders({ columns: [idColumn(), col('ref', T.varchar(36)), shadowColumn, col('note')], indexes: [index('orders_ref_idx', ['ref', 'id']), index(names.index('orders_ref_idx'), [names.column, 'id'])] });
    const copying = { triggers: [{ table: 'orders', name: names.trigger }] };
    expect(ids(planOf(declaredOrders(), have, { owned: { ...copying, finishedJobs: [names.job] } }))).toEqual(['contract swap-shadow-column:orders.ref']);
    const filling = planOf(declaredOrders(), have, { owned: copying });
    expect(ids(filling)).toEqual(['contract fill-shadow-column:orders.ref', 'contract swap-shadow-column:orders.ref']);
    expect(filling.drift).toEqual([]);
  });

  it('copies again and fills from the start when the triggers are gone: writes since reached the column only', () => {
    const have = liveOrders({ columns: [idColumn(), col('ref', T.varchar(36)), col(names.column, T.varchar(36), { nullable: false }), col('note')] });
    const p = planOf(declaredOrders(), have, { owned: { finishedJobs: [names.job] } });
    expect(ids(p)).toEqual([
      'contract add-shadow-column:orders.ref',
      'contract fill-shadow-column:orders.ref',
      `contract index-shadow-column:orders.${names.index('orders_ref_idx')}`,
      'contract swap-shadow-column:orders.ref',
    ]);
    const add = p.steps[0]!;
    expect(add.description).toMatch(/again by trigger.*the fill starts over/);
    expect(add.sql.every((s) => s.startsWith('CREATE TRIGGER'))).toBe(true);
    expect(add.restartsJob).toBe(names.job);
  });

  it('takes down what a shadow left once no NOT NULL asks for it, indexes before the column', () => {
    const have = liveOrders({
      columns: [idColumn(), col('ref', T.varchar(36)), col(names.column, T.varchar(36), { nullable: false }), col('note')],
      indexes: [index('orders_ref_idx', ['ref', 'id']), index(names.index('orders_ref_idx'), [names.column, 'id'])],
    });
    const p = planOf(declaredOrders({ columns: [idColumn(), col('ref', T.varchar(36)), col('note')] }), have, { owned: { triggers: [{ table: 'orders', name: names.trigger }] } });
    expect(ids(p)).toEqual(['contract drop-not-null-shadow:orders._dbtide_nn_ref']);
    expect(p.steps[0]!.sql).toEqual([
      'DROP TRIGGER IF EXISTS `_dbtide_nncopy_orders_ref`',
      'DROP TRIGGER IF EXISTS `_dbtide_nncopy_orders_ref_update`',
      'ALTER TABLE `orders` DROP INDEX `_dbtide_nn_orders_ref_idx`, DROP COLUMN `_dbtide_nn_ref`, ALGORITHM=NOCOPY, LOCK=NONE',
    ]);
    expect(p.drift).toEqual([]);
  });

  it('rebuilds a table estimated below SHADOW_MIN_ROWS in place, unless a stopped run left its shadow', () => {
    const declared = declaredOrders();
    const setNotNull: Change = { kind: 'set-not-null', table: 'orders', column: declared.columns[1]! };
    const kinds = (live: SchemaModel, rows: number) => throughShadows([setNotNull], live, mysqlNotNullShadow, { orders: rows }).map((c) => c.kind);
    const live: SchemaModel = { tables: { orders: liveOrders() } };
    expect(kinds(live, SHADOW_MIN_ROWS - 1)).toEqual(['set-not-null']);
    expect(kinds(live, SHADOW_MIN_ROWS)).toEqual(['set-not-null-through-shadow']);
    const left: SchemaModel = { tables: { orders: liveOrders() }, owned: { ...noOwnedObjects(), triggers: [{ table: 'orders', name: names.trigger }] } };
    expect(kinds(left, 10)).toEqual(['set-not-null-through-shadow']);
    const want: DeclaredSchema = { release: 'r2', model: { tables: { orders: declared } }, removed: emptyTombstones(), transitions: [] };
    expect(notNullCandidates(want, live)).toEqual(['orders']);
    expect(notNullCandidates(want, { tables: { orders: declared } })).toEqual([]);
  });

  describe('keeps the in-place rebuild where the shadow cannot carry the column', () => {
    const rebuilds = (p: ReturnType<typeof planOf>) => expect(ids(p)).toEqual(['contract set-not-null:orders.ref']);
    it('on MySQL 8 and MariaDB 10.5', () => {
      rebuilds(planOf(declaredOrders(), liveOrders(), { server: { dialect: mysqlDialect, caps: mysqlCapabilities('8.0.36') } }));
      rebuilds(planOf(declaredOrders(), liveOrders(), { server: { dialect: mysqlDialect, caps: mysqlCapabilities('10.5.20-MariaDB') } }));
    });
    it('without a primary key to fill by', () => {
      rebuilds(planOf(declaredOrders({ primaryKey: null }), liveOrders({ primaryKey: null })));
    });
    it('when a foreign key uses the column, on either side', () => {
      const fk = foreignKey('orders_ref_fkey', ['ref'], 'refs', { referencedColumns: ['code'] });
      const refs = table('refs', { columns: [idColumn(), col('code', T.varchar(36), { nullable: false })], uniques: [{ name: 'refs_code_key', columns: ['code'] }] });
      rebuilds(planOf(declaredOrders({ foreignKeys: [fk] }), liveOrders({ foreignKeys: [fk] }), { others: [refs] }));
      const child = table('items', { columns: [idColumn(), col('order_ref', T.varchar(36))], foreignKeys: [foreignKey('items_order_ref_fkey', ['order_ref'], 'orders', { referencedColumns: ['ref'] })] });
      const unique = { uniques: [{ name: 'orders_ref_key', columns: ['ref'] }] };
      rebuilds(planOf(declaredOrders(unique), liveOrders(unique), { others: [child] }));
    });
    it('when a check reads it', () => {
      const c = { checks: [check('orders_ref_check', "`ref` <> ''")] };
      rebuilds(planOf(declaredOrders(c), liveOrders(c)));
    });
    it('when a full-text index or an expression index uses it', () => {
      const fulltext = { indexes: [index('orders_ref_ft', ['ref'], { using: 'fulltext' })] };
      rebuilds(planOf(declaredOrders(fulltext), liveOrders(fulltext)));
      const expression = { indexes: [index('orders_ref_lower', ['(lower(`ref`))'])] };
      rebuilds(planOf(declaredOrders(expression), liveOrders(expression)));
    });
    it('when its type changes too, or is JSON (MariaDB checks it)', () => {
      const p = planOf(declaredOrders(), liveOrders({ columns: [idColumn(), col('ref', T.varchar(20)), col('note')] }));
      expect(ids(p)).toContain('contract set-not-null:orders.ref');
      const json = { columns: [idColumn(), col('ref', { kind: 'json' }, { nullable: false }), col('note')], indexes: [] };
      rebuilds(planOf(declaredOrders(json), liveOrders({ ...json, columns: [idColumn(), col('ref', { kind: 'json' }), col('note')] })));
    });
    it('while a dual-write trigger of a transition writes the table', () => {
      rebuilds(planOf(declaredOrders(), liveOrders(), { owned: { triggers: [{ table: 'orders', name: '_dbtide_sync_orders_note' }] } }));
    });
    it('when the release renames objects of the table, or the server keeps something of the column dbtide does not model', () => {
      const declared = declaredOrders().columns[1]!;
      const setNotNull: Change = { kind: 'set-not-null', table: 'orders', column: declared };
      const live: SchemaModel = { tables: { orders: liveOrders() } };
      const sql = mysqlNotNullShadow;
      expect(shadowBlocker('orders', declared, [setNotNull], live, sql)).toBeNull();
      const rename: Change = { kind: 'rename-object', table: 'orders', object: 'index', from: 'orders_ref_idx', to: 'orders_by_ref' };
      expect(shadowBlocker('orders', declared, [setNotNull, rename], live, sql)).toBe('the release renames objects of the table');
      const collated: SchemaModel = { ...live, unsupported: [{ kind: 'collation', name: 'ref', table: 'orders', detail: 'COLLATE utf8mb4_bin' }] };
      expect(shadowBlocker('orders', declared, [setNotNull], collated, sql)).toBe('the server keeps something of it dbtide does not model');
    });
  });
});
