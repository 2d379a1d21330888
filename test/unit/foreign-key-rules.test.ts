/** What a foreign key may reference, and which column types may meet, per server. */
import { describe, expect, it } from 'vitest';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import type { Capabilities } from '../../src/dialect.js';
import { foreignKeyProblems } from '../../src/plan/foreign-key-rules.js';
import type { ColumnType } from '../../src/model/column-type.js';
import { column as col, foreignKey, index, T, table } from '../support/model-builders.js';

const postgres = postgresCapabilities('15.4');
const mariadb = mysqlCapabilities('10.11.6-MariaDB');
/** The rule Db2 will bring (SQL0573N): only a primary key or UNIQUE constraint may be referenced. */
const constraintsOnly: Capabilities = { ...postgres, server: 'Db2 11.5', foreignKeyTarget: 'key-constraint' };

const users = () =>
  table('users', {
    columns: [col('id', T.int, { nullable: false }), col('nick', T.varchar(40)), col('email', T.varchar(255)), col('zone', T.int), col('code', T.int)],
    primaryKey: { name: 'users_pkey', columns: ['id'] },
    uniques: [],
    indexes: [index('users_nick_key', ['nick'], { unique: true }), index('users_zone_code', ['zone', 'code'], { unique: true, where: 'zone > 0' })],
  });

const orders = (fk: ReturnType<typeof foreignKey>, types: Record<string, ColumnType> = {}) =>
  table('orders', {
    columns: fk.columns.map((c) => col(c, types[c] ?? T.int)),
    foreignKeys: [fk],
  });

const problems = (fk: ReturnType<typeof foreignKey>, caps: Capabilities, types?: Record<string, ColumnType>) =>
  foreignKeyProblems({ users: users(), orders: orders(fk, types) }, caps);

describe('foreign key targets', () => {
  const byNick = foreignKey('orders_nick_fk', ['nick'], 'users', { referencedColumns: ['nick'] });

  it('a unique index is enough where the server says so (PostgreSQL, MySQL), not where only constraints count', () => {
    expect(problems(byNick, postgres, { nick: T.varchar(40) })).toEqual([]);
    expect(problems(byNick, mariadb, { nick: T.varchar(40) })).toEqual([]);
    expect(problems(byNick, constraintsOnly, { nick: T.varchar(40) })).toEqual([
      expect.stringMatching(/^tables\.orders\.foreignKeys\.orders_nick_fk: references users\(nick\), which is neither the primary key nor a unique constraint of that table; Db2 11\.5 refuses/),
    ]);
  });

  it('a partial unique index, or part of a key, is never enough', () => {
    expect(problems(foreignKey('orders_zone_fk', ['zone', 'code'], 'users', { referencedColumns: ['zone', 'code'] }), postgres)).toEqual([
      expect.stringContaining('nor a unique index without a predicate of that table; PostgreSQL 15.4 refuses'),
    ]);
    expect(problems(foreignKey('orders_email_fk', ['email'], 'users', { referencedColumns: ['email'] }), postgres, { email: T.varchar(255) })).toHaveLength(1);
  });
});

describe('foreign key column types', () => {
  const byId = foreignKey('orders_user_fk', ['user_id'], 'users', { referencedColumns: ['id'] });

  it('PostgreSQL compares within an operator family: int to bigint, varchar to text', () => {
    expect(problems(byId, postgres, { user_id: T.bigint })).toEqual([]);
    expect(problems(foreignKey('orders_nick_fk', ['nick'], 'users', { referencedColumns: ['nick'] }), postgres, { nick: T.text })).toEqual([]);
    expect(problems(byId, postgres, { user_id: T.text })).toEqual([
      'tables.orders.foreignKeys.orders_user_fk: column "user_id" is text but the referenced users.id is int, which PostgreSQL 15.4 does not accept in a foreign key',
    ]);
  });

  it('InnoDB wants integers of one size, strings of any length', () => {
    expect(problems(byId, mariadb, { user_id: T.bigint })).toEqual([expect.stringContaining('column "user_id" is bigint but the referenced users.id is int, which MariaDB 10.11.6 does not accept')]);
    expect(problems(foreignKey('orders_nick_fk', ['nick'], 'users', { referencedColumns: ['nick'] }), mariadb, { nick: T.varchar(80) })).toEqual([]);
  });
});
