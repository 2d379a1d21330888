/**
 * The documented rollout point: once expand and migrate are done, check says the new version may
 * roll out, and its statements see every row in the new shape (renamed and derived columns hold
 * every pre-existing row's value), while the old version's statements keep working until contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, contract, expand, migrate } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { derive, renameColumn } from '../../src/declaration/transitions.js';
import { targets, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

const v1 = defineSchema({
  release: 'v1',
  tables: { users: { columns: { id: 'int', nick: 'varchar(50)', name: 'varchar(50)' }, primaryKey: ['id'] } },
});

const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: { users: { columns: { handle: 'varchar(50)', shout: 'varchar(50)' } } },
  transitions: [renameColumn('users', 'nick', 'handle'), derive('users', { forward: { shout: 'upper(name)' } })],
});

const ROWS = 40;

describe.each(targets)('the rollout point on $name', (target) => {
  let db: ScratchDatabase;
  const run = (sql: string) => withConnection(target.dialect.connect(db.url), (c) => c.query<Record<string, unknown>>(sql));

  beforeAll(async () => {
    db = await target.create('rollout');
    await expand({ url: db.url }, v1);
    const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 'n${i + 1}', 'name${i + 1}')`).join(', ');
    await run(`INSERT INTO users (id, nick, name) VALUES ${values}`);
  }, 60_000);
  afterAll(() => db?.drop());

  it('only the old version runs until migrate is done; then the new one sees every row, and the old one keeps working', async () => {
    expect(await check({ url: db.url }, v2)).toMatchObject({ state: 'expand-pending', newCodeMayRun: false, exitCode: 2 });
    await expand({ url: db.url }, v2);
    expect(await check({ url: db.url }, v2)).toMatchObject({ state: 'migrate-pending', newCodeMayRun: false, exitCode: 3 });
    await migrate({ url: db.url }, v2);
    expect(await check({ url: db.url }, v2)).toMatchObject({ state: 'rollout', newCodeMayRun: true, next: 'contract', exitCode: 4 });

    // The new version, at the rollout point: every row in the new shape.
    const shapes = await run('SELECT id, handle, shout FROM users ORDER BY id');
    expect(shapes).toHaveLength(ROWS);
    for (const row of shapes) {
      expect([row.handle, row.shout]).toEqual([`n${Number(row.id)}`, `NAME${Number(row.id)}`]);
    }
    await run("UPDATE users SET handle = concat('h', handle) WHERE handle LIKE 'n%'");
    expect(Number((await run("SELECT count(*) AS n FROM users WHERE handle LIKE 'hn%'"))[0]!.n)).toBe(ROWS);

    // The old version still reads and writes its own shape, and its writes reach the new one.
    expect((await run('SELECT nick FROM users WHERE id = 1'))[0]!.nick).toBe('hn1');
    await run("INSERT INTO users (id, nick, name) VALUES (1000, 'old', 'late')");
    expect(await run('SELECT handle, shout FROM users WHERE id = 1000')).toEqual([{ handle: 'old', shout: 'LATE' }]);

    await contract({ url: db.url }, v2);
    expect(await check({ url: db.url }, v2)).toMatchObject({ state: 'up-to-date', newCodeMayRun: true, exitCode: 0 });
  }, 60_000);
});
