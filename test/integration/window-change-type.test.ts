/**
 * A type change is visible to the new version in the window: its views (PostgreSQL: a schema first on
 * the search_path; MySQL: a database it connects to) show the converted column under its declared
 * name, and writes through them reach the old column, so old and new versions both work until
 * contract, and after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate, planChanges } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { changeType } from '../../src/declaration/transitions.js';
import { withDatabaseName, parseConnectionUrl } from '../../src/connection-url.js';
import { readVersionSchemas } from '../../src/execute/version-schemas.js';
import { targets, withConnection, type ScratchDatabase, type ScratchTarget } from '../support/scratch-databases.js';

const v1 = defineSchema({
  release: 'v1',
  tables: {
    reviews: { columns: { id: 'int', title: 'varchar(50)', rating: 'varchar(10)' }, primaryKey: ['id'] },
    authors: { columns: { id: 'int', name: 'varchar(50)' }, primaryKey: ['id'] },
  },
});

const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  tables: { reviews: { columns: { rating: { type: 'int', nullable: false } } } },
  transitions: [changeType('reviews', 'rating')],
});

/** A later release: its contract retires v2's version schema where one is kept. */
const v3 = defineSchema({
  release: 'v3',
  extends: v2,
  tables: { authors: { columns: { bio: 'text' } } },
});

/** How the new version reaches its views: its search_path (PostgreSQL) or its database (MySQL). */
function newVersion(target: ScratchTarget, db: ScratchDatabase, base: string, version: string) {
  if (target.dialect.name === 'postgres') {
    return async (sql: string) =>
      withConnection(target.dialect.connect(db.url), async (c) => {
        await c.query(`SET search_path TO ${version}, ${base}`);
        return c.query<Record<string, unknown>>(sql);
      });
  }
  const url = withDatabaseName(parseConnectionUrl(db.url), version);
  return (sql: string) => withConnection(target.dialect.connect(url), (c) => c.query<Record<string, unknown>>(sql));
}

describe.each(targets)('a type change in the window on $name', (target) => {
  let db: ScratchDatabase;
  let base: string;
  const old = (sql: string) => withConnection(target.dialect.connect(db.url), (c) => c.query<Record<string, unknown>>(sql));
  let next: (sql: string) => Promise<Record<string, unknown>[]>;
  const num = (v: unknown) => Number(v);

  beforeAll(async () => {
    db = await target.create('window_type');
    base = target.dialect.name === 'postgres' ? 'public' : db.name;
    next = newVersion(target, db, base, `${base}_v2`);
    await expand({ url: db.url }, v1);
    await old("INSERT INTO reviews (id, title, rating) VALUES (1, 'a', '1'), (2, 'b', '3'), (3, 'c', '5')");
    await old("INSERT INTO authors (id, name) VALUES (1, 'ann')");
  }, 60_000);
  afterAll(() => db?.drop());

  it('from the rollout point (migrate done) the new version reads the new type under the declared name', async () => {
    await expand({ url: db.url }, v2);
    await old("INSERT INTO reviews (id, title, rating) VALUES (9, 'gone', '9')");
    await old('DELETE FROM reviews WHERE id = 9');
    await migrate({ url: db.url }, v2);
    const [row] = await next('SELECT sum(rating) AS total, count(*) AS n FROM reviews WHERE rating > 2');
    expect([num(row!.total), num(row!.n)]).toEqual([8, 2]);
    // Tables without a type change read the same through the version's names.
    expect((await next('SELECT name FROM authors'))[0]!.name).toBe('ann');
  });

  it('both versions write in the window and see each other', async () => {
    await next("INSERT INTO reviews (id, title, rating) VALUES (4, 'new', 4)");
    await next('UPDATE reviews SET rating = rating + 1 WHERE id = 1');
    await old("INSERT INTO reviews (id, title, rating) VALUES (5, 'old', '2')");
    await old("UPDATE reviews SET rating = '7' WHERE id = 3");
    const seenByOld = await old('SELECT id, rating FROM reviews ORDER BY id');
    expect(seenByOld.map((r) => String(r.rating))).toEqual(['2', '3', '7', '4', '2']);
    const seenByNew = await next('SELECT id, rating FROM reviews ORDER BY id');
    expect(seenByNew.map((r) => num(r.rating))).toEqual([2, 3, 7, 4, 2]);
  });

  it('after contract the new version keeps working through the same names and nothing is left to do', async () => {
    await next("INSERT INTO reviews (id, title, rating) VALUES (6, 'late', 6)");
    await contract({ url: db.url }, v2);
    const [row] = await next('SELECT sum(rating) AS total FROM reviews WHERE rating > 2');
    expect(num(row!.total)).toBe(3 + 7 + 4 + 6);
    const [direct] = await old('SELECT sum(rating) AS total FROM reviews');
    expect(num(direct!.total)).toBe(2 + 3 + 7 + 4 + 2 + 6);
    await next("INSERT INTO reviews (id, title, rating) VALUES (7, 'after', 1)");
    const plan = await planChanges({ url: db.url }, v2);
    expect(plan.plan.steps.map((s) => s.id)).toEqual([]);
    // PostgreSQL: the base has the new types, and names the schema lacks fall through to it.
    // MySQL: the application's database stays, its views reading the swapped column.
    expect(await versionSchemas(target, db)).toEqual(target.dialect.name === 'postgres' ? [] : [`${base}_v2`]);
  });

  it("a later release's contract drops it", async () => {
    await expand({ url: db.url }, v3);
    await migrate({ url: db.url }, v3);
    expect(await versionSchemas(target, db)).toEqual(target.dialect.name === 'postgres' ? [] : [`${base}_v2`]);
    await contract({ url: db.url }, v3);
    expect(await versionSchemas(target, db)).toEqual([]);
    expect((await planChanges({ url: db.url }, v3)).plan.steps).toEqual([]);
  });
});

