import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import liberty from '../../migrations/004-liberty.js';
import type { Schema } from '../../src/declaration/dsl-types.js';
import { checkName } from '../../src/declaration/names.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { renderDeclaration } from '../../src/declaration/render-declaration.js';
import type { SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { check, column, foreignKey, index } from '../support/model-builders.js';
import type { ColumnType } from '../../src/model/column-type.js';

const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/**
 * A table in canonical form: lists sorted by name, as normalization leaves them. Unlike the shared
 * `table` builder, no default `id` column and no primary key unless given.
 */
function table(name: string, parts: Partial<TableModel>): TableModel {
  const sorted = <T extends { name: string }>(list: T[] = []) => [...list].sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    name,
    columns: parts.columns ?? [],
    primaryKey: parts.primaryKey ?? null,
    uniques: sorted(parts.uniques),
    indexes: sorted(parts.indexes),
    foreignKeys: sorted(parts.foreignKeys),
    checks: sorted(parts.checks),
  };
}

const schemaModel = (...tables: TableModel[]): SchemaModel => ({
  tables: Object.fromEntries(tables.map((t) => [t.name, t]).sort(([a], [b]) => (a! < b! ? -1 : 1))),
});

const int = { kind: 'int' } as const;
const bigint = { kind: 'bigint' } as const;
const text = { kind: 'text' } as const;
const varchar = (length: number): ColumnType => ({ kind: 'varchar', length });
const timestamptz = { kind: 'timestamp', withTimeZone: true } as const;
const now = { kind: 'sql', expression: 'now()' } as const;
const emailCheck = "email LIKE '%@%'";

/** Exercises every column type kind, default kind, identity, key, index and foreign-key shape. */
const shop = schemaModel(
  table('customers', {
    columns: [
      column('id', bigint, { nullable: false, identity: 'always' }),
      column('email', varchar(255), { nullable: false }),
      column('name', text),
      column('born', { kind: 'date' }),
      column('created_at', timestamptz, { default: now }),
      column('seen_at', { kind: 'timestamp', withTimeZone: false }),
      column('active', { kind: 'boolean' }, { nullable: false, default: { kind: 'literal', value: true } }),
      column('balance', { kind: 'numeric', precision: 12, scale: 2 }, { default: { kind: 'literal', value: '0.00' } }),
      column('weight', { kind: 'numeric', precision: null, scale: null }),
      column('score', { kind: 'real' }, { default: { kind: 'literal', value: 1.5 } }),
      column('ratio', { kind: 'double' }),
      column('rank', { kind: 'smallint' }, { default: { kind: 'literal', value: -1 } }),
      column('token', { kind: 'uuid' }),
      column('profile', { kind: 'json' }),
      column('avatar', { kind: 'binary' }),
      column('address', { kind: 'native', sql: 'inet' }),
      column('tags', { kind: 'native', sql: 'text[]' }, {
        nullable: false,
        default: { kind: 'sql', expression: "'{}'::text[]" },
      }),
      column('note', text, { default: { kind: 'literal', value: 'it\'s "quoted", back\\slash\nand a line' } }),
    ],
    primaryKey: { name: 'customers_pkey', columns: ['id'] },
    uniques: [
      { name: 'customers_email_key', columns: ['email'] },
      { name: 'customers_name_born_uq', columns: ['name', 'born'] },
    ],
    indexes: [
      index('customers_active_email', ['email'], { unique: true, where: 'active AND email IS NOT NULL' }),
      index('customers_lower_name_idx', ['lower(name)']),
      index('customers_created_at_DESC_idx', ['created_at DESC']),
      index('customers_tags_idx', ['tags'], { using: 'gin' }),
      index('customers_token_uidx', ['token'], { unique: true }),
    ],
    checks: [
      check('customers_balance_positive', 'balance >= 0'),
      check(checkName('customers', emailCheck), emailCheck),
    ],
  }),
  table('orders', {
    columns: [
      column('id', int, { nullable: false, identity: 'by-default' }),
      column('customer_id', bigint, { nullable: false }),
      column('backup_customer_id', bigint),
    ],
    primaryKey: { name: 'orders_pkey', columns: ['id'] },
    foreignKeys: [
      foreignKey('orders_customer_id_fkey', ['customer_id'], 'customers', { onDelete: 'cascade' }),
      foreignKey('orders_backup_fk', ['backup_customer_id'], 'customers', {
        onDelete: 'set null',
        onUpdate: 'restrict',
      }),
    ],
  }),
  table('order_lines', {
    columns: [
      column('order_id', int, { nullable: false }),
      column('line_no', int, { nullable: false }),
      column('qty', int),
    ],
    primaryKey: { name: 'pk_order_lines', columns: ['order_id', 'line_no'] },
    foreignKeys: [foreignKey('order_lines_order_id_fkey', ['order_id'], 'orders', { onUpdate: 'set default' })],
  }),
  table('Order', {
    columns: [column('user-name', varchar(255)), column('2fa', { kind: 'boolean' }), column('$ref', int)],
    indexes: [index('Order_user_name_idx', ['user-name'])],
    foreignKeys: [foreignKey('Order_user_name_fkey', ['user-name'], 'customers', { referencedColumns: ['email'], onDelete: 'restrict' })],
  }),
);

