/**
 * DEFERRABLE keys and foreign keys on PostgreSQL and PGlite: built deferrable (a new table, a new
 * key on a live table through its online index), a foreign key's deferrability altered in place
 * (checked later in expand, sooner in contract), pulled and read back; a key's change is drift
 * with advice; a foreign key to a deferrable key is refused at plan. MySQL and MariaDB refuse.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, planChanges, pull } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { Deferrable } from '../../src/model/schema-model.js';
import { withDatabase } from '../../src/engine.js';
import { releaseDir } from '../support/release-files.js';
import { mysqlTargets, postgresTargets } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

const release = (name: string, fk: Deferrable | undefined, slotsUnique: Deferrable | undefined) => defineSchema({
  release: name,
  tables: {
    teams: { columns: { id: 'bigint' }, primaryKey: ['id'] },
    people: {
      columns: { id: 'bigint', team: 'bigint', slot: 'int' },
      primaryKey: ['id'],
      uniques: [{ name: 'people_slot_key', columns: ['slot'], ...(slotsUnique ? { deferrable: slotsUnique } : {}) }],
      foreignKeys: [{ columns: ['team'], references: { table: 'teams', columns: ['id'] }, ...(fk ? { deferrable: fk } : {}) }],
    },
  },
});

/** Runs the statements in one transaction: what a deferred constraint allows between them shows. */
async function inTransaction(url: string, statements: string[]): Promise<void> {
  await withDatabase(url, {}, async ({ conn }) => {
    await conn.transaction(async () => {
      for (const s of statements) await conn.query(s);
    });
  });
}

/** Swaps two people's slots in two UPDATEs, and adds a person before their team in one transaction. */
const swapSlots = ['UPDATE people SET slot = 3 WHERE id = 1', 'UPDATE people SET slot = 1 WHERE id = 2', 'UPDATE people SET slot = 2 WHERE id = 1'];
const personBeforeTeam = (id: number) => [`INSERT INTO people (id, team, slot) VALUES (${id}, ${id}, ${id})`, `INSERT INTO teams (id) VALUES (${id})`];

describe.each(postgresTargets)('deferrable constraints on $name', (target) => {
  it('built deferrable; a foreign key made deferred in expand and immediate again in contract; pull round-trips', async () => {
    const db = await target.create('deferrable');
    const t = { url: db.url };
    try {
      const v1 = release('def-1', undefined, 'deferred');
      await expand(t, v1);
      await contract(t, v1);
      await inTransaction(db.url, ['INSERT INTO teams (id) VALUES (1)', 'INSERT INTO people (id, team, slot) VALUES (1, 1, 1), (2, 1, 2)']);
      // The unique key is checked at commit: a swap in two steps passes.
      await inTransaction(db.url, swapSlots);
      await expect(inTransaction(db.url, personBeforeTeam(5))).rejects.toThrow(/people_team_fkey/);

      const v2 = release('def-2', 'deferred', 'deferred');
      const planned = (await planChanges(t, v2)).plan;
      expect(planned.steps.map((s) => [s.phase, s.id, s.relaxing, s.lock.blocksWrites])).toEqual([['expand', 'set-deferrable:people.people_team_fkey', true, false]]);
      await expand(t, v2);
      await inTransaction(db.url, personBeforeTeam(6));
      expect((await planChanges(t, v2)).plan).toMatchObject({ steps: [], drift: [] });

      const { source } = await pull(t, { release: 'pulled' });
      expect(source).toContain("deferrable: 'deferred'");
      expect((await planChanges(t, files.write(`deferrable-${target.name}.ts`, source))).plan).toMatchObject({ steps: [], drift: [] });

      const v3 = release('def-3', undefined, 'deferred');
      expect((await planChanges(t, v3)).plan.steps.map((s) => [s.phase, s.id])).toEqual([['contract', 'set-deferrable:people.people_team_fkey']]);
      expect((await expand(t, v3)).steps).toEqual([]);
      await contract(t, v3);
      await expect(inTransaction(db.url, personBeforeTeam(7))).rejects.toThrow(/people_team_fkey/);
      expect((await pull(t)).model.tables.people!.foreignKeys[0]).not.toHaveProperty('deferrable');
    } finally {
      await db.drop();
    }
  });

  it('a key whose deferrability changes is drift with advice; a new deferrable key on a live table is built online and adopted', async () => {
    const db = await target.create('deferrable_key');
    const t = { url: db.url };
    try {
      const v1 = release('def-1', undefined, undefined);
      await expand(t, v1);
      await contract(t, v1);
      const changed = (await planChanges(t, release('def-2', undefined, 'deferred'))).plan;
      expect(changed.steps).toEqual([]);
      expect(changed.drift).toEqual([{ table: 'people', object: 'unique people_slot_key', detail: expect.stringContaining("a key's deferrability cannot change in place") }]);

      const added = defineSchema({
        release: 'def-3',
        extends: v1,
        tables: { people: { uniques: [{ name: 'people_slot_later', columns: ['slot'], deferrable: 'deferred' }] } },
      });
      await expand(t, added);
      await contract(t, added);
      expect((await pull(t)).model.tables.people!.uniques).toEqual([
        { name: 'people_slot_key', columns: ['slot'] },
        { name: 'people_slot_later', columns: ['slot'], deferrable: 'deferred' },
      ]);
      expect((await planChanges(t, added)).plan).toMatchObject({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });

  it('a foreign key to a deferrable key is refused at plan; nothing is created', async () => {
    const db = await target.create('deferrable_target');
    const t = { url: db.url };
    try {
      const refused = defineSchema({
        release: 'def-bad',
        tables: {
          teams: { columns: { id: 'bigint' }, primaryKey: { columns: ['id'], deferrable: 'immediate' } },
          people: { columns: { id: 'bigint', team: 'bigint' }, primaryKey: ['id'], foreignKeys: [{ columns: ['team'], references: { table: 'teams', columns: ['id'] } }] },
        },
      });
      await expect(expand(t, refused)).rejects.toThrow(
        /tables\.people\.foreignKeys\.people_team_fkey: references teams\(id\), whose key teams_pkey is deferrable; PostgreSQL [\d.]+ refuses a foreign key to a deferrable key/,
      );
      expect((await pull(t)).model.tables).toEqual({});
    } finally {
      await db.drop();
    }
  });
});

describe.each(mysqlTargets)('deferrable constraints on $name', (target) => {
  it('a release declaring one is refused at plan, naming it; nothing is created', async () => {
    const db = await target.create('deferrable');
    const t = { url: db.url };
    try {
      const refused = planChanges(t, release('def-my', 'deferred', undefined));
      await expect(refused).rejects.toThrow(/release def-my declares constraints (MariaDB|MySQL) [\d.]+ does not have; nothing was changed/);
      await expect(refused).rejects.toThrow("tables.people.foreignKeys.people_team_fkey: deferrable: 'deferred'");
      await expect(expand(t, release('def-my', undefined, 'immediate'))).rejects.toThrow("tables.people.uniques.people_slot_key: deferrable: 'immediate'");
      expect((await pull(t)).model.tables).toEqual({});
    } finally {
      await db.drop();
    }
  });
});
