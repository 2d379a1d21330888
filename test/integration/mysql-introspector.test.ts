import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { estimateRowsMysql, introspectMysql } from '../../dialects/mysql/introspector.js';
import { createScratchMysql } from '../../dialects/mysql/scratch.js';
import { loadSchemaFile } from '../../src/declaration/load-schema.js';
import { renderDeclaration } from '../../src/declaration/render-declaration.js';
import type { Connection, ScratchDatabase } from '../../src/dialect.js';
import { diff } from '../../src/diff/diff.js';
import type { DefaultValue, SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { column, index } from '../support/model-builders.js';
import { releaseDir } from '../support/release-files.js';
import type { ColumnType } from '../../src/model/column-type.js';
import { mariadbAdminUrl, noMariadb } from '../support/scratch-databases.js';

/** The test MariaDB server: a session without a database, allowed to create them. */
const ADMIN_URL = noMariadb ? '' : mariadbAdminUrl();

/** Every portable type spelled as the compiler spells it, built by hand so nothing depends on dbtide's DDL. */
const PORTABLE = [
  'CREATE TABLE accounts (id int NOT NULL AUTO_INCREMENT, PRIMARY KEY (id))',
  `CREATE TABLE portable (
     id bigint NOT NULL,
     small smallint DEFAULT -1,
     count int NOT NULL DEFAULT 0,
     big bigint DEFAULT 9007199254740993,
     body text,
     note text DEFAULT 'it''s',
     active tinyint(1) NOT NULL DEFAULT 1,
     archived boolean DEFAULT false,
     born date DEFAULT '2000-01-01',
     score float DEFAULT 1.5,
     weight double DEFAULT -1.5,
     public_id char(36) DEFAULT (uuid()),
     doc json DEFAULT '{}',
     picture longblob,
     created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
     seen_at timestamp(6) NULL DEFAULT NULL,
     changed_at timestamp(6) NULL DEFAULT CURRENT_TIMESTAMP(6),
     balance decimal(10,2) NOT NULL DEFAULT 0.00,
     ratio decimal(65,30),
     handle varchar(40) NOT NULL,
     label varchar(10) DEFAULT 'NULL',
     account_id int,
     PRIMARY KEY (id),
     CONSTRAINT portable_handle_key UNIQUE (handle),
     INDEX portable_born_idx (born),
     CONSTRAINT portable_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE SET NULL ON UPDATE CASCADE,
     CONSTRAINT portable_balance_check CHECK (balance >= 0 AND count <> -1)
   )`,
  `INSERT INTO accounts () VALUES (), ()`,
  `INSERT INTO portable (id, handle, account_id) VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', NULL)`,
];

/** The kind of schema a team brings along: MySQL's own types and index kinds, composite keys. */
const HAND_MADE = [
  `CREATE TABLE tenants (
     id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
     slug varchar(30) NOT NULL,
     UNIQUE KEY tenants_slug_key (slug)
   )`,
  `CREATE TABLE customers (
     tenant_id int unsigned NOT NULL,
     id bigint unsigned NOT NULL,
     first_name varchar(50) NOT NULL,
     last_name varchar(50) NOT NULL,
     full_name varchar(101) GENERATED ALWAYS AS (concat(first_name, ' ', last_name)) VIRTUAL,
     name_length int GENERATED ALWAYS AS (char_length(first_name) + char_length(last_name)) STORED,
     status enum('active','suspended','closed') NOT NULL DEFAULT 'active',
     flags set('vip','beta') DEFAULT 'beta',
     settings json,
     bio mediumtext,
     visits smallint unsigned NOT NULL DEFAULT 0,
     score tinyint DEFAULT -1,
     created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
     updated_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
     PRIMARY KEY (tenant_id, id),
     UNIQUE KEY customers_name_uq (tenant_id, last_name, first_name),
     UNIQUE KEY customers_bio_uq (bio(100)),
     KEY customers_bio_prefix (bio(20)),
     KEY customers_last_prefix (last_name(10), first_name),
     FULLTEXT KEY customers_names_ft (first_name, last_name),
     KEY customers_full_name_idx (full_name),
     KEY customers_recent (created_at DESC, id),
     CONSTRAINT customers_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
     CONSTRAINT customers_visits_check CHECK (visits < 10000 AND status <> 'closed' OR visits = 0)
   )`,
  `CREATE TABLE orders (
     id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
     tenant_id int unsigned NOT NULL,
     customer_id bigint unsigned NOT NULL,
     placed_by int unsigned,
     total decimal(12,2) NOT NULL DEFAULT 0.00,
     note varchar(200) DEFAULT 'it''s new',
     \`order\` int,
     CONSTRAINT orders_customer_fk FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON UPDATE CASCADE,
     FOREIGN KEY (placed_by) REFERENCES tenants (id),
     CHECK (total >= 0 AND \`order\` > 0)
   )`,
  `INSERT INTO tenants (slug) VALUES ('acme'), ('globex')`,
];

const literal = (value: string | number | boolean): { default: DefaultValue } => ({ default: { kind: 'literal', value } });
const sql = (expression: string): { default: DefaultValue } => ({ default: { kind: 'sql', expression } });
const native = (spelling: string): ColumnType => ({ kind: 'native', sql: spelling });
const notNull = { nullable: false };

describe.skipIf(noMariadb)('introspectMysql', () => {
  let scratch: ScratchDatabase | undefined;
  let conn: Connection | undefined;
  let model: SchemaModel;
  const files = releaseDir();
  const table = (name: string): TableModel => {
    const found = model.tables[name];
    if (!found) throw new Error(`table ${name} missing from ${Object.keys(model.tables).join(', ')}`);
    return found;
  };

  beforeAll(async () => {
    scratch = await createScratchMysql(ADMIN_URL, 't_intro');
    conn = await connectMysql(scratch.url);
    for (const statement of [...PORTABLE, ...HAND_MADE]) await conn.query(statement);
    model = await introspectMysql(conn);
  });

  afterAll(async () => {
    await conn?.close();
    await scratch?.drop();
    files.remove();
  });

  it('lists the tables in name order', () => {
    expect(Object.keys(model.tables)).toEqual(['accounts', 'customers', 'orders', 'portable', 'tenants']);
  });

  it('reads every portable type back as the type the compiler spelled, with its defaults, keys, index, foreign key and check', () => {
    expect(table('portable')).toEqual({
      name: 'portable',
      columns: [
        column('id', { kind: 'bigint' }, notNull),
        column('small', { kind: 'smallint' }, literal(-1)),
        column('count', { kind: 'int' }, { ...notNull, ...literal(0) }),
        // Past 2^53 a JS number would round it: kept as its exact decimal text.
        column('big', { kind: 'bigint' }, literal('9007199254740993')),
        column('body', { kind: 'text' }),
        column('note', { kind: 'text' }, literal("it's")),
        column('active', { kind: 'boolean' }, { ...notNull, ...literal(true) }),
        column('archived', { kind: 'boolean' }, literal(false)),
        column('born', { kind: 'date' }, literal('2000-01-01')),
        column('score', { kind: 'real' }, literal(1.5)),
        column('weight', { kind: 'double' }, literal(-1.5)),
        column('public_id', { kind: 'uuid' }, sql('uuid()')),
        column('doc', { kind: 'json' }, literal('{}')),
        column('picture', { kind: 'binary' }),
        column('created_at', { kind: 'timestamp', withTimeZone: false }, { ...notNull, ...sql('CURRENT_TIMESTAMP') }),
        column('seen_at', { kind: 'timestamp', withTimeZone: true }),
        column('changed_at', { kind: 'timestamp', withTimeZone: true }, sql('CURRENT_TIMESTAMP')),
        column('balance', { kind: 'numeric', precision: 10, scale: 2 }, { ...notNull, ...literal(0) }),
        column('ratio', { kind: 'numeric', precision: null, scale: null }),
        column('handle', { kind: 'varchar', length: 40 }, notNull),
        column('label', { kind: 'varchar', length: 10 }, literal('NULL')),
        column('account_id', { kind: 'int' }),
      ],
      // MySQL calls every primary key PRIMARY: it takes the name a declaration gives it.
      primaryKey: { name: 'portable_pkey', columns: ['id'] },
      uniques: [{ name: 'portable_handle_key', columns: ['handle'] }],
      // The index MySQL made for portable_account_fkey is the foreign key's, not an index of its own.
      indexes: [index('portable_born_idx', ['born'])],
      foreignKeys: [
        {
          name: 'portable_account_fkey',
          columns: ['account_id'],
          referencedTable: 'accounts',
          referencedColumns: ['id'],
          onDelete: 'set null',
          onUpdate: 'cascade',
          validated: true,
        },
      ],
      // MariaDB's JSON check on `doc` is the json type, not a check.
      checks: [{ name: 'portable_balance_check', expression: 'balance >= 0 and count <> -1', validated: true }],
    });
    expect(table('accounts').columns).toEqual([column('id', { kind: 'int' }, { ...notNull, identity: 'by-default' })]);
  });

  it('reads MySQL types, generated columns, ON UPDATE, prefix, descending and FULLTEXT keys as they were made', () => {
    const customers = table('customers');
    expect(customers.columns).toEqual([
      column('tenant_id', native('int unsigned'), notNull),
      column('id', native('bigint unsigned'), notNull),
      column('first_name', { kind: 'varchar', length: 50 }, notNull),
      column('last_name', { kind: 'varchar', length: 50 }, notNull),
      column('full_name', native("varchar(101) GENERATED ALWAYS AS (concat(first_name,' ',last_name)) VIRTUAL")),
      column('name_length', native('int GENERATED ALWAYS AS (char_length(first_name) + char_length(last_name)) STORED')),
      column('status', native("enum('active','suspended','closed')"), { ...notNull, ...literal('active') }),
      column('flags', native("set('vip','beta')"), literal('beta')),
      column('settings', { kind: 'json' }),
      column('bio', native('mediumtext')),
      column('visits', native('smallint unsigned'), { ...notNull, ...literal(0) }),
      column('score', native('tinyint'), literal(-1)),
      column('created_at', native('datetime'), { ...notNull, ...sql('CURRENT_TIMESTAMP') }),
      column('updated_at', native('timestamp(6) ON UPDATE CURRENT_TIMESTAMP(6)'), { ...notNull, ...sql('CURRENT_TIMESTAMP(6)') }),
    ]);
    expect(customers.primaryKey).toEqual({ name: 'customers_pkey', columns: ['tenant_id', 'id'] });
    expect(customers.uniques).toEqual([{ name: 'customers_name_uq', columns: ['tenant_id', 'last_name', 'first_name'] }]);
    expect(customers.indexes).toEqual([
      index('customers_bio_prefix', ['bio(20)']),
      // A unique index on a prefix is no unique constraint: it stays an index.
      index('customers_bio_uq', ['bio(100)'], { unique: true }),
      index('customers_full_name_idx', ['full_name']),
      index('customers_last_prefix', ['last_name(10)', 'first_name']),
      index('customers_names_ft', ['first_name', 'last_name'], { using: 'fulltext' }),
      index('customers_recent', ['created_at DESC', 'id']),
    ]);
    expect(customers.checks).toEqual([
      { name: 'customers_visits_check', expression: "visits < 10000 and status <> 'closed' or visits = 0", validated: true },
    ]);
  });

  it('reads composite and unnamed foreign keys, and unnamed checks, by the names MariaDB gave them', () => {
    const orders = table('orders');
    expect(orders.primaryKey).toEqual({ name: 'orders_pkey', columns: ['id'] });
    expect(orders.columns.find((c) => c.name === 'id')).toEqual(column('id', native('bigint unsigned'), { ...notNull, identity: 'by-default' }));
    expect(orders.foreignKeys).toEqual([
      {
        name: 'orders_customer_fk',
        columns: ['tenant_id', 'customer_id'],
        referencedTable: 'customers',
        referencedColumns: ['tenant_id', 'id'],
        // MariaDB reports a rule left out as RESTRICT; InnoDB's RESTRICT is NO ACTION.
        onDelete: 'no action',
        onUpdate: 'cascade',
        validated: true,
      },
      {
        name: 'orders_ibfk_1',
        columns: ['placed_by'],
        referencedTable: 'tenants',
        referencedColumns: ['id'],
        onDelete: 'no action',
        onUpdate: 'no action',
        validated: true,
      },
    ]);
    // An unnamed key's index is named after its first column, not after the key: it stays an index.
    expect(orders.indexes).toEqual([index('placed_by', ['placed_by'])]);
    // A reserved word keeps its quotes, so the expression still runs.
    expect(orders.checks).toEqual([{ name: 'CONSTRAINT_1', expression: 'total >= 0 and `order` > 0', validated: true }]);
  });

  it('pulls the hand-made schema into a declaration that plans nothing against it', async () => {
    const source = renderDeclaration(model, { release: 'pulled' });
    const declared = await loadSchemaFile(files.write('pulled.ts', source));
    expect(declared.model.tables).toEqual(model.tables);
    expect(diff(declared, model)).toEqual([]);
    // And what MariaDB prints compares equal to what a person would have declared.
    const written = structuredClone(declared);
    written.model.tables.portable!.checks[0]!.expression = 'balance >= 0 AND count <> -1';
    written.model.tables.orders!.checks[0]!.expression = '(total >= 0) AND (`order` > 0)';
    expect(diff(written, model)).toEqual([]);
  });

  it('reads the database named in the options, from a session without one', async () => {
    const admin = await connectMysql(ADMIN_URL);
    try {
      expect(await introspectMysql(admin, { schema: scratch!.name })).toEqual(model);
      await expect(introspectMysql(admin)).rejects.toThrow(/no database to read/);
    } finally {
      await admin.close();
    }
  });

  it('estimates rows from the statistics, 0 for a table it does not know', async () => {
    await conn!.query('ANALYZE TABLE portable, accounts, tenants, orders');
    expect(await estimateRowsMysql(conn!, ['portable', 'accounts', 'tenants', 'orders', 'no_such_table'])).toEqual({
      portable: 3,
      accounts: 2,
      tenants: 2,
      orders: 0,
      no_such_table: 0,
    });
    expect(await estimateRowsMysql(conn!, [])).toEqual({});
    const admin = await connectMysql(ADMIN_URL);
    try {
      expect(await estimateRowsMysql(admin, ['portable'], { schema: scratch!.name })).toEqual({ portable: 3 });
    } finally {
      await admin.close();
    }
  });
});

describe.skipIf(noMariadb)("introspectMysql and dbtide's own objects", () => {
  let scratch: ScratchDatabase | undefined;
  let conn: Connection | undefined;

  beforeAll(async () => {
    scratch = await createScratchMysql(ADMIN_URL, 't_intro_owned');
    conn = await connectMysql(scratch.url);
    for (const statement of [
      'CREATE TABLE items (id int PRIMARY KEY, a int, b int)',
      'CREATE TABLE new_items (id int PRIMARY KEY, a int)',
      // A renamed table's alias (dbtide marks it), and views that are no alias: a user's view over one table among them.
      "CREATE VIEW old_items AS SELECT * FROM new_items WHERE 'dbtide:alias' IS NOT NULL",
      'CREATE VIEW copy_of_items AS SELECT * FROM new_items',
      'CREATE VIEW joined AS SELECT i.id FROM items i JOIN new_items n ON n.id = i.id',
      'CREATE VIEW filtered AS SELECT id FROM items WHERE a > 0',
      'CREATE VIEW of_a_view AS SELECT * FROM old_items',
      // A complete sync is two triggers, the INSERT one named as the sync; a half-installed one has only its UPDATE trigger.
      'CREATE TRIGGER _dbtide_sync_upd BEFORE UPDATE ON items FOR EACH ROW SET NEW.b = NEW.a',
      'CREATE TRIGGER _dbtide_sync BEFORE INSERT ON items FOR EACH ROW SET NEW.b = NEW.a',
      'CREATE TRIGGER _dbtide_half_upd BEFORE UPDATE ON new_items FOR EACH ROW SET NEW.a = NEW.a',
      'CREATE TRIGGER audit_items BEFORE INSERT ON items FOR EACH ROW SET NEW.a = NEW.a',
      // dbtide's ledger and a shadow table of archived rows, with a trigger of dbtide's own on each.
      'CREATE TABLE _dbtide_runs (id int PRIMARY KEY)',
      "CREATE TABLE shadow_items (id int PRIMARY KEY, dbtide_reason text) COMMENT 'dbtide:shadow-of:items'",
      'CREATE TRIGGER _dbtide_ledger BEFORE INSERT ON _dbtide_runs FOR EACH ROW SET NEW.id = NEW.id',
      'CREATE TRIGGER _dbtide_shadow BEFORE INSERT ON shadow_items FOR EACH ROW SET NEW.id = NEW.id',
    ]) {
      await conn.query(statement);
    }
  });

  afterAll(async () => {
    await conn?.close();
    await scratch?.drop();
  });

  it("reports complete syncs and alias views, and leaves out dbtide's tables and shadow tables", async () => {
    const model = await introspectMysql(conn!);
    expect(Object.keys(model.tables)).toEqual(['items', 'new_items']);
    expect(model.owned).toEqual({
      triggers: [{ table: 'items', name: '_dbtide_sync' }],
      aliases: [{ name: 'old_items', table: 'new_items' }],
      finishedJobs: [],
    });
  });

  it('estimates a view as 0 rows, and any base table from its statistics', async () => {
    await conn!.query('INSERT INTO shadow_items (id) VALUES (1)');
    await conn!.query('ANALYZE TABLE shadow_items');
    expect(await estimateRowsMysql(conn!, ['items', 'old_items', 'shadow_items'])).toEqual({ items: 0, old_items: 0, shadow_items: 1 });
  });
});
