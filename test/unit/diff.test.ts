import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/diff/changes.js';
import { diff } from '../../src/diff/diff.js';
import { emptyTombstones, type ColumnModel, type DeclaredSchema, type ForeignKeyModel, type IndexModel, type SchemaModel, type TableModel, type Tombstones } from '../../src/model/schema-model.js';
import { notNullCheckName } from '../../src/plan/owned-names.js';
import { T, check, column as col, foreignKey as fk, index, table } from '../support/model-builders.js';
import type { ColumnType } from '../../src/model/column-type.js';

// ---------- builders ----------

const model = (...tables: TableModel[]): SchemaModel => ({ tables: Object.fromEntries(tables.map((t) => [t.name, t])) });

const declared = (tables: TableModel[], removed: Partial<Tombstones> = {}): DeclaredSchema => ({
  release: 'r2',
  model: model(...tables),
  removed: { ...emptyTombstones(), ...removed },
  transitions: [],
});

/** Diff of one table declared as `want` against the same table live as `have`. */
const diffOne = (want: TableModel, have: TableModel, removed: Partial<Tombstones> = {}) =>
  diff(declared([want], removed), model(have));

const users = (parts: Partial<TableModel> = {}) =>
  table('users', {
    columns: [col('id', T.bigint, { nullable: false }), col('email', T.varchar(255)), col('tenant_id', T.bigint)],
    ...parts,
  });

// ---------- tests ----------

describe('diff: tables', () => {
  it('is empty when the declaration equals the live schema', () => {
    const t = users({
      uniques: [{ name: 'users_email_key', columns: ['email'] }],
      indexes: [index('users_tenant_idx', ['tenant_id'])],
      foreignKeys: [fk('users_tenant_fkey', ['tenant_id'], 'tenants')],
      checks: [check('users_email_check', "email <> ''")],
    });
    const live = structuredClone(t);
    live.checks = [check('users_email_check', "((email)::text <> ''::text)")];
    expect(diff(declared([t, table('tenants')]), model(live, table('tenants')))).toEqual([]);
  });

  it('creates a declared table that is not live, with the whole table model', () => {
    const t = users({ indexes: [index('users_email_idx', ['email'])] });
    expect(diff(declared([t]), model())).toEqual([{ kind: 'create-table', table: t }]);
  });

  it('drops a live table only when tombstoned; otherwise reports drift', () => {
    expect(diff(declared([], { tables: ['legacy'] }), model(table('legacy')))).toEqual([{ kind: 'drop-table', table: 'legacy' }]);
    expect(diff(declared([]), model(table('legacy')))).toEqual([
      { kind: 'drift', table: 'legacy', object: 'table legacy', detail: 'not in the declaration' },
    ]);
  });

  it('a tombstone for a table that is not live produces nothing', () => {
    expect(diff(declared([], { tables: ['gone'] }), model())).toEqual([]);
  });

  it('orders output by table name, whatever the key order of either side', () => {
    const a = table('alpha');
    const z = table('zeta');
    const m = table('mid');
    const want: DeclaredSchema = {
      release: 'r',
      model: { tables: { zeta: z, alpha: a } },
      removed: emptyTombstones(),
      transitions: [],
    };
    const want2: DeclaredSchema = { ...want, model: { tables: { alpha: a, zeta: z } } };
    const live1: SchemaModel = { tables: { mid: m, beta: table('beta') } };
    const live2: SchemaModel = { tables: { beta: table('beta'), mid: m } };
    const expected: Change[] = [
      { kind: 'create-table', table: a },
      { kind: 'drift', table: 'beta', object: 'table beta', detail: 'not in the declaration' },
      { kind: 'drift', table: 'mid', object: 'table mid', detail: 'not in the declaration' },
      { kind: 'create-table', table: z },
    ];
    expect(diff(want, live1)).toEqual(expected);
    expect(diff(want2, live2)).toEqual(expected);
    expect(JSON.stringify(diff(want, live2))).toBe(JSON.stringify(diff(want2, live1)));
  });
});

