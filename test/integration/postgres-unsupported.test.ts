/**
 * What dbtide does not model on PostgreSQL and PGlite: one object of every kind, made by hand, is
 * reported by introspection, listed by plan as drift and written at the top of the pulled file;
 * what dbtide itself keeps in the schema during a release is never reported.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDialect } from '../../dialects/postgres/index.js';
import { contract, expand, migrate, planChanges, pull } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { loadSchemaFile } from '../../src/declaration/load-schema.js';
import { changeType, renameTable } from '../../src/declaration/transitions.js';
import type { SchemaModel } from '../../src/model/schema-model.js';
import { runCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { noPostgres, postgresTargets, scratchPostgres, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

/** One object of every kind, each on its own table where it belongs to one. */
const FIXTURE = [
  `CREATE TABLE customers (
     id int PRIMARY KEY,
     name text COLLATE "C",
     active boolean,
     doubled int GENERATED ALWAYS AS (id * 2) STORED
   )`,
  `COMMENT ON TABLE customers IS 'People who buy from us; this comment is long enough to be cut short in the report'`,
  `COMMENT ON COLUMN customers.name IS 'as they write it'`,
  `COMMENT ON CONSTRAINT customers_pkey ON customers IS 'one row per customer'`,
  `CREATE VIEW active_customers AS SELECT id, name FROM customers WHERE active`,
  `CREATE MATERIALIZED VIEW customer_count AS SELECT count(*) AS n FROM customers`,
  `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$`,
  `CREATE TRIGGER last_updated BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch()`,
  `CREATE SEQUENCE invoice_numbers`,
  `CREATE TABLE counters (id serial PRIMARY KEY, ident int GENERATED ALWAYS AS IDENTITY)`,
  `CREATE TYPE mood AS ENUM ('happy', 'sad')`,
  `CREATE DOMAIN positive AS int CHECK (VALUE > 0)`,
  `CREATE TYPE pair AS (a int, b text)`,
  `CREATE TABLE moods (id int PRIMARY KEY, feeling mood, weight positive)`,
  `CREATE TABLE events (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`,
  `CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
  `CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`,
  // Each partition gets a copy of it: the parent's stands for them.
  `CREATE TRIGGER events_touch BEFORE INSERT OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION touch()`,
  // Declared: exclusion and deferrable constraints are modelled.
  `CREATE TABLE bookings (id int PRIMARY KEY, during int4range, CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&),
     CONSTRAINT bookings_later EXCLUDE USING gist (during WITH -|-) DEFERRABLE)`,
  `CREATE TABLE orders (id int PRIMARY KEY, customer_id int,
     CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED)`,
  `CREATE UNLOGGED TABLE scratchpad (id int PRIMARY KEY)`,
  `CREATE TABLE packed (id int PRIMARY KEY) WITH (fillfactor=70)`,
  `ALTER TABLE orders ENABLE ROW LEVEL SECURITY`,
  `CREATE POLICY own_orders ON orders FOR SELECT USING (customer_id = 1)`,
  `CREATE INDEX orders_customer_idx ON orders (customer_id)`,
  `COMMENT ON INDEX orders_customer_idx IS 'for the customer page'`,
  `CREATE RULE keep_packed AS ON DELETE TO packed DO INSTEAD NOTHING`,
  `CREATE TABLE cities (id int PRIMARY KEY, name text)`,
  `CREATE TABLE capitals (country text) INHERITS (cities)`,
];

/** kind, name, table: sorted as introspection sorts them. */
const EXPECTED: [string, string, string | null][] = [
  ['collation', 'name', 'customers'],
  ['comment', 'customers_pkey', 'customers'],
  ['comment', 'orders_customer_idx', 'orders'],
  ['composite type', 'pair', null],
  ['function', 'touch()', null],
  ['generated column', 'doubled', 'customers'],
  ['inheritance', 'capitals', null],
  ['materialized view', 'customer_count', null],
  ['partition', 'events_2024', 'events'],
  ['partition', 'events_2025', 'events'],
  ['partitioned table', 'events', null],
  ['policy', 'own_orders', 'orders'],
  ['row level security', 'orders', null],
  ['rule', 'keep_packed', 'packed'],
  ['storage options', 'packed', null],
  ['trigger', 'last_updated', 'customers'],
  ['trigger', 'events_touch', 'events'],
  ['unlogged table', 'scratchpad', null],
  ['view', 'active_customers', null],
];

const objectName = ([kind, name, table]: (typeof EXPECTED)[number]) => `${kind} ${name}${table === null ? '' : ` on ${table}`}`;

describe.each(postgresTargets)('what dbtide does not model on $name', (target) => {
  let db: ScratchDatabase;
  let model: SchemaModel;
  let source: string;

  beforeAll(async () => {
    db = await target.create('unsupported');
    await withConnection(target.dialect.connect(db.url), async (conn) => {
      for (const statement of FIXTURE) await conn.query(statement);
    });
    ({ model, source } = await pull({ url: db.url }, { release: 'r1' }));
  });
  afterAll(() => db?.drop());

  it('introspection reports each object by kind, name and table', () => {
    expect(model.unsupported!.map((u) => [u.kind, u.name, u.table])).toEqual(EXPECTED);
  });

  it('declares comments instead of reporting them', () => {
    expect(model.tables.customers!.comment).toBe('People who buy from us; this comment is long enough to be cut short in the report');
    expect(model.tables.customers!.columns.find((c) => c.name === 'name')!.comment).toBe('as they write it');
    expect(source).toContain("comment: 'as they write it'");
  });

  it('declares sequences (a serial column\'s too, owned by it), enum types and domains instead of reporting them', () => {
    expect(Object.keys(model.sequences ?? {})).toEqual(['counters_id_seq', 'invoice_numbers']);
    expect(model.sequences!.counters_id_seq!.ownedBy).toEqual({ table: 'counters', column: 'id' });
    expect(model.sequences!.counters_id_seq!.type).toBe('int');
    expect(model.sequences!.invoice_numbers).toEqual({
      name: 'invoice_numbers', type: 'bigint', start: '1', increment: '1', min: '1', max: '9223372036854775807', cache: '1', cycle: false, ownedBy: null,
    });
    expect(model.enums).toEqual({ mood: { name: 'mood', values: ['happy', 'sad'] } });
    expect(model.domains).toEqual({
      positive: { name: 'positive', type: { kind: 'int' }, notNull: false, default: null, checks: [{ name: 'positive_check', expression: '(VALUE > 0)' }] },
    });
    expect(source).toContain("counters_id_seq: { type: 'int', ownedBy: { table: 'counters', column: 'id' } }");
  });

  it('says in a few words what a fresh install would lack', () => {
    const detail = (kind: string, name: string) => model.unsupported!.find((u) => u.kind === kind && u.name === name)?.detail;
    expect(detail('generated column', 'doubled')).toBe('GENERATED ALWAYS AS ((id * 2)) STORED');
    expect(detail('collation', 'name')).toBe('COLLATE "C"');
    expect(detail('comment', 'customers_pkey')).toBe('constraint: one row per customer');
    expect(detail('comment', 'orders_customer_idx')).toBe('index: for the customer page');
    expect(detail('partitioned table', 'events')).toBe('RANGE (at)');
    expect(detail('partition', 'events_2024')).toBe("FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')");
    expect(detail('storage options', 'packed')).toBe('fillfactor=70');
    expect(detail('trigger', 'last_updated')).toBe('BEFORE UPDATE FOR EACH ROW, executes touch()');
    expect(detail('inheritance', 'capitals')).toBe('inherits from cities');
  });

  it('the pulled file lists each at its top, and plan against it lists each as drift and does nothing', async () => {
    for (const expected of EXPECTED) expect(source).toContain(`// unsupported, kept as is: ${objectName(expected)}: `);
    expect(source.indexOf('// unsupported')).toBeLessThan(source.indexOf('defineSchema('));
    const declared = await loadSchemaFile(files.write(`pulled-${target.name}.ts`, source));
    const { plan } = await planChanges({ url: db.url }, declared);
    expect(plan.steps).toEqual([]);
    expect(plan.drift.map((d) => d.object)).toEqual(EXPECTED.map(objectName));
    expect(plan.drift.every((d) => d.detail.startsWith('unsupported, kept as is: '))).toBe(true);
  });

  it('the CLI says so on pull, and plan shows the drift without failing', async () => {
    const out = join(files.dir, `cli-${target.name}.ts`);
    const pulled = await runCli(['pull', '--url', db.url, '--out', out]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stderr).toContain(`pull: ${EXPECTED.length} object(s) dbtide does not model are listed at the top of ${out} and kept as is`);
    const plan = await runCli(['plan', '--url', db.url, '--schema', out]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('  - view active_customers: unsupported, kept as is: ');
  });
});

