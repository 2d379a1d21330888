/**
 * Sequences, domains and enum types through every phase: created in expand before the tables
 * that use them, an enum value added in expand while old code keeps writing, sequence options
 * changed in expand, a domain check added in contract, a removed enum value rebuilt in contract
 * once no row holds it, and removed objects dropped in contract after their last user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, expand, planChanges, pull } from '../../src/api.js';
import { defineSchema, native, sql } from '../../src/declaration/define-schema.js';
import { loadSchemaFile } from '../../src/declaration/load-schema.js';
import { stepsOf } from '../../src/plan/step.js';
import { releaseDir } from '../support/release-files.js';
import { noMariadb, postgresTargets, scratchMariadb, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';
import type { Connection } from '../../src/dialect.js';
import { mysqlDialect } from '../../dialects/mysql/index.js';

const files = releaseDir();
afterAll(() => files.remove());

const v1 = defineSchema({
  release: 'v1',
  sequences: { order_no: { start: 100, ownedBy: { table: 'people', column: 'no' } }, tag_seq: {} },
  enums: { mood: ['happy', 'sad'], size: ['s', 'm'] },
  domains: { score: { type: 'int', checks: [{ name: 'score_nonneg', expression: 'VALUE >= 0' }] }, label: { type: 'varchar(20)', nullable: false, default: 'none' } },
  tables: {
    people: {
      columns: { id: 'int', no: { type: 'bigint', default: sql("nextval('order_no')") }, feeling: { type: native('mood'), default: sql("'happy'::mood") }, points: { type: native('score') } },
      primaryKey: ['id'],
    },
    tags: {
      columns: { id: { type: 'bigint', default: sql("nextval('tag_seq'::regclass)") }, size: { type: native('size') }, name: { type: native('label') } },
      primaryKey: ['id'],
    },
  },
});

const v2 = defineSchema({
  release: 'v2',
  extends: v1,
  sequences: { order_no: { start: 100, increment: 5, ownedBy: { table: 'people', column: 'no' } } },
  enums: { mood: ['happy', 'meh', 'sad', 'angry'] },
  domains: {
    score: { type: 'int', checks: [{ name: 'score_nonneg', expression: 'VALUE >= 0' }, { name: 'score_max', expression: 'VALUE <= 1000' }] },
  },
  // Its default names a value this release adds: the expression probe must accept it.
  tables: { moods_log: { columns: { id: 'int', feeling: { type: native('mood'), default: sql("'meh'::mood") } }, primaryKey: ['id'] } },
});

const v3 = defineSchema({
  release: 'v3',
  extends: v2,
  enums: { mood: ['happy', 'sad', 'angry'] },
  tables: { moods_log: { columns: { feeling: { type: native('mood'), default: sql("'sad'::mood") } } } },
  removed: { tables: ['tags'], sequences: ['tag_seq'], enums: ['size'], domains: ['label'], enumValues: { mood: ['meh'] } },
});

describe.each(postgresTargets)('sequences, domains and enum types on $name', (target) => {
  let db: ScratchDatabase;
  const run = <T = Record<string, unknown>>(text: string) => withConnection(target.dialect.connect(db.url), (c) => c.query<T>(text));
  const enumValues = async (name: string) =>
    (await run<{ v: string }>(`SELECT enumlabel AS v FROM pg_enum WHERE enumtypid = '${name}'::regtype ORDER BY enumsortorder`)).map((r) => r.v);

  beforeAll(async () => {
    db = await target.create('schema_objects');
  });
  afterAll(() => db?.drop());

  it('a read-only transaction with setup runs the setup, then refuses writes, and keeps nothing', async () => {
    await withConnection(target.dialect.connect(db.url), async (c) => {
      const seen = await c.transaction(async () => {
        const types = await c.query("SELECT typname::text AS name FROM pg_type WHERE typname = 'probe_only'");
        const write = await c.query('CREATE TABLE probe_table (id int)').then(() => 'written', (e: Error) => e.message);
        return { types, write };
      }, { readOnly: true, setup: ["CREATE TYPE probe_only AS ENUM ('x')"] }).catch((e: Error) => e.message);
      expect(seen).toMatchObject({ types: [{ name: 'probe_only' }] });
      expect((seen as { write: string }).write).toMatch(/read-only transaction/);
      expect(await c.query("SELECT typname FROM pg_type WHERE typname = 'probe_only'")).toEqual([]);
    });
  });

  it('creates them in expand before the tables that use them, owns the sequence once its column exists, and pulls them back', async () => {
    const { plan } = await planChanges({ url: db.url }, v1);
    expect(plan.steps.map((s) => `${s.phase} ${s.id}`)).toEqual([
      'expand create-enum:mood',
      'expand create-enum:size',
      'expand create-sequence:order_no',
      'expand create-sequence:tag_seq',
      'expand create-domain:label',
      'expand create-domain:score',
      'expand create-table:people',
      'expand create-table:tags',
      'expand sequence-owner:order_no',
    ]);
    // The expression probe created them in a transaction it rolled back: nothing is left behind.
    expect(await run("SELECT relname::text FROM pg_class WHERE relname IN ('order_no', 'tag_seq', 'people', 'tags')")).toEqual([]);
    expect(await run("SELECT typname::text FROM pg_type WHERE typtype IN ('e', 'd') AND typnamespace = 'public'::regnamespace")).toEqual([]);
    await expand({ url: db.url }, v1);
    await contract({ url: db.url }, v1);
    await run("INSERT INTO people (id, points) VALUES (1, 10)");
    await run("INSERT INTO tags (size) VALUES ('s')");
    expect(await run('SELECT id, no::int, feeling::text, points FROM people')).toEqual([{ id: 1, no: 100, feeling: 'happy', points: 10 }]);
    expect(await run('SELECT id::int, size::text, name FROM tags')).toEqual([{ id: 1, size: 's', name: 'none' }]);
    await expect(run('INSERT INTO people (id, points) VALUES (2, -1)')).rejects.toThrow(/score_nonneg/);

    const pulled = await pull({ url: db.url }, { release: 'v1' });
    expect(pulled.model.sequences?.order_no).toMatchObject({ start: '100', ownedBy: { table: 'people', column: 'no' } });
    expect(pulled.source).toContain("order_no: { start: 100, ownedBy: { table: 'people', column: 'no' } }");
    expect(pulled.source).toContain("label: { type: 'varchar(20)', nullable: false, default: 'none' }");
    const file = await loadSchemaFile(files.write(`v1-${target.name}.ts`, pulled.source));
    const again = await planChanges({ url: db.url }, file);
    expect(again.plan.steps).toEqual([]);
    expect(again.plan.drift).toEqual([]);
  });

  it('adds enum values in expand, in the declared order, while old code keeps inserting; changes sequence options in expand and adds the domain check in contract', async () => {
    const { plan } = await planChanges({ url: db.url }, v2);
    expect(stepsOf(plan, 'expand').map((s) => [s.id, s.transactional])).toEqual([
      ['alter-sequence:order_no', true],
      ['add-enum-value:mood.meh', false],
      ['add-enum-value:mood.angry', false],
      ['create-table:moods_log', true],
    ]);
    expect(stepsOf(plan, 'contract').map((s) => s.id)).toEqual(['add-domain-check:score.score_max']);
    expect(stepsOf(plan, 'contract')[0]!.lock.blocksWrites).toBe(true);

    // The old version writes throughout expand (PGlite takes one session at a time: it writes before and after).
    const oldInsert = (c: Connection, id: number) => c.query(`INSERT INTO people (id, feeling, points) VALUES (${id}, 'sad', 1)`);
    let stop = false;
    let written = 0;
    const writer = target.name === 'postgres'
      ? withConnection(target.dialect.connect(db.url), async (c) => {
          for (let id = 100; !stop; id++) {
            await oldInsert(c, id);
            written++;
          }
        })
      : Promise.resolve();
    try {
      await expand({ url: db.url }, v2);
    } finally {
      stop = true;
      await writer;
    }
    if (target.name === 'postgres') expect(written).toBeGreaterThan(0);
    await withConnection(target.dialect.connect(db.url), (c) => oldInsert(c, 99));
    expect(await enumValues('mood')).toEqual(['happy', 'meh', 'sad', 'angry']);

    const [next] = await run<{ n: string }>("SELECT nextval('order_no')::text AS n");
    const [after] = await run<{ n: string }>("SELECT nextval('order_no')::text AS n");
    expect(BigInt(after!.n) - BigInt(next!.n)).toBe(5n);
    // The new check is contract's: old code may still write a value it refuses, which its precheck finds.
    await run("INSERT INTO people (id, feeling, points) VALUES (2, 'meh', 2000)");
    const refused = await contract({ url: db.url }, v2).then(() => null, (e: unknown) => e as Error);
    expect(refused?.message).toMatch(/every people\.points satisfies VALUE <= 1000 \(check score_max of domain score\)/);
    expect(await run("SELECT conname::text FROM pg_constraint WHERE conname = 'score_max'")).toEqual([]);
    await run('UPDATE people SET points = 20 WHERE id = 2');

    await contract({ url: db.url }, v2);
    await expect(run('INSERT INTO people (id, points) VALUES (3, 2000)')).rejects.toThrow(/score_max/);
    expect(await run("SELECT convalidated FROM pg_constraint WHERE conname = 'score_max'")).toEqual([{ convalidated: true }]);
    const settled = await planChanges({ url: db.url }, v2);
    expect(settled.plan.steps.map((s) => s.sql)).toEqual([]);
  });

  it('refuses a domain or enum type the server refuses before anything changes, and leaves nothing behind', async () => {
    const bad = defineSchema({ release: 'bad', extends: v2, domains: { broken: { type: 'int', checks: [{ expression: 'VALUE >>> 1' }] } }, enums: { fresh: ['x'] } });
    const refused = await expand({ url: db.url }, bad).then(() => null, (e: unknown) => e as Error);
    expect(refused?.message).toMatch(/the server refuses a sequence, domain or enum type the release declares[\s\S]*nothing was changed[\s\S]*operator does not exist/);
    expect(await run("SELECT typname::text FROM pg_type WHERE typname IN ('broken', 'fresh')")).toEqual([]);
  });

  it('refuses to remove an object something still uses, naming the user, before anything changes', async () => {
    const keepsTags = defineSchema({ release: 'v3-bad', extends: v2, removed: { enums: ['size'] } });
    await expect(planChanges({ url: db.url }, keepsTags)).rejects.toThrow(/would still be in use[\s\S]*column tags\.size is of type size/);
  });

  it('rebuilds the enum in contract once no row holds a removed value (the precheck refuses before), keeping the data; drops removed objects after their last user', async () => {
    const { plan } = await planChanges({ url: db.url }, v3);
    expect(stepsOf(plan, 'expand').map((s) => s.id)).toEqual(['set-default:moods_log.feeling']);
    expect(stepsOf(plan, 'contract').map((s) => s.id)).toEqual([
      'rebuild-enum:mood',
      'drop-table:tags',
      'drop-sequence:tag_seq',
      'drop-domain:label',
      'drop-enum:size',
    ]);
    const rebuild = stepsOf(plan, 'contract')[0]!;
    expect(rebuild.description).toContain('rewriting moods_log, people under ACCESS EXCLUSIVE');
    expect(rebuild.lock.rewritesTable).toBe(true);

    await expand({ url: db.url }, v3);
    const refused = await contract({ url: db.url }, v3).then(() => null, (e: unknown) => e as Error);
    expect(refused?.message).toMatch(/people.feeling holds meh/);
    expect(await enumValues('mood')).toEqual(['happy', 'meh', 'sad', 'angry']);
    expect((await run("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'tags'"))[0]).toEqual({ n: 1 });

    await run('INSERT INTO moods_log (id) VALUES (1)');
    const before = await run('SELECT id, feeling::text, points FROM people ORDER BY id');
    await run("UPDATE people SET feeling = 'sad' WHERE feeling = 'meh'");
    await contract({ url: db.url }, v3);
    expect(await enumValues('mood')).toEqual(['happy', 'sad', 'angry']);
    expect(await run('SELECT id, feeling::text, points FROM people ORDER BY id')).toEqual(before.map((r) => (r.feeling === 'meh' ? { ...r, feeling: 'sad' } : r)));
    // Below the ids the old version's writer took (100 up, as many as expand lasted).
    await run('INSERT INTO people (id, points) VALUES (0, 1)');
    await run('INSERT INTO moods_log (id) VALUES (2)');
    expect(await run('SELECT id, feeling::text FROM moods_log ORDER BY id')).toEqual([{ id: 1, feeling: 'sad' }, { id: 2, feeling: 'sad' }]);
    expect(await run('SELECT feeling::text FROM people WHERE id = 0')).toEqual([{ feeling: 'happy' }]);
    expect(await run("SELECT relname::text FROM pg_class WHERE relname IN ('tags', 'tag_seq')")).toEqual([]);
    expect(await run("SELECT typname::text FROM pg_type WHERE typtype IN ('e', 'd') AND (typname IN ('size', 'label') OR typname LIKE '\\_dbtide\\_%')")).toEqual([]);
    expect((await planChanges({ url: db.url }, v3)).plan.steps).toEqual([]);
  });
});

describe.skipIf(noMariadb)('sequences, domains and enum types on MariaDB', () => {
  it('a release declaring them is refused before anything changes, naming each', async () => {
    const db = await scratchMariadb('schema_objects');
    try {
      const refused = await expand({ url: db.url }, v1).then(() => null, (e: unknown) => e as Error);
      expect(refused?.message).toMatch(/declares sequences, domains or enum types, which MariaDB [\d.]+\S* does not have; nothing was changed/);
      for (const path of ['sequences.order_no', 'domains.score', 'enums.mood']) expect(refused?.message).toContain(path);
      const tables = await withConnection(mysqlDialect.connect(db.url), (c) =>
        c.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE '\\_dbtide\\_%'"));
      expect(tables).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

describe.each(postgresTargets)('a domain tightened in contract and relaxed in expand on $name', (target) => {
  const w1 = defineSchema({
    release: 'w1',
    domains: { amount: { type: 'int', checks: [{ name: 'amount_small', expression: 'VALUE < 100' }] } },
    tables: { t: { columns: { id: 'int', v: { type: native('amount') } }, primaryKey: ['id'] } },
  });
  const w2 = defineSchema({ release: 'w2', extends: w1, domains: { amount: { type: 'int', nullable: false, checks: [{ name: 'amount_small', expression: 'VALUE < 100' }] } } });
  const w3 = defineSchema({ release: 'w3', extends: w2, domains: { amount: { type: 'int' } } });

  it('NOT NULL waits for contract and its precheck; dropping it and a check runs in expand', async () => {
    const db = await target.create('domain_not_null');
    const run = (text: string) => withConnection(target.dialect.connect(db.url), (c) => c.query(text));
    try {
      await expand({ url: db.url }, w1);
      await run('INSERT INTO t (id, v) VALUES (1, NULL)');
      const { plan } = await planChanges({ url: db.url }, w2);
      expect(plan.steps.map((s) => `${s.phase} ${s.id}`)).toEqual(['contract domain-not-null:amount']);
      await expand({ url: db.url }, w2);
      const refused = await contract({ url: db.url }, w2).then(() => null, (e: unknown) => e as Error);
      expect(refused?.message).toMatch(/t\.v has no NULL \(domain amount becomes NOT NULL\)/);
      await run('UPDATE t SET v = 1');
      await contract({ url: db.url }, w2);
      await expect(run('INSERT INTO t (id, v) VALUES (2, NULL)')).rejects.toThrow(/does not allow null values/);

      const relax = await planChanges({ url: db.url }, w3);
      expect(relax.plan.steps.map((s) => `${s.phase} ${s.id}`)).toEqual(['expand drop-domain-check:amount.amount_small', 'expand domain-not-null:amount']);
      await expand({ url: db.url }, w3);
      await run('INSERT INTO t (id, v) VALUES (2, NULL), (3, 500)');
      expect((await planChanges({ url: db.url }, w3)).plan.steps).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