describe('diff: columns', () => {
  it('adds a declared column that is not live', () => {
    const name = col('name', T.text, { nullable: false, default: { kind: 'literal', value: '' } });
    const want = users({ columns: [...users().columns, name] });
    expect(diffOne(want, users())).toEqual([{ kind: 'add-column', table: 'users', column: name }]);
  });

  it('drops a live column only when tombstoned; otherwise reports drift', () => {
    const have = users({ columns: [...users().columns, col('legacy', T.varchar(10))] });
    expect(diffOne(users(), have, { columns: [{ table: 'users', column: 'legacy' }] })).toEqual([
      { kind: 'drop-column', table: 'users', column: 'legacy' },
    ]);
    expect(diffOne(users(), have)).toEqual([
      { kind: 'drift', table: 'users', object: 'column users.legacy', detail: 'varchar(10) not in the declaration' },
    ]);
    // a tombstone for the same column name on another table does not count
    expect(diffOne(users(), have, { columns: [{ table: 'orders', column: 'legacy' }] })).toEqual([
      { kind: 'drift', table: 'users', object: 'column users.legacy', detail: 'varchar(10) not in the declaration' },
    ]);
  });

  describe('a removed NOT NULL column is relaxed in expand, so the new release can insert without it', () => {
    const price = col('price', T.int, { nullable: false });
    const have = (column: ColumnModel) => users({ columns: [...users().columns, column] });
    const gone = (fill?: ColumnModel['default']) => ({ columns: [{ table: 'users', column: 'price', ...(fill ? { fill } : {}) }] });

    it('accepts NULL without a fill', () => {
      expect(diffOne(users(), have(price), gone())).toEqual([
        { kind: 'drop-not-null', table: 'users', column: { ...price, nullable: true } },
        { kind: 'drop-column', table: 'users', column: 'price' },
      ]);
    });

    it('gets the fill as its default, which old code then reads in new rows', () => {
      const fill = { kind: 'literal' as const, value: 0 };
      expect(diffOne(users(), have(price), gone(fill))).toEqual([
        { kind: 'set-default', table: 'users', column: { ...price, default: fill } },
        { kind: 'drop-column', table: 'users', column: 'price' },
      ]);
    });

    it.each<[string, ColumnModel]>([
      ['nullable', col('price', T.int)],
      ['with a default', col('price', T.int, { nullable: false, default: { kind: 'literal', value: 1 } })],
      ['an identity', col('price', T.int, { nullable: false, identity: 'by-default' })],
    ])('needs nothing when %s', (_, column) => {
      expect(diffOne(users(), have(column), gone({ kind: 'literal', value: 0 }))).toEqual([{ kind: 'drop-column', table: 'users', column: 'price' }]);
    });

    it('needs nothing when a dual-write trigger fills it from the new column', () => {
      const want = users({ columns: [...users().columns, col('cost', T.int, { nullable: false })] });
      const schema: DeclaredSchema = {
        ...declared([want], gone()),
        transitions: [{
          kind: 'column-sync', id: 'r2:users:cost', table: 'users', trigger: 't', declaredAs: 'rename-column',
          forward: { cost: 'price' }, backward: { price: 'cost' }, retires: ['price'], sources: ['price'], fillOnly: false, swap: null,
        }],
      };
      expect(diff(schema, model(have(price))).filter((c) => c.kind === 'drop-not-null' || c.kind === 'set-default')).toEqual([]);
    });
  });

  it('alters a column type, carrying the live column as `from`', () => {
    const want = table('t', { columns: [col('id', T.bigint, { nullable: false }), col('n', T.bigint)] });
    const have = table('t', { columns: [col('id', T.bigint, { nullable: false }), col('n', T.int)] });
    expect(diffOne(want, have)).toEqual([
      { kind: 'alter-column-type', table: 't', column: col('n', T.bigint), from: col('n', T.int) },
    ]);
  });

  it('set-not-null and drop-not-null', () => {
    const mk = (nullable: boolean) => table('t', { columns: [col('id', T.bigint, { nullable: false }), col('c', T.text, { nullable })] });
    expect(diffOne(mk(false), mk(true))).toEqual([{ kind: 'set-not-null', table: 't', column: mk(false).columns[1] }]);
    expect(diffOne(mk(true), mk(false))).toEqual([{ kind: 'drop-not-null', table: 't', column: mk(true).columns[1] }]);
  });

  it('set-default and drop-default; a literal equal to the live SQL is no change', () => {
    const mk = (d: ColumnModel['default'], type: ColumnType = T.int) =>
      table('t', { columns: [col('id', T.bigint, { nullable: false }), col('n', type, { default: d })] });
    const zero = { kind: 'literal', value: 0 } as const;
    expect(diffOne(mk(zero), mk(null))).toEqual([{ kind: 'set-default', table: 't', column: col('n', T.int, { default: zero }) }]);
    expect(diffOne(mk(null), mk({ kind: 'sql', expression: '0' }))).toEqual([{ kind: 'drop-default', table: 't', column: 'n' }]);
    expect(diffOne(mk(zero), mk({ kind: 'sql', expression: '0' }))).toEqual([]);
    expect(diffOne(mk({ kind: 'literal', value: '0' }), mk(zero))).toEqual([]);
    const one = { kind: 'literal', value: 1 } as const;
    expect(diffOne(mk(one), mk({ kind: 'sql', expression: '0' }))).toEqual([
      { kind: 'set-default', table: 't', column: col('n', T.int, { default: one }) },
    ]);
    const active = { kind: 'literal', value: 'active' } as const;
    expect(diffOne(mk(active, T.varchar(20)), mk({ kind: 'sql', expression: "'active'::character varying" }, T.varchar(20)))).toEqual([]);
    expect(diffOne(mk({ kind: 'sql', expression: 'now()' }, T.text), mk({ kind: 'sql', expression: 'CURRENT_TIMESTAMP' }, T.text))).toEqual([
      { kind: 'set-default', table: 't', column: col('n', T.text, { default: { kind: 'sql', expression: 'now()' } }) },
    ]);
  });

  it('reports a type, default and nullability change of one column in that order', () => {
    const want = table('t', {
      columns: [col('id', T.bigint, { nullable: false }), col('c', T.varchar(64), { nullable: false, default: { kind: 'literal', value: 'x' } })],
    });
    const have = table('t', { columns: [col('id', T.bigint, { nullable: false }), col('c', T.varchar(36))] });
    expect(diffOne(want, have)).toEqual([
      { kind: 'alter-column-type', table: 't', column: want.columns[1], from: have.columns[1] },
      { kind: 'set-default', table: 't', column: want.columns[1] },
      { kind: 'set-not-null', table: 't', column: want.columns[1] },
    ]);
  });

  it('an identity difference is drift, never a change', () => {
    const mk = (identity: ColumnModel['identity']) => table('t', { columns: [col('id', T.bigint, { nullable: false, identity })] });
    expect(diffOne(mk('by-default'), mk(null))).toEqual([
      { kind: 'drift', table: 't', object: 'column t.id', detail: 'identity is none, declared by-default' },
    ]);
    expect(diffOne(mk('always'), mk('by-default'))).toEqual([
      { kind: 'drift', table: 't', object: 'column t.id', detail: 'identity is by-default, declared always' },
    ]);
    expect(diffOne(mk(null), mk('always'))).toEqual([
      { kind: 'drift', table: 't', object: 'column t.id', detail: 'identity is always, declared none' },
    ]);
  });
});

