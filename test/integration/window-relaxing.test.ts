/**
 * Relaxations run in expand: once expand of a release that drops a CHECK, a FOREIGN KEY, a UNIQUE
 * constraint or a unique index, or removes a NOT NULL column, has run, the new release's writes
 * that only those rules refused succeed, while the old release's statements keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, contract, expand, planChanges } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { stepsOf } from '../../src/plan/step.js';
import { targets, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

const v1 = defineSchema({
  release: 'v1',
  tables: {
    users: {
      columns: {
        id: 'int',
        email: { type: 'varchar(100)', nullable: false },
        code: 'varchar(20)',
        age: 'int',
        price: { type: 'int', nullable: false },
        legacy_flag: { type: 'int', nullable: false },
      },
      primaryKey: ['id'],
      uniques: [{ name: 'users_email_key', columns: ['email'] }],
      indexes: [{ name: 'users_code_uidx', columns: ['code'], unique: true }],
      checks: [{ name: 'users_age_check', expression: 'age >= 18' }],
    },
    orders: {
      columns: { id: 'int', user_id: 'int' },
      primaryKey: ['id'],
      foreignKeys: [{ name: 'orders_user_fkey', columns: ['user_id'], references: { table: 'users', columns: ['id'] } }],
    },
  },
});

const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: {
    users: {
      removed: {
        columns: { price: { fill: 0 }, legacy_flag: {} },
        indexes: ['users_code_uidx'],
        constraints: ['users_email_key', 'users_age_check'],
      },
    },
    orders: { removed: { constraints: ['orders_user_fkey'] } },
  },
});

describe.each(targets)('relaxations in expand on $name', (target) => {
  let db: ScratchDatabase;
  const run = (sql: string) => withConnection(target.dialect.connect(db.url), (c) => c.query<Record<string, unknown>>(sql));

  beforeAll(async () => {
    db = await target.create('relax');
    await expand({ url: db.url }, v1);
    await run("INSERT INTO users (id, email, code, age, price, legacy_flag) VALUES (1, 'a@example.com', 'C1', 30, 7, 1)");
    await run('INSERT INTO orders (id, user_id) VALUES (1, 1)');
  }, 60_000);
  afterAll(() => db?.drop());

  it('expand drops the rules and relaxes the removed columns; both versions write, contract removes the rest', async () => {
    const planned = (await planChanges({ url: db.url }, v2)).plan;
    // MySQL keeps a unique index as a unique constraint, and drops it as one.
    const codeIndex = target.dialect.name === 'mysql' ? 'drop-constraint:users.users_code_uidx' : 'drop-index:users.users_code_uidx';
    expect(stepsOf(planned, 'expand').map((s) => s.id).filter((id) => id !== codeIndex).sort()).toEqual([
      'drop-constraint:orders.orders_user_fkey',
      'drop-constraint:users.users_age_check',
      'drop-constraint:users.users_email_key',
      'drop-not-null:users.legacy_flag',
      'set-default:users.price',
    ]);
    expect(stepsOf(planned, 'expand').map((s) => s.id)).toContain(codeIndex);
    expect(stepsOf(planned, 'contract').map((s) => s.id).sort()).toEqual(['drop-column:users.legacy_flag', 'drop-column:users.price']);

    await expand({ url: db.url }, v2);
    expect(await check({ url: db.url }, v2)).toMatchObject({ next: 'contract', pending: { expand: 0, migrate: 0, contract: 2 } });

    // New code: a duplicate email and code, an age the old check refused, no price or legacy_flag, an order without its user.
    await run("INSERT INTO users (id, email, code, age) VALUES (2, 'a@example.com', 'C1', 10)");
    await run('INSERT INTO orders (id, user_id) VALUES (2, 999)');
    // Old code still writes every column it knows, and reads the fill in new code's rows.
    await run("INSERT INTO users (id, email, code, age, price, legacy_flag) VALUES (3, 'b@example.com', 'C3', 40, 5, 1)");
    const rows = await run('SELECT id, price, legacy_flag FROM users ORDER BY id');
    expect(rows.map((r) => [Number(r.id), Number(r.price), r.legacy_flag === null ? null : Number(r.legacy_flag)])).toEqual([
      [1, 7, 1],
      [2, 0, null],
      [3, 5, 1],
    ]);

    await contract({ url: db.url }, v2);
    const after = await run('SELECT * FROM users ORDER BY id');
    expect(after.map((r) => Object.keys(r).sort())).toEqual(Array(3).fill(['age', 'code', 'email', 'id']));
    expect((await planChanges({ url: db.url }, v2)).plan.steps).toEqual([]);
  }, 60_000);
});
