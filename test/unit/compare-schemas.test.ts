import { describe, expect, it } from 'vitest';
import type { SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { compareSchemas } from '../../src/verify/compare-schemas.js';
import { T, check, column, foreignKey, idColumn, index, table } from '../support/model-builders.js';

const varchar = T.varchar(255);

const model = (...tables: TableModel[]): SchemaModel => ({ tables: Object.fromEntries(tables.map((t) => [t.name, t])) });
const users = (over: Partial<TableModel> = {}) => table('users', { columns: [idColumn(), column('email', varchar)], ...over });

describe('compareSchemas', () => {
  it('finds nothing between equal schemas, whatever the column order', () => {
    const a = users();
    const b = { ...a, columns: [...a.columns].reverse() };
    expect(compareSchemas(model(a), model(b))).toEqual([]);
  });

  it('names a table on one side only', () => {
    expect(compareSchemas(model(users()), model())).toEqual(['users: table only in the upgraded database']);
    expect(compareSchemas(model(), model(users()))).toEqual(['users: table only in the fresh database']);
  });

  it('names a column on one side only, with its definition', () => {
    const extra = users({ columns: [...users().columns, column('b', T.text)] });
    expect(compareSchemas(model(extra), model(users()))).toEqual(['users: column b only in the upgraded database (text NULL)']);
  });

  it('shows both sides of a column that differs: type, nullability, default, identity', () => {
    const upgraded = users({ columns: [idColumn(), column('email', varchar, { nullable: true })] });
    const fresh = users({ columns: [idColumn(), column('email', varchar, { nullable: false, default: { kind: 'literal', value: 'x' } })] });
    expect(compareSchemas(model(upgraded), model(fresh))).toEqual([
      'users: column email: upgraded varchar(255) NULL, fresh varchar(255) NOT NULL DEFAULT "x"',
    ]);
  });

  it('compares indexes, keys, foreign keys and checks by name, validity included', () => {
    const orders = (over: Partial<TableModel>) => table('orders', { columns: [idColumn(), column('user_id', T.int)], ...over });
    const fk = foreignKey('orders_user_id_fkey', ['user_id'], 'users');
    const upgraded = orders({ foreignKeys: [{ ...fk, validated: false }], indexes: [index('orders_user_idx', ['user_id'])], checks: [check('c', 'id > 0')] });
    const fresh = orders({ foreignKeys: [fk], indexes: [], checks: [check('c', 'id > 1')] });
    expect(compareSchemas(model(upgraded), model(fresh))).toEqual([
      'orders: check c: upgraded id > 0, fresh id > 1',
      'orders: foreign key orders_user_id_fkey: upgraded (user_id) -> users (id) on delete no action on update no action NOT VALID, fresh (user_id) -> users (id) on delete no action on update no action',
      'orders: index orders_user_idx only in the upgraded database (btree (user_id))',
    ]);
  });
});

describe('compareSchemas: objects dbtide does not model', () => {
  it('names one on one side only, and one whose detail differs', () => {
    const view = { kind: 'view', name: 'active_users', table: null, detail: 'SELECT id FROM users' };
    const trigger = { kind: 'trigger', name: 'touch', table: 'users', detail: 'BEFORE UPDATE FOR EACH ROW, executes touch()' };
    const upgraded = { ...model(users()), unsupported: [view, trigger] };
    const fresh = { ...model(users()), unsupported: [{ ...trigger, detail: 'AFTER UPDATE FOR EACH ROW, executes touch()' }] };
    expect(compareSchemas(upgraded, fresh)).toEqual([
      'trigger touch on users: upgraded BEFORE UPDATE FOR EACH ROW, executes touch(), fresh AFTER UPDATE FOR EACH ROW, executes touch()',
      'view active_users only in the upgraded database (SELECT id FROM users)',
    ]);
    expect(compareSchemas(upgraded, upgraded)).toEqual([]);
  });
});