describe('diff: primary keys', () => {
  it('adds a declared primary key missing live', () => {
    expect(diffOne(users(), users({ primaryKey: null }))).toEqual([
      { kind: 'add-primary-key', table: 'users', key: { name: 'users_pkey', columns: ['id'] }, existingIndex: null },
    ]);
  });

  it('a different primary key is drift (not changed online); a different name alone is no change', () => {
    const want = users({ primaryKey: { name: 'users_pkey', columns: ['id', 'tenant_id'] } });
    expect(diffOne(want, users())).toEqual([
      {
        kind: 'drift',
        table: 'users',
        object: 'primary key users_pkey',
        detail: 'live (id), declared (id, tenant_id); changing a primary key is not done online',
      },
    ]);
    expect(diffOne(users(), users({ primaryKey: { name: 'pk_users', columns: ['id'] } }))).toEqual([]);
  });

  // Regression test, once a bug: diffPrimaryKey returns [] when the declaration has no primary key, so a live primary key
  // the declaration does not know is neither drift nor dropped (the Change type even has
  // drop-constraint 'primary-key', which the diff never produces). Expected: one drift entry;
  // actual: nothing.
  it('a live primary key the declaration lacks is reported as drift', () => {
    expect(diffOne(users({ primaryKey: null }), users())).toEqual([
      { kind: 'drift', table: 'users', object: 'primary key users_pkey', detail: '(id) not in the declaration' },
    ]);
  });

  // Regression test, once a bug: an add-primary-key step that stopped after CREATE UNIQUE INDEX CONCURRENTLY "users_pkey"
  // leaves that index behind. The diff does not claim it (only declared indexes and uniques are
  // claimed), so it is reported as drift, and the re-planned step runs CREATE UNIQUE INDEX
  // "users_pkey" again and fails. Expected: no drift (the index belongs to the pending primary
  // key, as add-unique handles it via existingIndex); actual: a drift entry for index users_pkey.
  it('an index left by an interrupted add-primary-key is not drift', () => {
    const have = users({ primaryKey: null, indexes: [index('users_pkey', ['id'], { unique: true })] });
    expect(diffOne(users(), have).filter((c) => c.kind === 'drift')).toEqual([]);
  });
});

