/**
 * Exclusion constraints on PostgreSQL and PGlite: a new table gets one in expand; on a live table
 * contract adds it after a precheck naming the rows that collide (old code may write them until
 * then), a tombstone drops it in expand, pull round-trips it. An operator class the server lacks
 * stops plan before anything runs; MySQL and MariaDB refuse the release.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate, planChanges, pull, scan } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { TableInput } from '../../src/declaration/dsl-types.js';
import { withDatabase } from '../../src/engine.js';
import { PrecheckFailed } from '../../src/execute/outcomes.js';
import { releaseDir } from '../support/release-files.js';
import { mysqlTargets, postgresTargets } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

const bookings: TableInput = {
  columns: { id: 'bigint', room: 'int', during: { type: { native: 'tsrange' } } },
  primaryKey: ['id'],
};
/** Same room and overlapping times collide; a room is the range [room, room], so no extension is needed. */
const noOverlap = {
  name: 'bookings_no_overlap',
  elements: [
    { expression: "int4range(room, room, '[]')", operator: '&&' },
    { column: 'during', operator: '&&' },
  ],
};

const v1 = defineSchema({ release: 'excl-1', tables: { bookings } });
const v2 = defineSchema({ release: 'excl-2', extends: v1, tables: { bookings: { exclusions: [noOverlap] } } });

async function sql(url: string, statements: string[]): Promise<void> {
  await withDatabase(url, {}, async ({ conn }) => {
    for (const s of statements) await conn.query(s);
  });
}

const book = (id: number, room: number, from: string, to: string) =>
  `INSERT INTO bookings (id, room, during) VALUES (${id}, ${room}, tsrange('2026-01-01 ${from}', '2026-01-01 ${to}'))`;

async function refusal(work: Promise<unknown>): Promise<PrecheckFailed> {
  try {
    await work;
  } catch (error) {
    if (error instanceof PrecheckFailed) return error;
    throw error;
  }
  throw new Error('the phase ran');
}

