import { describe, expect, it } from 'vitest';
import { defineSchema, native, sql } from '../../src/declaration/define-schema.js';
import { DeclarationError, type DeclarationIssue } from '../../src/declaration/declaration-error.js';
import type { ColumnInput, ForeignKeyInput, Schema, SchemaInput, TableInput } from '../../src/declaration/dsl-types.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';

const declare = (tables: Record<string, TableInput>, rest: Partial<SchemaInput> = {}) =>
  normalizeSchema(defineSchema({ release: 'r', tables, ...rest }));

/** What a declaration is refused for, whether `defineSchema` (shape) or normalization (meaning) finds it. */
function issuesOfSchema(schema: () => Schema): DeclarationIssue[] {
  try {
    normalizeSchema(schema());
    return [];
  } catch (error) {
    if (error instanceof DeclarationError) return error.issues;
    throw error;
  }
}

const issuesOf = (tables: Record<string, TableInput>, rest: Partial<SchemaInput> = {}) =>
  issuesOfSchema(() => defineSchema({ release: 'r', tables, ...rest }));

/** One table `t` holding the column `c`, so column rules can be tested one at a time. */
const column = (input: string | ColumnInput) => declare({ t: { columns: { c: input } } }).model.tables.t!.columns[0]!;
const columnIssues = (input: string | ColumnInput) => issuesOf({ t: { columns: { c: input } } });
const at = (path: string, message: string | ReturnType<typeof expect.stringContaining>) => ({ path, message });

const users: TableInput = {
  columns: { id: 'serial', email: { type: 'varchar(255)', nullable: false }, nick: 'varchar(40)' },
  primaryKey: ['id'],
  uniques: [{ columns: ['email'] }],
  indexes: [{ columns: ['nick'], unique: true }],
};