describe('diff: unique constraints', () => {
  const key = { name: 'users_email_key', columns: ['email'] };

  it('adds a unique with no existing index', () => {
    expect(diffOne(users({ uniques: [key] }), users())).toEqual([
      { kind: 'add-unique', table: 'users', key, existingIndex: null },
    ]);
  });

  it.each([true, false])('reuses a live index named like the unique (valid: %s) and does not report it as drift', (valid) => {
    const have = users({ indexes: [index('users_email_key', ['email'], { unique: true, valid })] });
    expect(diffOne(users({ uniques: [key] }), have)).toEqual([
      { kind: 'add-unique', table: 'users', key, existingIndex: { valid } },
    ]);
  });

  it('a redefined unique is dropped and added again', () => {
    const want = users({ uniques: [{ name: 'users_email_key', columns: ['tenant_id', 'email'] }] });
    expect(diffOne(want, users({ uniques: [key] }))).toEqual([
      { kind: 'drop-constraint', table: 'users', name: 'users_email_key', constraint: 'unique' },
      { kind: 'add-unique', table: 'users', key: { name: 'users_email_key', columns: ['tenant_id', 'email'] }, existingIndex: null },
    ]);
  });

  it('an unchanged unique (column names compared case-insensitively) is no change', () => {
    expect(diffOne(users({ uniques: [key] }), users({ uniques: [{ name: 'users_email_key', columns: ['EMAIL'] }] }))).toEqual([]);
  });

  it('a live unique is dropped only when tombstoned; otherwise drift', () => {
    expect(diffOne(users(), users({ uniques: [key] }), { constraints: [{ table: 'users', name: 'users_email_key' }] })).toEqual([
      { kind: 'drop-constraint', table: 'users', name: 'users_email_key', constraint: 'unique', relaxes: true },
    ]);
    expect(diffOne(users(), users({ uniques: [key] }))).toEqual([
      { kind: 'drift', table: 'users', object: 'unique users_email_key', detail: '(email) not in the declaration' },
    ]);
  });
});