describe.each(targets)('a release with a type change installed fresh on $name', (target) => {
  let db: ScratchDatabase;
  beforeAll(async () => {
    db = await target.create('window_type_fresh');
  }, 60_000);
  afterAll(() => db?.drop());

  it('has the version schema the application is configured for where it selects it by connection', async () => {
    await expand({ url: db.url }, v2);
    const base = target.dialect.name === 'postgres' ? 'public' : db.name;
    expect(await versionSchemas(target, db)).toEqual(target.dialect.name === 'postgres' ? [] : [`${base}_v2`]);
    expect((await planChanges({ url: db.url }, v2)).plan.steps).toEqual([]);
  });
});

describe.each(targets.filter((t) => t.name !== 'pglite'))('a foreign schema under the version name on $name', (target) => {
  let db: ScratchDatabase;
  let noun: string;
  beforeAll(async () => {
    db = await target.create('window_type_taken');
    await expand({ url: db.url }, v1);
    noun = target.dialect.name === 'postgres' ? 'SCHEMA' : 'DATABASE';
  }, 60_000);
  // The scratch database goes with its schemas (MySQL: with the databases named after it).
  afterAll(() => db?.drop());

  it('stops expand before it changes anything (an empty one is taken over: a stopped run leaves that)', async () => {
    const base = target.dialect.name === 'postgres' ? 'public' : db.name;
    await withConnection(target.dialect.connect(db.url), async (c) => {
      await c.query(`CREATE ${noun} ${base}_v2`);
      await c.query(`CREATE TABLE ${base}_v2.notes (id int)`);
    });
    await expect(expand({ url: db.url }, v2)).rejects.toThrow(`version ${target.dialect.runtime.schemaNoun} ${base}_v2`);
    expect((await planChanges({ url: db.url }, v1)).plan.steps).toEqual([]);
  });
});

/** The version schemas dbtide keeps for the scratch database, by their markers. */
async function versionSchemas(target: ScratchTarget, db: ScratchDatabase): Promise<string[]> {
  const base = target.dialect.name === 'postgres' ? 'public' : db.name;
  const found = await withConnection(target.dialect.connect(db.url), (c) => readVersionSchemas(c, target.dialect, base));
  return found.map((v) => v.name);
}