describe.each(postgresTargets)('exclusion constraints on $name', (target) => {
  it('on a live table: contract refuses while rows collide, naming them; after cleanup it adds it; then pull round-trips', async () => {
    const db = await target.create('exclusion');
    const t = { url: db.url };
    try {
      await expand(t, v1);
      await contract(t, v1);
      await sql(db.url, [book(1, 1, '10:00', '12:00'), book(2, 2, '10:00', '12:00')]);

      const planned = (await planChanges(t, v2)).plan;
      expect(planned.steps.map((s) => [s.phase, s.id, s.lock.blocksWrites])).toEqual([['contract', 'add-exclusion:bookings.bookings_no_overlap', true]]);
      expect(planned.warnings).toEqual([expect.stringContaining('checks every row of bookings while reads and writes wait; it runs in contract')]);

      expect((await expand(t, v2)).steps).toEqual([]);
      expect((await migrate(t, v2)).steps).toEqual([]);
      // The old version still runs: it books room 1 twice over.
      await sql(db.url, [book(3, 1, '11:00', '13:00')]);

      const refused = await refusal(contract(t, v2));
      expect(refused.message).toContain('prechecks failed; nothing was changed');
      expect(refused.message).toContain('2 row(s) break "no two bookings rows collide under');
      expect(refused.message).toMatch(/e\.g\. id=1, id=3/);
      expect(refused.hint).toContain('change or remove one row of each pair by hand');
      expect((await pull(t)).model.tables.bookings).not.toHaveProperty('exclusions');

      // scan lists both rows of the pair, and leaves the choice of which to keep to the operator.
      const found = await scan(t, v2);
      expect(found.findings.map((f) => [f.kind, f.count, f.keys])).toEqual([['exclusion', 2, [{ id: '1' }, { id: '3' }]]]);
      await expect(scan(t, v2, { fix: 'archive' })).rejects.toThrow('--fix cannot tell which of two colliding bookings rows to keep');
      expect((await scan(t, v2)).findings[0]!.count).toBe(2);

      await sql(db.url, ['DELETE FROM bookings WHERE id = 3']);
      expect((await contract(t, v2)).steps.map((s) => s.id)).toEqual(['add-exclusion:bookings.bookings_no_overlap']);
      await expect(sql(db.url, [book(4, 1, '11:00', '13:00')])).rejects.toThrow(/bookings_no_overlap/);
      await sql(db.url, [book(5, 2, '12:00', '13:00')]);
      expect((await planChanges(t, v2)).plan).toMatchObject({ steps: [], drift: [] });

      const { source } = await pull(t, { release: 'pulled' });
      expect(source).toContain("name: 'bookings_no_overlap'");
      expect((await planChanges(t, files.write(`exclusion-${target.name}.ts`, source))).plan).toMatchObject({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  }, 180_000);

  it('on a new table: created with it in expand; a tombstone drops it in expand; a changed one is dropped and added in contract', async () => {
    const db = await target.create('exclusion_new');
    const t = { url: db.url };
    try {
      const steps = (await expand(t, v2)).steps;
      expect(steps.map((s) => [s.phase, s.id])).toEqual([['expand', 'create-table:bookings']]);
      expect(steps[0]!.sql[0]).toContain('CONSTRAINT "bookings_no_overlap" EXCLUDE USING gist');
      expect((await planChanges(t, v2)).plan).toMatchObject({ steps: [], drift: [] });

      const changed = defineSchema({
        release: 'excl-3',
        extends: v2,
        tables: { bookings: { exclusions: [{ ...noOverlap, elements: [noOverlap.elements[1]!] }] } },
      });
      expect((await planChanges(t, changed)).plan.steps.map((s) => [s.phase, s.id])).toEqual([
        ['contract', 'drop-constraint:bookings.bookings_no_overlap'],
        ['contract', 'add-exclusion:bookings.bookings_no_overlap'],
      ]);

      const removed = defineSchema({ release: 'excl-4', extends: v2, tables: { bookings: { removed: { constraints: ['bookings_no_overlap'] } } } });
      expect((await expand(t, removed)).steps.map((s) => [s.phase, s.id, s.relaxing])).toEqual([['expand', 'drop-constraint:bookings.bookings_no_overlap', true]]);
      await sql(db.url, [book(1, 1, '10:00', '12:00'), book(2, 1, '11:00', '13:00')]);
      expect((await planChanges(t, removed)).plan).toMatchObject({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });

  it('an `=` element under gist without btree_gist is refused at plan with the server\'s words; nothing is created', async () => {
    const db = await target.create('exclusion_opclass');
    const t = { url: db.url };
    try {
      const scalar = defineSchema({
        release: 'excl-eq',
        tables: { bookings: { ...bookings, exclusions: [{ elements: [{ column: 'room', operator: '=' }, { column: 'during', operator: '&&' }] }] } },
      });
      const refused = planChanges(t, scalar);
      await expect(refused).rejects.toThrow(/release excl-eq declares 1 exclusion constraint\(s\) PostgreSQL [\d.]+ cannot build; nothing was changed/);
      await expect(refused).rejects.toThrow('tables.bookings.exclusions.bookings_room_during_excl: room WITH =, during WITH && using gist');
      await expect(refused).rejects.toThrow(/the server says: data type integer has no default operator class for access method "gist"/);
      await expect(expand(t, scalar)).rejects.toMatchObject({ hint: expect.stringContaining('needs the btree_gist extension, which dbtide does not create') });
      expect((await pull(t)).model.tables).toEqual({});
      if (target.name === 'postgres') {
        await sql(db.url, ['CREATE EXTENSION btree_gist']);
        expect((await expand(t, scalar)).steps.map((s) => s.id)).toEqual(['create-table:bookings']);
        expect((await planChanges(t, scalar)).plan.steps).toEqual([]);
      }
    } finally {
      await db.drop();
    }
  });

  it('over a column of a domain the same release creates: the plan probes it with the domain in place', async () => {
    const db = await target.create('exclusion_domain');
    try {
      const release = defineSchema({
        release: 'excl-domain',
        domains: { stay: { type: { native: 'tsrange' } } },
        tables: { visits: { columns: { id: 'bigint', during: { type: { native: 'stay' } } }, primaryKey: ['id'], exclusions: [{ name: 'visits_apart', elements: [{ column: 'during', operator: '&&' }] }] } },
      });
      await expand({ url: db.url }, release);
      await withDatabase(db.url, {}, async ({ conn }) => {
        await conn.query("INSERT INTO visits VALUES (1, tsrange('2026-01-01 10:00', '2026-01-01 11:00'))");
        await expect(conn.query("INSERT INTO visits VALUES (2, tsrange('2026-01-01 10:30', '2026-01-01 12:00'))")).rejects.toThrow(/visits_apart/);
      });
    } finally {
      await db.drop();
    }
  });
});

describe.each(mysqlTargets)('exclusion constraints on $name', (target) => {
  it('a release declaring one is refused at plan, naming it; nothing is created', async () => {
    const db = await target.create('exclusion');
    const t = { url: db.url };
    try {
      const release = defineSchema({
        release: 'excl-my',
        tables: { bookings: { columns: { id: 'bigint', room: 'int' }, primaryKey: ['id'], exclusions: [{ elements: [{ column: 'room', operator: '=' }] }] } },
      });
      const refused = planChanges(t, release);
      await expect(refused).rejects.toThrow(/release excl-my declares constraints (MariaDB|MySQL) [\d.]+ does not have; nothing was changed/);
      await expect(refused).rejects.toThrow('tables.bookings.exclusions.bookings_room_excl: an exclusion constraint');
      await expect(expand(t, release)).rejects.toThrow(/exclusion constraint/);
      expect((await pull(t)).model.tables).toEqual({});
    } finally {
      await db.drop();
    }
  });
});