describe('diff: indexes', () => {
  const idx = index('users_email_idx', ['email']);

  it('adds a missing index', () => {
    expect(diffOne(users({ indexes: [idx] }), users())).toEqual([{ kind: 'add-index', table: 'users', index: idx }]);
  });

  it.each<[string, Partial<IndexModel>]>([
    ['columns', { columns: ['lower(email)'] }],
    ['uniqueness', { unique: true }],
    ['access method', { using: 'hash' }],
    ['predicate', { where: 'deleted_at IS NULL' }],
  ])('a redefinition (%s) is drop-index + add-index', (_what, change) => {
    const want = index('users_email_idx', ['email'], change);
    expect(diffOne(users({ indexes: [want] }), users({ indexes: [idx] }))).toEqual([
      { kind: 'drop-index', table: 'users', name: 'users_email_idx' },
      { kind: 'add-index', table: 'users', index: want },
    ]);
  });

  it('an equivalent predicate as the server prints it is no change', () => {
    const want = index('users_email_idx', ['email'], { where: "status = 'active'" });
    const have = index('users_email_idx', ['email'], { where: "((status)::text = 'active'::text)" });
    expect(diffOne(users({ indexes: [want] }), users({ indexes: [have] }))).toEqual([]);
  });

  it('an invalid live index of the declared definition is rebuilt', () => {
    expect(diffOne(users({ indexes: [idx] }), users({ indexes: [{ ...idx, valid: false }] }))).toEqual([
      { kind: 'rebuild-index', table: 'users', index: idx },
    ]);
  });

  it('a tombstoned unique index relaxes (dropped in expand), a plain one does not', () => {
    const unique = { ...idx, unique: true };
    expect(diffOne(users(), users({ indexes: [unique] }), { indexes: [{ table: 'users', name: 'users_email_idx' }] })).toEqual([
      { kind: 'drop-index', table: 'users', name: 'users_email_idx', relaxes: true },
    ]);
  });

  it('a live index is dropped only when tombstoned; otherwise drift', () => {
    expect(diffOne(users(), users({ indexes: [idx] }), { indexes: [{ table: 'users', name: 'users_email_idx' }] })).toEqual([
      { kind: 'drop-index', table: 'users', name: 'users_email_idx' },
    ]);
    expect(diffOne(users(), users({ indexes: [idx] }))).toEqual([
      { kind: 'drift', table: 'users', object: 'index users_email_idx', detail: '(email) not in the declaration' },
    ]);
    // an index tombstone does not cover a constraint and vice versa
    expect(diffOne(users(), users({ indexes: [idx] }), { constraints: [{ table: 'users', name: 'users_email_idx' }] })).toEqual([
      { kind: 'drift', table: 'users', object: 'index users_email_idx', detail: '(email) not in the declaration' },
    ]);
  });
});

describe('diff: foreign keys', () => {
  const orders = (parts: Partial<TableModel> = {}) =>
    table('orders', { columns: [col('id', T.bigint, { nullable: false }), col('user_id', T.bigint)], ...parts });
  const f = fk('orders_user_id_fkey', ['user_id'], 'users');
  const both = (o: TableModel) => [o, users()];
  const d = (want: TableModel, have: TableModel, removed: Partial<Tombstones> = {}) =>
    diff(declared(both(want), removed), model(...both(have)));

  it('adds a new foreign key', () => {
    expect(d(orders({ foreignKeys: [f] }), orders())).toEqual([
      { kind: 'add-foreign-key', table: 'orders', foreignKey: f, existing: 'none' },
    ]);
  });

  it('an unvalidated live foreign key is completed, not re-added', () => {
    expect(d(orders({ foreignKeys: [f] }), orders({ foreignKeys: [{ ...f, validated: false }] }))).toEqual([
      { kind: 'add-foreign-key', table: 'orders', foreignKey: f, existing: 'unvalidated' },
    ]);
  });

  it.each<[string, Partial<ForeignKeyModel>]>([
    ['on delete', { onDelete: 'cascade' }],
    ['on update', { onUpdate: 'restrict' }],
    ['referenced table', { referencedTable: 'accounts' }],
    ['referenced columns', { referencedColumns: ['uuid'] }],
    ['columns', { columns: ['tenant_id'] }],
  ])('a redefinition (%s) is drop + add', (_what, change) => {
    const want = { ...f, ...change };
    expect(d(orders({ foreignKeys: [want] }), orders({ foreignKeys: [f] }))).toEqual([
      { kind: 'drop-constraint', table: 'orders', name: 'orders_user_id_fkey', constraint: 'foreign-key' },
      { kind: 'add-foreign-key', table: 'orders', foreignKey: want, existing: 'none' },
    ]);
  });

  it('a live foreign key is dropped only when tombstoned; otherwise drift', () => {
    const have = orders({ foreignKeys: [f] });
    expect(d(orders(), have, { constraints: [{ table: 'orders', name: 'orders_user_id_fkey' }] })).toEqual([
      { kind: 'drop-constraint', table: 'orders', name: 'orders_user_id_fkey', constraint: 'foreign-key', relaxes: true },
    ]);
    expect(d(orders(), have)).toEqual([
      { kind: 'drift', table: 'orders', object: 'foreign key orders_user_id_fkey', detail: '(user_id) -> users not in the declaration' },
    ]);
  });
});

