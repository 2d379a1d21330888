import { describe, expect, it } from 'vitest';
import { defineSchema, native, sql } from '../../src/declaration/define-schema.js';
import { DeclarationError } from '../../src/declaration/declaration-error.js';
import { fitName, indexName, MAX_IDENTIFIER_LENGTH } from '../../src/declaration/names.js';
import type { TableInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';

const base = defineSchema({
  release: '001-base',
  tables: {
    users: {
      columns: { id: 'serial', email: 'varchar(255)', name: 'text', legacy: 'text' },
      primaryKey: ['id'],
      uniques: [{ columns: ['email'] }],
      indexes: [{ columns: ['name'] }],
      checks: [{ name: 'users_name_check', expression: 'length(name) > 0' }],
    },
    orders: {
      columns: { id: 'serial', user_id: 'int' },
      primaryKey: ['id'],
      foreignKeys: [{ columns: ['user_id'], references: { table: 'users', columns: ['id'] } }],
    },
  },
});

/** The next release, tombstoning objects of the inherited users table. */
const removingFromUsers = (removed: NonNullable<TableInput['removed']>) =>
  defineSchema({ release: '002', extends: base, tables: { users: { removed } } });

const columnNames = (schema: ReturnType<typeof defineSchema>, table: string) =>
  Object.keys(schema.tables[table]?.columns ?? {});

describe('defineSchema', () => {
  it('helpers build plain data', () => {
    expect(sql('now()')).toEqual({ sql: 'now()' });
    expect(native('inet')).toEqual({ native: 'inet' });
  });

  it('fills in the generated name of every key, index and constraint', () => {
    const users = base.tables.users!;
    expect(users.primaryKey).toEqual({ name: 'users_pkey', columns: ['id'] });
    expect(users.uniques).toEqual([{ name: 'users_email_key', columns: ['email'] }]);
    expect(users.indexes).toEqual([{ name: 'users_name_idx', columns: ['name'] }]);
    expect(users.checks).toEqual([{ name: 'users_name_check', expression: 'length(name) > 0' }]);
    expect(base.tables.orders!.foreignKeys![0]!.name).toBe('orders_user_id_fkey');
  });

  it('names a unique index differently from a plain one on the same columns', () => {
    const s = defineSchema({
      release: 'r',
      tables: { t: { columns: { a: 'int' }, indexes: [{ columns: ['a'], unique: true }, { columns: ['a'] }] } },
    });
    expect(s.tables.t!.indexes!.map((i) => i.name)).toEqual(['t_a_uidx', 't_a_idx']);
  });

  it('keeps an explicit primary key name', () => {
    const s = defineSchema({
      release: 'r',
      tables: { t: { columns: { a: 'int' }, primaryKey: { name: 'pk_t', columns: ['a'] } } },
    });
    expect(s.tables.t!.primaryKey).toEqual({ name: 'pk_t', columns: ['a'] });
  });

  it('starts without tombstones and marks the result as a schema', () => {
    expect(base.removed).toEqual({ tables: [], columns: [], indexes: [], constraints: [] });
    expect(base.dbtideSchema).toBe(1);
    expect(base.release).toBe('001-base');
  });

  describe('extends', () => {
    it('inherits every table of the previous release without changing it', () => {
      const before = structuredClone(base);
      const next = defineSchema({ release: '002', extends: base, tables: { users: { columns: { age: 'int' } } } });
      expect(Object.keys(next.tables).sort()).toEqual(['orders', 'users']);
      expect(next.tables.orders).toEqual(base.tables.orders);
      expect(base).toEqual(before);
    });

    it('appends a column added to an inherited table and keeps its keys and indexes', () => {
      const next = defineSchema({ release: '002', extends: base, tables: { users: { columns: { age: 'int' } } } });
      expect(columnNames(next, 'users')).toEqual(['id', 'email', 'name', 'legacy', 'age']);
      expect(next.tables.users!.primaryKey).toEqual(base.tables.users!.primaryKey);
      expect(next.tables.users!.indexes).toEqual(base.tables.users!.indexes);
      expect(next.tables.users!.uniques).toEqual(base.tables.users!.uniques);
    });

    it('replaces a column declared again, in its original position', () => {
      const next = defineSchema({
        release: '002',
        extends: base,
        tables: { users: { columns: { email: { type: 'varchar(255)', nullable: false } } } },
      });
      expect(columnNames(next, 'users')).toEqual(['id', 'email', 'name', 'legacy']);
      expect(next.tables.users!.columns!.email).toEqual({ type: 'varchar(255)', nullable: false });
    });

    it('merges indexes by name: same generated name replaces, a new one is added', () => {
      const next = defineSchema({
        release: '002',
        extends: base,
        tables: {
          users: { indexes: [{ columns: ['name'], where: 'legacy IS NULL' }, { columns: ['email', 'name'] }] },
        },
      });
      expect(next.tables.users!.indexes).toEqual([
        { name: 'users_name_idx', columns: ['name'], where: 'legacy IS NULL' },
        { name: 'users_email_name_idx', columns: ['email', 'name'] },
      ]);
    });

    it('tombstones an inherited column: gone from the table, recorded as removed', () => {
      const next = removingFromUsers({ columns: ['legacy'] });
      expect(columnNames(next, 'users')).toEqual(['id', 'email', 'name']);
      expect(next.removed.columns).toEqual([{ table: 'users', column: 'legacy' }]);
      expect(normalizeSchema(next).removed.columns).toEqual([{ table: 'users', column: 'legacy' }]);
    });

    it('tombstones columns given by name with a fill: the fill is the default expand gives them', () => {
      const next = removingFromUsers({ columns: { legacy: { fill: sql("'none'") } } });
      expect(columnNames(next, 'users')).toEqual(['id', 'email', 'name']);
      expect(normalizeSchema(next).removed.columns).toEqual([{ table: 'users', column: 'legacy', fill: { kind: 'sql', expression: "'none'" } }]);
      const withoutFill = removingFromUsers({ columns: { legacy: {} } });
      expect(normalizeSchema(withoutFill).removed.columns).toEqual([{ table: 'users', column: 'legacy' }]);
    });

    it('refuses a misspelt fill, naming where', () => {
      expect(() => removingFromUsers({ columns: { legacy: { fil: 0 } } } as never)).toThrow(
        /tables\.users\.removed\.columns\.legacy\.fil: unknown key "fil"; did you mean "fill"\?/,
      );
    });

    it('tombstones an inherited index', () => {
      const next = removingFromUsers({ indexes: ['users_name_idx'] });
      expect(next.tables.users!.indexes).toEqual([]);
      expect(next.removed.indexes).toEqual([{ table: 'users', name: 'users_name_idx' }]);
      expect(() => normalizeSchema(next)).not.toThrow();
    });

    it('tombstones inherited unique, check and foreign-key constraints', () => {
      const next = defineSchema({
        release: '002',
        extends: base,
        tables: {
          users: { removed: { constraints: ['users_email_key', 'users_name_check'] } },
          orders: { removed: { constraints: ['orders_user_id_fkey'] } },
        },
      });
      expect(next.tables.users!.uniques).toEqual([]);
      expect(next.tables.users!.checks).toEqual([]);
      expect(next.tables.orders!.foreignKeys).toEqual([]);
      expect(normalizeSchema(next).removed.constraints).toEqual([
        { table: 'orders', name: 'orders_user_id_fkey' },
        { table: 'users', name: 'users_email_key' },
        { table: 'users', name: 'users_name_check' },
      ]);
    });

    it('accumulates tombstones along the chain', () => {
      const second = removingFromUsers({ columns: ['legacy'] });
      const third = defineSchema({ release: '003', extends: second, tables: { users: { columns: { age: 'int' } } } });
      expect(third.removed.columns).toEqual([{ table: 'users', column: 'legacy' }]);
      expect(columnNames(third, 'users')).toEqual(['id', 'email', 'name', 'age']);
    });

    it('a tombstoned column declared again comes back and loses its tombstone', () => {
      const second = removingFromUsers({ columns: ['legacy'] });
      const third = defineSchema({
        release: '003',
        extends: second,
        tables: { users: { columns: { legacy: 'text' } } },
      });
      expect(third.removed.columns).toEqual([]);
      expect(columnNames(third, 'users')).toContain('legacy');
      expect(() => normalizeSchema(third)).not.toThrow();
    });

    it('a tombstoned index or constraint declared again loses its tombstone', () => {
      const second = removingFromUsers({ indexes: ['users_name_idx'], constraints: ['users_email_key'] });
      const third = defineSchema({
        release: '003',
        extends: second,
        tables: { users: { indexes: [{ columns: ['name'] }], uniques: [{ columns: ['email'] }] } },
      });
      expect(third.removed.indexes).toEqual([]);
      expect(third.removed.constraints).toEqual([]);
      expect(() => normalizeSchema(third)).not.toThrow();
    });

    it('tombstones a table, and a later release may declare it again', () => {
      const second = defineSchema({ release: '002', extends: base, removed: { tables: ['orders'] } });
      expect(Object.keys(second.tables)).toEqual(['users']);
      expect(second.removed.tables).toEqual(['orders']);
      const third = defineSchema({ release: '003', extends: second, tables: { orders: { columns: { id: 'int' } } } });
      expect(third.removed.tables).toEqual([]);
      expect(third.tables.orders).toEqual({ columns: { id: 'int' } });
    });

    it('keeps an object that the same release both declares and tombstones, so normalization reports it', () => {
      const next = defineSchema({
        release: '002',
        extends: base,
        tables: { users: { columns: { legacy: 'text' }, removed: { columns: ['legacy'] } } },
      });
      expect(columnNames(next, 'users')).toContain('legacy');
      expect(() => normalizeSchema(next)).toThrow(
        new DeclarationError([{ path: 'tables.users.removed.columns', message: '"legacy" is still declared' }], next.location),
      );
      expect(next.location).toMatch(/define-schema\.test\.ts:\d+$/);
    });
  });

  describe('generated names longer than the identifier limit', () => {
    const longTable = `t${'x'.repeat(59)}`; // 60 characters: any suffix pushes names past 63

    it('fits them into the limit, deterministically, and keeps them distinct', () => {
      const declare = () =>
        defineSchema({
          release: 'r',
          tables: {
            [longTable]: {
              columns: { first_column: 'int', second_column: 'int' },
              indexes: [{ columns: ['first_column'] }, { columns: ['second_column'] }],
            },
          },
        });
      const names = declare().tables[longTable]!.indexes!.map((i) => i.name!);
      expect(names).toEqual(declare().tables[longTable]!.indexes!.map((i) => i.name));
      expect(new Set(names).size).toBe(2);
      for (const name of names) {
        expect(Buffer.byteLength(name)).toBe(MAX_IDENTIFIER_LENGTH);
        expect(name).toMatch(/^tx+_[0-9a-f]{8}$/);
      }
      expect(names[0]).toBe(indexName(longTable, ['first_column'], false));
      expect(() => normalizeSchema(declare())).not.toThrow();
    });

    it('leaves names within the limit alone and never splits a multi-byte character', () => {
      expect(fitName('short_name')).toBe('short_name');
      const fitted = fitName(`${'é'.repeat(40)}_idx`);
      expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(MAX_IDENTIFIER_LENGTH);
      expect(fitted).not.toContain('\uFFFD');
      expect(fitted).toMatch(/^é+_[0-9a-f]{8}$/);
    });
  });
});