describe('normalizeSchema', () => {
  describe('columns', () => {
    it('reads a string as shorthand for { type }, nullable and without default or identity', () => {
      expect(column('varchar(255)')).toEqual({
        name: 'c',
        type: { kind: 'varchar', length: 255 },
        nullable: true,
        default: null,
        identity: null,
      });
      expect(column({ type: 'varchar(255)' })).toEqual(column('varchar(255)'));
    });

    it('parses portable types', () => {
      expect(column('integer').type).toEqual({ kind: 'int' });
      expect(column('timestamptz').type).toEqual({ kind: 'timestamp', withTimeZone: true });
      expect(column('numeric(10,2)').type).toEqual({ kind: 'numeric', precision: 10, scale: 2 });
    });

    it('reports an unknown type with the portable type names', () => {
      const issues = issuesOf({ instances: { columns: { uuid: 'varchr' } } });
      expect(issues).toEqual([
        at('tables.instances.columns.uuid', expect.stringContaining('unknown type "varchr" (portable types: smallint')),
      ]);
    });

    it('reports a varchar without length', () => {
      expect(columnIssues('varchar')).toEqual([
        at('tables.t.columns.c', expect.stringContaining('varchar needs a length')),
      ]);
    });

    it('keeps a native type verbatim, trimmed', () => {
      expect(column({ type: native(' inet ') }).type).toEqual({ kind: 'native', sql: 'inet' });
      expect(columnIssues({ type: native('  ') })).toEqual([at('tables.t.columns.c.type.native', 'must not be empty')]);
    });

    it('reports a type that is neither a name nor native(...)', () => {
      expect(columnIssues({ type: 42 } as unknown as ColumnInput)).toEqual([
        at('tables.t.columns.c.type', 'must be a type name such as "varchar(255)", or native("..."), got number 42'),
      ]);
    });

    it('makes serial and bigserial identity columns, NOT NULL', () => {
      expect(column('serial')).toMatchObject({ type: { kind: 'int' }, identity: 'by-default', nullable: false });
      expect(column('BIGSERIAL')).toMatchObject({ type: { kind: 'bigint' }, identity: 'by-default', nullable: false });
      expect(column({ type: 'serial', identity: 'always' }).identity).toBe('always');
    });

    it('refuses serial with identity: false', () => {
      expect(columnIssues({ type: 'serial', identity: false })).toEqual([
        at('tables.t.columns.c', '"serial" is an identity column; use "int" for a plain one'),
      ]);
    });

    it('reads identity: true as by-default, and keeps always', () => {
      expect(column({ type: 'bigint', identity: true })).toMatchObject({ identity: 'by-default', nullable: false });
      expect(column({ type: 'bigint', identity: 'by-default' }).identity).toBe('by-default');
      expect(column({ type: 'smallint', identity: 'always' }).identity).toBe('always');
      expect(column({ type: 'int', identity: false })).toMatchObject({ identity: null, nullable: true });
    });

    it('allows identity only on integer columns', () => {
      expect(columnIssues({ type: 'varchar(36)', identity: true })).toEqual([
        at('tables.t.columns.c', 'identity needs a smallint, int or bigint column, not varchar(36)'),
      ]);
      expect(columnIssues({ type: 'numeric(10,0)', identity: true })).toHaveLength(1);
    });

    it('refuses an identity column with a default', () => {
      expect(columnIssues({ type: 'int', identity: true, default: 1 })).toEqual([
        at('tables.t.columns.c', 'an identity column cannot also have a default'),
      ]);
      expect(columnIssues({ type: 'serial', default: sql('1') })).toHaveLength(1);
    });

    it('refuses a nullable identity column and an unknown identity value', () => {
      expect(columnIssues({ type: 'int', identity: true, nullable: true })).toEqual([
        at('tables.t.columns.c', 'identity column must not be nullable'),
      ]);
      expect(columnIssues({ type: 'int', identity: 'sometimes' } as unknown as ColumnInput)).toEqual([
        at('tables.t.columns.c.identity', 'must be one of true, false, "always", "by-default", got string "sometimes"'),
      ]);
    });

    it('makes columns nullable unless told otherwise, and primary-key columns NOT NULL', () => {
      const columns = { a: 'int', b: { type: 'int', nullable: false }, k: 'int' };
      const t = declare({ t: { columns, primaryKey: ['k'] } }).model.tables.t!;
      expect(t.columns.map((c) => [c.name, c.nullable])).toEqual([
        ['a', true],
        ['b', false],
        ['k', false],
      ]);
    });

    it('refuses an explicitly nullable primary-key column', () => {
      expect(issuesOf({ t: { columns: { k: { type: 'int', nullable: true } }, primaryKey: ['k'] } })).toEqual([
        at('tables.t.columns.k', 'primary key column must not be nullable'),
      ]);
      expect(issuesOf({ t: { columns: { k: { type: 'int', nullable: false } }, primaryKey: ['k'] } })).toEqual([]);
    });

    it('turns defaults into literals or trimmed SQL expressions', () => {
      expect(column({ type: 'text', default: 'n/a' }).default).toEqual({ kind: 'literal', value: 'n/a' });
      expect(column({ type: 'int', default: 0 }).default).toEqual({ kind: 'literal', value: 0 });
      expect(column({ type: 'boolean', default: false }).default).toEqual({ kind: 'literal', value: false });
      expect(column({ type: 'timestamp', default: sql('  CURRENT_TIMESTAMP ') }).default).toEqual({
        kind: 'sql',
        expression: 'CURRENT_TIMESTAMP',
      });
      expect(column({ type: 'int', default: null }).default).toBeNull();
      expect(column({ type: 'int' }).default).toBeNull();
    });

    it('refuses an empty SQL default', () => {
      expect(columnIssues({ type: 'int', default: sql(' ') })).toEqual([
        at('tables.t.columns.c.default.sql', 'must not be empty'),
      ]);
    });

    it('refuses a boolean default on a non-boolean column', () => {
      expect(columnIssues({ type: 'int', default: true })).toEqual([
        at('tables.t.columns.c', 'default true is a boolean, but the column is int'),
      ]);
      expect(columnIssues({ type: 'varchar(5)', default: false })).toEqual([
        at('tables.t.columns.c', 'default false is a boolean, but the column is varchar(5)'),
      ]);
    });

    it('refuses a non-numeric literal on a numeric column', () => {
      expect(columnIssues({ type: 'int', default: 'zero' })).toEqual([
        at('tables.t.columns.c', 'default "zero" is not a number, but the column is int'),
      ]);
      expect(columnIssues({ type: 'double', default: Number.NaN })).toHaveLength(1);
      expect(columnIssues({ type: 'numeric(10,2)', default: '12.50' })).toEqual([]);
      expect(columnIssues({ type: 'real', default: '-1.5e3' })).toEqual([]);
    });

    it('leaves literal defaults of native columns to the database', () => {
      expect(columnIssues({ type: native('bit(1)'), default: true })).toEqual([]);
    });

    it('refuses empty and overlong column names', () => {
      expect(issuesOf({ t: { columns: { '': 'int', ok: 'int' } } })).toEqual([
        at('tables.t.columns.', 'column name must not be empty'),
      ]);
      const long = 'c'.repeat(64);
      expect(issuesOf({ t: { columns: { [long]: 'int' } } })).toEqual([
        at(`tables.t.columns.${long}`, 'column name is 64 bytes; the limit is 63'),
      ]);
      expect(issuesOf({ t: { columns: { ['c'.repeat(63)]: 'int' } } })).toEqual([]);
    });
  });

  describe('tables', () => {
    it('refuses a table without columns', () => {
      expect(issuesOf({ t: {} })).toEqual([at('tables.t.columns', 'a table needs at least one column')]);
    });

    it('reserves the _dbtide_ prefix, in any case', () => {
      const message = 'table names starting with "_dbtide_" are reserved for dbtide\'s own tables';
      expect(issuesOf({ _dbtide_ledger: { columns: { a: 'int' } } })).toEqual([at('tables._dbtide_ledger', message)]);
      expect(issuesOf({ _DBTIDE_x: { columns: { a: 'int' } } })).toEqual([at('tables._DBTIDE_x', message)]);
      expect(issuesOf({ dbtide_own: { columns: { a: 'int' } } })).toEqual([]);
    });

    it('refuses empty and overlong table names, counting bytes', () => {
      expect(issuesOf({ '': { columns: { a: 'int' } } })).toEqual([at('tables.', 'table name must not be empty')]);
      const long = 'é'.repeat(32); // 32 characters, 64 bytes
      expect(issuesOf({ [long]: { columns: { a: 'int' } } })).toEqual([
        at(`tables.${long}`, 'table name is 64 bytes; the limit is 63'),
      ]);
    });

    it('refuses an empty release name', () => {
      const issues = issuesOf({ t: { columns: { a: 'int' } } }, { release: ' ' });
      expect(issues).toEqual([at('release', 'must not be empty')]);
    });
  });

  describe('keys and indexes', () => {
    it('normalizes a composite primary key, in the declared column order', () => {
      const t = declare({ t: { columns: { a: 'int', b: 'int' }, primaryKey: ['b', 'a'] } }).model.tables.t!;
      expect(t.primaryKey).toEqual({ name: 't_pkey', columns: ['b', 'a'] });
      expect(t.columns.every((c) => !c.nullable)).toBe(true);
    });

    it('checks the columns of a primary key', () => {
      expect(issuesOf({ t: { columns: { a: 'int' }, primaryKey: ['nope'] } })).toEqual([
        at('tables.t.primaryKey', 'unknown column "nope"'),
      ]);
      expect(issuesOf({ t: { columns: { a: 'int' }, primaryKey: [] } })).toEqual([
        at('tables.t.primaryKey', 'must not be empty'),
      ]);
      expect(issuesOf({ t: { columns: { a: 'int' }, primaryKey: ['a', 'a'] } })).toEqual([
        at('tables.t.primaryKey', 'column "a" is listed twice'),
      ]);
    });

    it('checks the columns of a unique constraint', () => {
      expect(issuesOf({ t: { columns: { a: 'int' }, uniques: [{ columns: ['a', 'b'] }] } })).toEqual([
        at('tables.t.uniques.t_a_b_key', 'unknown column "b"'),
      ]);
      expect(issuesOf({ t: { columns: { a: 'int' }, uniques: [{ name: 'u', columns: [] }] } })).toEqual([
        at('tables.t.uniques[0].columns', 'must not be empty'),
      ]);
    });

    it('checks index columns but not expressions', () => {
      const tables = (columns: string[]) => ({
        t: { columns: { name: 'text', created_at: 'timestamp' }, indexes: [{ name: 'i', columns }] },
      });
      expect(issuesOf(tables(['lower(name)', 'created_at DESC', 'name']))).toEqual([]);
      expect(issuesOf(tables(['nmae']))).toEqual([at('tables.t.indexes.i', 'unknown column "nmae"')]);
      expect(issuesOf(tables([]))).toEqual([at('tables.t.indexes[0].columns', 'must not be empty')]);
    });

    it('fills index defaults and keeps partial, expression and access-method details', () => {
      const t = declare({
        t: {
          columns: { name: 'text', tags: { type: native('jsonb') }, deleted: 'boolean' },
          indexes: [
            { columns: ['name'] },
            { name: 'live_names', columns: ['lower(name)'], unique: true, where: ' NOT deleted ' },
            { name: 'tags_gin', columns: ['tags'], using: 'GIN' },
          ],
        },
      }).model.tables.t!;
      expect(t.indexes).toEqual([
        {
          name: 'live_names',
          columns: ['lower(name)'],
          unique: true,
          where: 'NOT deleted',
          using: 'btree',
          include: [],
          nullsNotDistinct: false,
          valid: true,
        },
        { name: 't_name_idx', columns: ['name'], unique: false, where: null, using: 'btree', include: [], nullsNotDistinct: false, valid: true },
        { name: 'tags_gin', columns: ['tags'], unique: false, where: null, using: 'gin', include: [], nullsNotDistinct: false, valid: true },
      ]);
    });
  });

  describe('foreign keys', () => {
    /** users plus an orders table whose foreign key `fk` references users(id) unless told otherwise. */
    const orders = (fk: Partial<ForeignKeyInput>, columns: TableInput['columns'] = {}) => ({
      users,
      orders: {
        columns: { id: 'serial', user_id: 'int', email: 'varchar(255)', nick: 'varchar(40)', ...columns },
        primaryKey: ['id'],
        foreignKeys: [{ name: 'fk', columns: ['user_id'], references: { table: 'users', columns: ['id'] }, ...fk }],
      },
    });

    it('normalizes a foreign key to the primary key with default actions', () => {
      expect(declare(orders({})).model.tables.orders!.foreignKeys).toEqual([
        {
          name: 'fk',
          columns: ['user_id'],
          referencedTable: 'users',
          referencedColumns: ['id'],
          onDelete: 'no action',
          onUpdate: 'no action',
          validated: true,
        },
      ]);
    });

    it('accepts actions in any case and refuses unknown ones', () => {
      const fk = declare(orders({ onDelete: 'CASCADE' as 'cascade', onUpdate: 'Set  Null' as 'set null' })).model.tables
        .orders!.foreignKeys[0]!;
      expect([fk.onDelete, fk.onUpdate]).toEqual(['cascade', 'set null']);
      expect(issuesOf(orders({ onDelete: 'delete' as 'cascade' }))).toEqual([
        at(
          'tables.orders.foreignKeys[0].onDelete',
          'must be one of "no action", "restrict", "cascade", "set null", "set default", got string "delete"',
        ),
      ]);
    });

    it('accepts a reference to a unique constraint, in any column order', () => {
      expect(issuesOf(orders({ columns: ['email'], references: { table: 'users', columns: ['email'] } }))).toEqual([]);
      const pair = {
        a: { columns: { x: 'int', y: 'int' }, uniques: [{ columns: ['x', 'y'] }] },
        b: {
          columns: { y: 'int', x: 'int' },
          foreignKeys: [{ columns: ['y', 'x'], references: { table: 'a', columns: ['y', 'x'] } }],
        },
      };
      expect(issuesOf(pair)).toEqual([]);
    });

    it("leaves what a key may reference and which types may meet to the server's rules (src/plan/foreign-key-rules.ts)", () => {
      expect(issuesOf(orders({ columns: ['nick'], references: { table: 'users', columns: ['nick'] } }))).toEqual([]);
      expect(issuesOf(orders({}, { user_id: 'bigint' }))).toEqual([]);
    });

    it('refuses unknown tables and columns on either side', () => {
      expect(issuesOf(orders({ references: { table: 'people', columns: ['id'] } }))).toEqual([
        at('tables.orders.foreignKeys.fk', 'references unknown table "people"'),
      ]);
      expect(issuesOf(orders({ references: { table: 'users', columns: ['uid'] } }))).toEqual([
        at('tables.orders.foreignKeys.fk', 'unknown referenced column "uid"'),
      ]);
      expect(issuesOf(orders({ references: { table: 'users', columns: [] } }))).toEqual([
        at('tables.orders.foreignKeys[0].references.columns', 'must not be empty'),
      ]);
      const fk = 'tables.orders.foreignKeys.fk';
      expect(issuesOf(orders({ columns: ['owner'] }))).toEqual([at(fk, 'unknown column "owner"')]);
      expect(issuesOf(orders({ columns: [] }))).toContainEqual(at('tables.orders.foreignKeys[0].columns', 'must not be empty'));
    });

    it('refuses a column count that does not match', () => {
      expect(issuesOf(orders({ columns: ['user_id', 'email'] }))).toEqual([
        at('tables.orders.foreignKeys.fk', '2 column(s) reference 1 column(s)'),
      ]);
    });

    it('refuses a reference to a table the release removes', () => {
      const first = defineSchema({ release: '1', tables: orders({}) });
      const issues = issuesOfSchema(() => defineSchema({ release: '2', extends: first, removed: { tables: ['users'] } }));
      expect(issues).toEqual([at('tables.orders.foreignKeys.fk', 'references table "users", which is removed')]);
    });

    it('allows a table to reference itself', () => {
      const tree = {
        node: {
          columns: { id: 'int', parent_id: 'int' },
          primaryKey: ['id'],
          foreignKeys: [{ columns: ['parent_id'], references: { table: 'node', columns: ['id'] } }],
        },
      };
      expect(issuesOf(tree)).toEqual([]);
    });
  });

  describe('checks', () => {
    it('trims the expression and generates a name from it', () => {
      const checks = [{ expression: ' a > 0 ' }, { name: 'a_small', expression: 'a < 10' }];
      const t = declare({ t: { columns: { a: 'int' }, checks } }).model.tables.t!;
      expect(t.checks.map((c) => c.name)).toEqual(['a_small', expect.stringMatching(/^t_[0-9a-f]{8}_check$/)]);
      expect(t.checks[1]).toMatchObject({ expression: 'a > 0', validated: true });
    });

    it('refuses an empty expression', () => {
      expect(issuesOf({ t: { columns: { a: 'int' }, checks: [{ name: 'k', expression: '  ' }] } })).toEqual([
        at('tables.t.checks[0].expression', 'must not be empty'),
      ]);
    });
  });

  describe('names', () => {
    it('refuses a name used twice within one table, whatever the kinds', () => {
      const issues = issuesOf({
        b: {
          columns: { x: 'int' },
          indexes: [{ name: 'same', columns: ['x'] }],
          uniques: [{ name: 'same', columns: ['x'] }],
          checks: [{ name: 'same', expression: 'x > 0' }],
        },
      });
      expect(issues).toEqual([
        at('tables.b.indexes.same', 'name "same" is already used by tables.b.uniques.same in the same table; give one of them another name'),
        at('tables.b.checks.same', 'name "same" is already used by tables.b.uniques.same in the same table; give one of them another name'),
      ]);
    });

    it('leaves names across tables to the server (checked at plan, src/plan/name-scopes.ts)', () => {
      const issues = issuesOf({
        a: { columns: { x: 'int' }, primaryKey: ['x'], indexes: [{ name: 'same', columns: ['x'] }], checks: [{ name: 'positive', expression: 'x > 0' }] },
        b: { columns: { x: 'int' }, indexes: [{ name: 'a_pkey', columns: ['x'] }], uniques: [{ name: 'same', columns: ['x'] }], checks: [{ name: 'positive', expression: 'x > 0' }] },
      });
      expect(issues).toEqual([]);
    });

    it('says a name declared twice in one list is declared twice there, instead of pointing at itself', () => {
      const issues = issuesOf({
        a: { columns: { x: 'int', y: 'int' }, indexes: [{ name: 'dup', columns: ['x'] }, { name: 'dup', columns: ['y'] }] },
      });
      expect(issues).toEqual([at('tables.a.indexes.dup', 'name "dup" is declared twice in this list; give one of them another name')]);
    });

    it('refuses names longer than the identifier limit and empty names', () => {
      const long = 'n'.repeat(64);
      expect(issuesOf({ t: { columns: { x: 'int' }, indexes: [{ name: long, columns: ['x'] }] } })).toEqual([
        at(`tables.t.indexes.${long}`, `name "${long}" is 64 bytes; the limit is 63`),
      ]);
      expect(issuesOf({ t: { columns: { x: 'int' }, checks: [{ name: '', expression: 'x > 0' }] } })).toEqual([
        at('tables.t.checks[0].name', 'must not be empty'),
      ]);
    });
  });

  describe('tombstones', () => {
    it('refuses tombstones for objects still declared', () => {
      const issues = issuesOf(
        {
          t: {
            columns: { a: 'int', b: 'int' },
            uniques: [{ name: 'u', columns: ['a'] }],
            indexes: [{ name: 'i', columns: ['b'] }],
            removed: { columns: ['a'], indexes: ['i'], constraints: ['u'] },
          },
        },
        { removed: { tables: ['t'] } },
      );
      expect(issues).toEqual([at('removed.tables', '"t" is still declared')]);
      expect(
        issuesOf({
          t: {
            columns: { a: 'int', b: 'int' },
            uniques: [{ name: 'u', columns: ['a'] }],
            indexes: [{ name: 'i', columns: ['b'] }],
            removed: { columns: ['a'], indexes: ['i'], constraints: ['u'] },
          },
        }),
      ).toEqual([
        at('tables.t.removed.columns', '"a" is still declared'),
        at('tables.t.removed.indexes', '"i" is still declared'),
        at('tables.t.removed.constraints', '"u" is still declared'),
      ]);
    });

    it('refuses a tombstone for a declared check or foreign key', () => {
      const issues = issuesOf({
        t: {
          columns: { a: 'int' },
          primaryKey: ['a'],
          foreignKeys: [{ name: 'f', columns: ['a'], references: { table: 't', columns: ['a'] } }],
          checks: [{ name: 'k', expression: 'a > 0' }],
          removed: { constraints: ['f', 'k', 'elsewhere'] },
        },
      });
      expect(issues).toEqual([
        at('tables.t.removed.constraints', '"f" is still declared'),
        at('tables.t.removed.constraints', '"k" is still declared'),
      ]);
    });

    it('accepts column tombstones of a table that is itself removed', () => {
      const first = defineSchema({
        release: '1',
        tables: { t: { columns: { a: 'int', b: 'int' } }, keep: { columns: { a: 'int' } } },
      });
      const second = defineSchema({ release: '2', extends: first, tables: { t: { removed: { columns: ['b'] } } } });
      const third = defineSchema({ release: '3', extends: second, removed: { tables: ['t'] } });
      expect(normalizeSchema(third).removed).toEqual({
        tables: ['t'],
        columns: [{ table: 't', column: 'b' }],
        indexes: [],
        constraints: [],
      });
    });

    it('sorts and deduplicates tombstones', () => {
      const first = defineSchema({
        release: '1',
        tables: {
          b: {
            columns: { x: 'int', z: 'int', y: 'int' },
            indexes: [
              { name: 'i2', columns: ['x'] },
              { name: 'i1', columns: ['y'] },
            ],
          },
          a: { columns: { x: 'int', w: 'int' } },
          gone2: { columns: { x: 'int' } },
          gone1: { columns: { x: 'int' } },
        },
      });
      const second = defineSchema({
        release: '2',
        extends: first,
        tables: { b: { removed: { columns: ['z', 'y'], indexes: ['i2', 'i1'] } }, a: { removed: { columns: ['w'] } } },
        removed: { tables: ['gone2', 'gone1'] },
      });
      const third = defineSchema({
        release: '3',
        extends: second,
        tables: { b: { removed: { columns: ['z'] } } },
        removed: { tables: ['gone1'] },
      });
      expect(normalizeSchema(third).removed).toEqual({
        tables: ['gone1', 'gone2'],
        columns: [
          { table: 'a', column: 'w' },
          { table: 'b', column: 'y' },
          { table: 'b', column: 'z' },
        ],
        indexes: [
          { table: 'b', name: 'i1' },
          { table: 'b', name: 'i2' },
        ],
        constraints: [],
      });
    });
  });

  describe('output', () => {
    const declared = declare({
      zeta: {
        columns: { id: 'serial', b: 'text', a: 'text' },
        primaryKey: ['id'],
        checks: [
          { name: 'z2', expression: 'b <> a' },
          { name: 'z1', expression: 'a <> b' },
        ],
      },
      alpha: {
        columns: { id: 'int', zeta_id: 'int', code: 'varchar(10)', label: 'text' },
        primaryKey: ['id'],
        uniques: [{ name: 'u_label', columns: ['label'] }, { name: 'u_code', columns: ['code'] }],
        indexes: [{ name: 'ix_b', columns: ['label'] }, { name: 'ix_a', columns: ['code'] }],
        foreignKeys: [{ columns: ['zeta_id'], references: { table: 'zeta', columns: ['id'] }, onDelete: 'cascade' }],
      },
    });

    it('keys tables in sorted order and keeps columns in declaration order', () => {
      expect(Object.keys(declared.model.tables)).toEqual(['alpha', 'zeta']);
      expect(declared.model.tables.zeta!.columns.map((c) => c.name)).toEqual(['id', 'b', 'a']);
    });

    it('sorts uniques, indexes, foreign keys and checks by name', () => {
      const alpha = declared.model.tables.alpha!;
      expect(alpha.uniques.map((u) => u.name)).toEqual(['u_code', 'u_label']);
      expect(alpha.indexes.map((i) => i.name)).toEqual(['ix_a', 'ix_b']);
      expect(declared.model.tables.zeta!.checks.map((c) => c.name)).toEqual(['z1', 'z2']);
    });

    it('is plain JSON with the release and empty tombstones', () => {
      expect(JSON.parse(JSON.stringify(declared))).toStrictEqual(declared);
      expect(declared.release).toBe('r');
      expect(declared.removed).toEqual({ tables: [], columns: [], indexes: [], constraints: [] });
      expect(declared.model.tables.alpha!.foreignKeys[0]).toEqual({
        name: 'alpha_zeta_id_fkey',
        columns: ['zeta_id'],
        referencedTable: 'zeta',
        referencedColumns: ['id'],
        onDelete: 'cascade',
        onUpdate: 'no action',
        validated: true,
      });
    });

    it('fills generated names when a schema was built without defineSchema', () => {
      const schema = defineSchema({ release: 'r' });
      schema.tables.t = {
        columns: { a: 'int' },
        primaryKey: ['a'],
        uniques: [{ columns: ['a'] }],
        indexes: [{ columns: ['a'] }],
      };
      const t = normalizeSchema(schema).model.tables.t!;
      expect([t.primaryKey!.name, t.uniques[0]!.name, t.indexes[0]!.name]).toEqual(['t_pkey', 't_a_key', 't_a_idx']);
    });
  });

  describe('errors', () => {
    it('collects every issue instead of stopping at the first, one per line in the message', () => {
      let error: unknown;
      try {
        declare({
          a: { columns: { x: 'varchr', y: { type: 'int', default: 'many' } }, primaryKey: ['z'] },
          b: {
            columns: { x: 'int' },
            foreignKeys: [{ name: 'fk', columns: ['x'], references: { table: 'nope', columns: ['x'] } }],
          },
        });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DeclarationError);
      const { issues, message, name } = error as DeclarationError;
      expect(name).toBe('DeclarationError');
      expect(issues.map((i) => i.path)).toEqual([
        'tables.a.columns.x',
        'tables.a.columns.y',
        'tables.a.primaryKey',
        'tables.b.foreignKeys.fk',
      ]);
      expect(message.split('\n')).toEqual(issues.map((i) => `${i.path}: ${i.message}`));
      expect(message).toContain('tables.a.columns.x: unknown type "varchr" (portable types: ');
    });
  });
});