let dir = '';
let files = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbtide-render-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Renders the model into a release file, imports it as a module would, and normalizes it again. */
async function roundTrip(model: SchemaModel, release = 'r'): Promise<{ source: string; model: SchemaModel }> {
  const source = renderDeclaration(model, { release, importFrom: INDEX });
  files += 1;
  const file = join(dir, `release-${files}.ts`);
  await writeFile(file, source);
  const { default: schema } = (await import(pathToFileURL(file).href)) as { default: Schema };
  expect(schema.release).toBe(release);
  return { source, model: normalizeSchema(schema).model };
}

describe('renderDeclaration', () => {
  it('round-trips every column type, default, key, index and foreign-key shape', async () => {
    const { model } = await roundTrip(shop);
    expect(model).toEqual(shop);
  });

  it('round-trips the example chain', async () => {
    const declared = normalizeSchema(liberty).model;
    expect((await roundTrip(declared, '004-liberty')).model).toEqual(declared);
  });

  it('round-trips an empty schema', async () => {
    const { source, model } = await roundTrip({ tables: {} });
    expect(model).toEqual({ tables: {} });
    expect(source).toContain('  tables: {},\n');
  });

  it('prints the compact forms a person would write', () => {
    const hosts = schemaModel(
      table('hosts', {
        columns: [
          column('id', int, { nullable: false, identity: 'by-default' }),
          column('name', varchar(255), { nullable: false }),
          column('address', { kind: 'native', sql: 'inet' }),
          column('seen_at', timestamptz, { default: now }),
          column('note', text),
        ],
        primaryKey: { name: 'hosts_pkey', columns: ['id'] },
        uniques: [{ name: 'hosts_name_key', columns: ['name'] }],
        indexes: [index('hosts_seen_at_idx', ['seen_at'])],
      }),
    );
    expect(renderDeclaration(hosts, { release: '005-mitaka' })).toBe(
      [
        "import { defineSchema, native, sql } from 'dbtide';",
        '',
        'export default defineSchema({',
        "  release: '005-mitaka',",
        '  tables: {',
        '    hosts: {',
        '      columns: {',
        "        id: { type: 'int', identity: true },",
        "        name: { type: 'varchar(255)', nullable: false },",
        "        address: { type: native('inet') },",
        "        seen_at: { type: 'timestamptz', default: sql('now()') },",
        "        note: 'text',",
        '      },',
        "      primaryKey: ['id'],",
        "      uniques: [{ columns: ['name'] }],",
        "      indexes: [{ columns: ['seen_at'] }],",
        '    },',
        '  },',
        '});',
        '',
      ].join('\n'),
    );
  });

  it('imports only the helpers it uses', () => {
    const plain = schemaModel(table('t', { columns: [column('a', int)] }));
    expect(renderDeclaration(plain, { release: 'r' }).split('\n')[0]).toBe("import { defineSchema } from 'dbtide';");
    expect(renderDeclaration(plain, { release: 'r', importFrom: '../src/index.js' }).split('\n')[0]).toBe(
      "import { defineSchema } from '../src/index.js';",
    );
  });

  it('states names, actions and options only where they differ from the defaults', async () => {
    const { source } = await roundTrip(shop);
    expect(source).toContain("primaryKey: { name: 'pk_order_lines', columns: ['order_id', 'line_no'] },");
    expect(source).toContain("{ name: 'customers_name_born_uq', columns: ['name', 'born'] }");
    expect(source).toContain("{ columns: ['email'] }");
    expect(source).toContain("{ columns: ['lower(name)'] }");
    expect(source).toContain("{ columns: ['token'], unique: true }");
    expect(source).toContain("{ columns: ['tags'], using: 'gin' }");
    expect(source).toContain("{ expression: 'email LIKE \\'%@%\\'' }");
    expect(source).toContain("id: { type: 'bigint', identity: 'always' },");
    expect(source).not.toMatch(/customers_email_key|orders_customer_id_fkey|btree|'no action'|valid/);
  });

  it('quotes only keys that are not identifiers, and escapes strings in single quotes', async () => {
    const { source } = await roundTrip(shop);
    expect(source).toContain('    Order: {');
    expect(source).toContain("'user-name': 'varchar(255)',");
    expect(source).toContain("'2fa': 'boolean',");
    expect(source).toContain("$ref: 'int',");
    expect(source).toContain("note: { type: 'text', default: 'it\\'s \"quoted\", back\\\\slash\\nand a line' },");
  });

  it('keeps lines within 100 characters, spreading what does not fit one item per line', async () => {
    const { source } = await roundTrip(shop);
    for (const line of source.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(source).toContain(
      [
        '      uniques: [',
        "        { columns: ['email'] },",
        "        { name: 'customers_name_born_uq', columns: ['name', 'born'] },",
        '      ],',
      ].join('\n'),
    );
    expect(source).toContain(
      [
        '      foreignKeys: [',
        '        {',
        "          name: 'orders_backup_fk',",
        "          columns: ['backup_customer_id'],",
        "          references: { table: 'customers', columns: ['id'] },",
        "          onDelete: 'set null',",
        "          onUpdate: 'restrict',",
        '        },',
      ].join('\n'),
    );
  });
});

describe('renderDeclaration: objects dbtide does not model', () => {
  it('lists each in a comment at the top, with their count; the file still declares only the tables', async () => {
    const tables = schemaModel(table('users', { columns: [column('id', bigint, { nullable: false })], primaryKey: { name: 'users_pkey', columns: ['id'] } }));
    const { source, model } = await roundTrip({
      ...tables,
      unsupported: [
        { kind: 'comment', name: 'users', table: null, detail: 'who signed up' },
        // A line break in the server's text must not end the comment and run the rest as code.
        { kind: 'trigger', name: 'audit', table: 'users', detail: 'AFTER INSERT\nthrow new Error()' },
      ],
    });
    expect(source.split('\n').slice(0, 4)).toEqual([
      '// 2 object(s) dbtide does not model: plan reports them as drift and never drops them; a fresh install from this file lacks them.',
      '// unsupported, kept as is: comment users: who signed up',
      '// unsupported, kept as is: trigger audit on users: AFTER INSERT throw new Error()',
      '',
    ]);
    expect(model).toEqual(tables);
  });

  it('adds no comment when there is nothing it does not model', () => {
    expect(renderDeclaration({ tables: {}, unsupported: [] }, { release: 'r' })).toMatch(/^import /);
  });
});