describe('diff: checks', () => {
  const products = (parts: Partial<TableModel> = {}) =>
    table('products', { columns: [col('id', T.bigint, { nullable: false }), col('price', T.numeric(10, 2)), col('sku', T.text)], ...parts });
  const c = check('products_price_check', 'price > 0');

  it('adds a new check', () => {
    expect(diffOne(products({ checks: [c] }), products())).toEqual([
      { kind: 'add-check', table: 'products', check: c, existing: 'none' },
    ]);
  });

  it('an equivalent expression as the server prints it is no change', () => {
    const live = check('products_price_check', '(price > (0)::numeric)');
    expect(diffOne(products({ checks: [c] }), products({ checks: [live] }))).toEqual([]);
  });

  it('an unvalidated equivalent live check is completed', () => {
    const live = check('products_price_check', '(price > (0)::numeric)', false);
    expect(diffOne(products({ checks: [c] }), products({ checks: [live] }))).toEqual([
      { kind: 'add-check', table: 'products', check: c, existing: 'unvalidated' },
    ]);
  });

  it('a redefined check is dropped and added', () => {
    const live = check('products_price_check', '(price >= (0)::numeric)');
    expect(diffOne(products({ checks: [c] }), products({ checks: [live] }))).toEqual([
      { kind: 'drop-constraint', table: 'products', name: 'products_price_check', constraint: 'check' },
      { kind: 'add-check', table: 'products', check: c, existing: 'none' },
    ]);
  });

  it('a live check is dropped only when tombstoned; otherwise drift', () => {
    expect(diffOne(products(), products({ checks: [c] }), { constraints: [{ table: 'products', name: 'products_price_check' }] })).toEqual([
      { kind: 'drop-constraint', table: 'products', name: 'products_price_check', constraint: 'check', relaxes: true },
    ]);
    expect(diffOne(products(), products({ checks: [c] }))).toEqual([
      { kind: 'drift', table: 'products', object: 'check products_price_check', detail: 'price > 0 not in the declaration' },
    ]);
  });

  it('a leftover NOT NULL helper check on a column already NOT NULL is dropped', () => {
    const helper = check(notNullCheckName('products', 'sku'), '(sku IS NOT NULL)', true);
    expect(helper.name).toBe('_dbtide_nn_products_sku');
    const want = products({ columns: [col('id', T.bigint, { nullable: false }), col('price', T.numeric(10, 2)), col('sku', T.text, { nullable: false })] });
    expect(diffOne(want, { ...structuredClone(want), checks: [helper] })).toEqual([
      { kind: 'drop-constraint', table: 'products', name: '_dbtide_nn_products_sku', constraint: 'check' },
    ]);
  });

  it('a leftover NOT NULL helper on a still-nullable column yields only the set-not-null, no drift', () => {
    const helper = check(notNullCheckName('products', 'sku'), '(sku IS NOT NULL)', false);
    const want = products({ columns: [col('id', T.bigint, { nullable: false }), col('price', T.numeric(10, 2)), col('sku', T.text, { nullable: false })] });
    expect(diffOne(want, products({ checks: [helper] }))).toEqual([{ kind: 'set-not-null', table: 'products', column: want.columns[2] }]);
    // nor when nothing is pending for the column
    expect(diffOne(products(), products({ checks: [helper] }))).toEqual([]);
  });

  it('the helper name of a long table/column pair is shortened and still recognized', () => {
    const longTable = `t${'x'.repeat(40)}`;
    const longColumn = `c${'y'.repeat(40)}`;
    const name = notNullCheckName(longTable, longColumn);
    expect(name).toMatch(/^_dbtide_nn_tx{40}_c_[0-9a-f]{8}$/);
    expect(Buffer.byteLength(name)).toBe(63);
    const want = table(longTable, { columns: [col('id', T.bigint, { nullable: false }), col(longColumn, T.text, { nullable: false })] });
    const have = { ...structuredClone(want), checks: [check(name, 'x')] };
    expect(diffOne(want, have)).toEqual([{ kind: 'drop-constraint', table: longTable, name, constraint: 'check' }]);
  });
});