// PGlite loads no extension unless told to: the server has them.
describe.skipIf(noPostgres)('extensions on postgres', () => {
  it('reports the extension and a foreign table, never what the extension itself makes', async () => {
    const db = await scratchPostgres('unsupported_extensions');
    try {
      await withConnection(postgresDialect.connect(db.url), async (conn) => {
        for (const statement of [
          'CREATE EXTENSION citext',
          'CREATE EXTENSION file_fdw',
          'CREATE SERVER files FOREIGN DATA WRAPPER file_fdw',
          "CREATE FOREIGN TABLE log_lines (line text) SERVER files OPTIONS (filename '/dev/null')",
          'CREATE TABLE handles (id int PRIMARY KEY, handle citext)',
        ]) {
          await conn.query(statement);
        }
      });
      const { model } = await pull({ url: db.url });
      expect(Object.keys(model.tables)).toEqual(['handles']);
      expect(model.unsupported!.map((u) => [u.kind, u.name, u.detail.replace(/version [\d.]+/, 'version n')])).toEqual([
        ['extension', 'citext', 'version n'],
        ['extension', 'file_fdw', 'version n'],
        ['foreign table', 'log_lines', 'server files'],
      ]);
    } finally {
      await db.drop();
    }
  });
});

// PostgreSQL 18 keeps NOT NULL as constraints, which may be NOT VALID: rows from before may be NULL.
describe.skipIf(noPostgres)('a NOT VALID not-null constraint (PostgreSQL 18 and later)', () => {
  it('is read as nullable and reported; declared notNull, contract finds the NULL rows, then validates it', async (ctx) => {
    const db = await scratchPostgres('not_valid_not_null');
    try {
      const admin = (statements: string[]) =>
        withConnection(postgresDialect.connect(db.url), async (conn) => {
          for (const sql of statements) await conn.query(sql);
        });
      const [version] = await withConnection(postgresDialect.connect(db.url), (conn) => conn.query<{ major: number }>("SELECT current_setting('server_version_num')::int / 10000 AS major"));
      const major = version!.major;
      if (major < 18) ctx.skip(`PostgreSQL ${major} has no NOT VALID not-null constraint`);
      await admin([
        'CREATE TABLE meters (id int PRIMARY KEY, reading int)',
        'INSERT INTO meters VALUES (1, NULL), (2, 5)',
        'ALTER TABLE meters ADD CONSTRAINT meters_reading_nn NOT NULL reading NOT VALID',
      ]);
      const { model } = await pull({ url: db.url });
      expect(model.tables.meters!.columns.find((c) => c.name === 'reading')!.nullable).toBe(true);
      expect(model.unsupported).toEqual([expect.objectContaining({ kind: 'NOT NULL constraint', name: 'meters_reading_nn', table: 'meters', detail: expect.stringMatching(/^NOT VALID on reading: /) })]);

      const strict = defineSchema({ release: 'strict', tables: { meters: { columns: { id: 'int', reading: { type: 'int', nullable: false } }, primaryKey: ['id'] } } });
      await expand({ url: db.url }, strict);
      await migrate({ url: db.url }, strict);
      await expect(contract({ url: db.url }, strict)).rejects.toThrow(/meters\.reading has no NULL/);
      await admin(['UPDATE meters SET reading = 0 WHERE reading IS NULL']);
      await contract({ url: db.url }, strict);
      const [constraint] = await withConnection(postgresDialect.connect(db.url), (conn) =>
        conn.query<{ convalidated: boolean }>("SELECT convalidated FROM pg_constraint WHERE conrelid = 'meters'::regclass AND contype = 'n' AND conkey = ARRAY[2::smallint]"),
      );
      expect(constraint).toEqual({ convalidated: true });
      expect((await planChanges({ url: db.url }, strict)).plan.steps).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

const v1 = defineSchema({
  release: 'v1',
  tables: {
    gauges: { columns: { id: 'int', level: 'int' }, primaryKey: ['id'] },
    hosts: { columns: { id: { type: 'int', identity: true }, name: 'varchar(64)' }, primaryKey: ['id'] },
  },
});
const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: { gauges: { columns: { level: 'bigint' } } },
  transitions: [changeType('gauges', 'level'), renameTable('hosts', 'machines')],
});

describe.each(postgresTargets)('what dbtide keeps itself on $name', (target) => {
  it('is never reported: the dual-write trigger and its function, the shadow column, the alias view, the version schema, identity sequences, the ledger', async () => {
    const db = await target.create('own_objects');
    const t = { url: db.url };
    const nothingReported = async () => {
      expect((await pull(t)).model.unsupported).toEqual([]);
      expect((await planChanges(t, v2)).plan.drift).toEqual([]);
    };
    try {
      await expand(t, v1);
      await contract(t, v1);
      await expand(t, v2);
      const window = await withConnection(target.dialect.connect(db.url), (conn) =>
        conn.query<{ name: string }>(
          `SELECT tgname::text AS name FROM pg_trigger WHERE NOT tgisinternal
           UNION ALL SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'public\\_%'
           UNION ALL SELECT relname::text FROM pg_class WHERE relname = 'hosts' AND relkind = 'v'`,
        ),
      );
      // The window holds every kind of object dbtide makes for itself.
      expect(window.map((r) => r.name).sort()).toEqual(['_dbtide_sync_gauges_level', '_dbtide_sync_gauges_level_update', 'hosts', 'public_v2']);
      await nothingReported();
      await migrate(t, v2);
      await contract(t, v2);
      await nothingReported();
    } finally {
      await db.drop();
    }
  });
});