describe('diff: determinism and order inside a table', () => {
  it('columns, primary key, uniques, indexes, foreign keys, checks', () => {
    const want = table('t', {
      columns: [col('id', T.bigint, { nullable: false }), col('a', T.int), col('b', T.int)],
      primaryKey: { name: 't_pkey', columns: ['id'] },
      uniques: [{ name: 't_a_key', columns: ['a'] }],
      indexes: [index('t_b_idx', ['b'])],
      foreignKeys: [fk('t_a_fkey', ['a'], 'u')],
      checks: [check('t_b_check', 'b > 0')],
    });
    const have = table('t', { primaryKey: null, columns: [col('id', T.bigint, { nullable: false }), col('z', T.int)] });
    const expected: Change[] = [
      { kind: 'add-column', table: 't', column: col('a', T.int) },
      { kind: 'add-column', table: 't', column: col('b', T.int) },
      { kind: 'drift', table: 't', object: 'column t.z', detail: 'int not in the declaration' },
      { kind: 'add-primary-key', table: 't', key: { name: 't_pkey', columns: ['id'] }, existingIndex: null },
      { kind: 'add-unique', table: 't', key: { name: 't_a_key', columns: ['a'] }, existingIndex: null },
      { kind: 'add-index', table: 't', index: index('t_b_idx', ['b']) },
      { kind: 'add-foreign-key', table: 't', foreignKey: fk('t_a_fkey', ['a'], 'u'), existing: 'none' },
      { kind: 'add-check', table: 't', check: check('t_b_check', 'b > 0'), existing: 'none' },
    ];
    expect(diffOne(want, have)).toEqual(expected);
    expect(diffOne(structuredClone(want), structuredClone(have))).toEqual(expected);
  });

  it('does not mutate its inputs', () => {
    const want = declared([users({ uniques: [{ name: 'k', columns: ['email'] }] })], { tables: ['old'] });
    const live = model(users(), table('old'));
    const before = JSON.stringify([want, live]);
    diff(want, live);
    expect(JSON.stringify([want, live])).toBe(before);
  });
});

describe('diff: objects dbtide does not model', () => {
  it('reports each as drift, after the tables, named with its table; a declaration without them changes nothing', () => {
    const live: SchemaModel = {
      ...model(users()),
      unsupported: [
        { kind: 'trigger', name: 'last_updated', table: 'users', detail: 'BEFORE UPDATE FOR EACH ROW, executes touch()' },
        { kind: 'view', name: 'active_users', table: null, detail: 'SELECT id FROM users' },
      ],
    };
    expect(diff(declared([users()]), live)).toEqual([
      { kind: 'drift', table: 'users', object: 'trigger last_updated on users', detail: 'unsupported, kept as is: BEFORE UPDATE FOR EACH ROW, executes touch()' },
      { kind: 'drift', table: '', object: 'view active_users', detail: 'unsupported, kept as is: SELECT id FROM users' },
    ]);
  });
});
