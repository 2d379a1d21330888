/**
 * Renaming a constraint or an index in place: expand and migrate leave the old name (old code may
 * tell errors apart by it), contract renames without rebuilding, a rerun finds it done, and pull
 * writes the new name. MySQL and MariaDB rename unique keys and indexes, and refuse at plan the
 * kinds they cannot rename.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate, planChanges, pull, status } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { renameConstraint, renameIndex } from '../../src/declaration/transitions.js';
import { withDatabase } from '../../src/engine.js';
import { releaseDir } from '../support/release-files.js';
import { mysqlTargets, postgresTargets, type ScratchTarget } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

const v1 = (withChecks: boolean) => defineSchema({
  release: 'rename-1',
  tables: {
    teams: { columns: { id: 'bigint' }, primaryKey: ['id'] },
    people: {
      columns: { id: 'bigint', email: 'varchar(100)', team: 'bigint', age: 'int' },
      primaryKey: ['id'],
      uniques: [{ name: 'people_email_key', columns: ['email'] }],
      indexes: [{ name: 'people_age_idx', columns: ['age'] }],
      foreignKeys: [{ name: 'people_team_fkey', columns: ['team'], references: { table: 'teams', columns: ['id'] } }],
      ...(withChecks ? { checks: [{ name: 'people_age_check', expression: 'age > 0' }] } : {}),
    },
  },
});

async function run(url: string, statement: string): Promise<void> {
  await withDatabase(url, {}, async ({ conn }) => {
    await conn.query(statement);
  });
}

/** The error a duplicate email gets: it names the unique constraint. */
async function duplicateError(url: string, id: number): Promise<string> {
  try {
    await run(url, `INSERT INTO people (id, email, team, age) VALUES (${id}, 'a@x', 1, 30)`);
  } catch (error) {
    return String((error as Error).message);
  }
  throw new Error('the duplicate was accepted');
}

async function live(t: { url: string }) {
  const people = (await pull(t)).model.tables.people!;
  return {
    uniques: people.uniques.map((u) => u.name),
    indexes: people.indexes.map((i) => i.name),
    foreignKeys: people.foreignKeys.map((f) => f.name),
    checks: people.checks.map((c) => c.name),
  };
}

async function installed(target: ScratchTarget, label: string, withChecks: boolean) {
  const db = await target.create(label);
  const t = { url: db.url };
  await expand(t, v1(withChecks));
  await contract(t, v1(withChecks));
  await run(db.url, 'INSERT INTO teams (id) VALUES (1)');
  await run(db.url, "INSERT INTO people (id, email, team, age) VALUES (1, 'a@x', 1, 30)");
  return { db, t };
}

describe.each(postgresTargets)('constraint and index renames on $name', (target) => {
  const v2 = defineSchema({
    release: 'rename-2',
    extends: v1(true),
    transitions: [
      renameConstraint('people', 'people_email_key', 'people_email_unique'),
      renameConstraint('people', 'people_team_fkey', 'people_team_ref'),
      renameConstraint('people', 'people_age_check', 'people_age_positive'),
      renameIndex('people', 'people_age_idx', 'people_by_age'),
    ],
  });

  it('contract renames in place after old code is gone; a rerun, a half-done run and pull find it done', async () => {
    const { db, t } = await installed(target, 'renames', true);
    try {
      const planned = (await planChanges(t, v2)).plan;
      expect(planned.drift).toEqual([]);
      expect(planned.steps.map((s) => [s.phase, s.id, s.lock.blocksWrites])).toEqual([
        ['contract', 'rename-object:people.people_email_unique', false],
        ['contract', 'rename-object:people.people_team_ref', false],
        ['contract', 'rename-object:people.people_age_positive', false],
        ['contract', 'rename-object:people.people_by_age', false],
      ]);
      const pending = await status(t, v2);
      expect([pending.next, pending.pending, pending.drift]).toEqual(['contract', { expand: 0, migrate: 0, contract: 4 }, []]);

      // The window: nothing renamed, old code still gets errors under the old names.
      expect((await expand(t, v2)).steps).toEqual([]);
      expect((await migrate(t, v2)).steps).toEqual([]);
      expect(await duplicateError(db.url, 2)).toContain('people_email_key');

      // A run that stopped after one rename: the rest is still planned, the done one is not.
      await run(db.url, 'ALTER INDEX people_age_idx RENAME TO people_by_age');
      expect((await planChanges(t, v2)).plan.steps.map((s) => s.id)).not.toContain('rename-object:people.people_by_age');

      expect((await contract(t, v2)).steps.map((s) => s.id)).toEqual([
        'rename-object:people.people_email_unique',
        'rename-object:people.people_team_ref',
        'rename-object:people.people_age_positive',
      ]);
      expect(await live(t)).toEqual({
        uniques: ['people_email_unique'],
        indexes: ['people_by_age'],
        foreignKeys: ['people_team_ref'],
        checks: ['people_age_positive'],
      });
      expect(await duplicateError(db.url, 3)).toContain('people_email_unique');
      expect((await planChanges(t, v2)).plan).toMatchObject({ steps: [], drift: [] });
      expect((await contract(t, v2)).steps).toEqual([]);

      const { source } = await pull(t, { release: 'pulled' });
      expect(source).toContain("name: 'people_email_unique'");
      expect(source).not.toContain('people_email_key');
      expect((await planChanges(t, files.write('renames-pulled.ts', source))).plan).toMatchObject({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });

  it('refuses at plan, changing nothing, when the live object is not the declared one', async () => {
    const { db, t } = await installed(target, 'renames_changed', true);
    try {
      const changed = defineSchema({
        release: 'rename-2b',
        extends: v1(true),
        tables: { people: { uniques: [{ name: 'people_email_unique', columns: ['email', 'team'] }] } },
        transitions: [renameConstraint('people', 'people_email_key', 'people_email_unique')],
      });
      await expect(contract(t, changed)).rejects.toThrow(
        'transitions[0] (rename-constraint) on people: the live unique constraint "people_email_key" is not what the release declares as "people_email_unique"',
      );
      expect((await live(t)).uniques).toEqual(['people_email_key']);
    } finally {
      await db.drop();
    }
  });
});

describe.each(mysqlTargets)('constraint and index renames on $name', (target) => {
  it('renames a unique key and an index in contract, online', async () => {
    const { db, t } = await installed(target, 'renames', false);
    try {
      const v2 = defineSchema({
        release: 'rename-2',
        extends: v1(false),
        transitions: [renameConstraint('people', 'people_email_key', 'people_email_unique'), renameIndex('people', 'people_age_idx', 'people_by_age')],
      });
      const planned = (await planChanges(t, v2)).plan;
      expect(planned.steps.map((s) => [s.phase, s.sql])).toEqual([
        ['contract', ['ALTER TABLE `people` RENAME INDEX `people_email_key` TO `people_email_unique`, ALGORITHM=INPLACE, LOCK=NONE']],
        ['contract', ['ALTER TABLE `people` RENAME INDEX `people_age_idx` TO `people_by_age`, ALGORITHM=INPLACE, LOCK=NONE']],
      ]);
      expect(planned.drift).toEqual([]);
      expect((await expand(t, v2)).steps).toEqual([]);
      expect(await duplicateError(db.url, 2)).toContain('people_email_key');
      expect((await contract(t, v2)).steps).toHaveLength(2);
      expect(await duplicateError(db.url, 3)).toContain('people_email_unique');
      expect(await live(t)).toMatchObject({ uniques: ['people_email_unique'], indexes: ['people_by_age'] });
      expect((await planChanges(t, v2)).plan).toMatchObject({ steps: [], drift: [] });
      const { source } = await pull(t, { release: 'pulled' });
      expect((await planChanges(t, files.write(`renames-${target.name}.ts`, source))).plan).toMatchObject({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });

  it('refuses at plan to rename a foreign key or a check, which the server cannot rename in place; nothing changes', async () => {
    const { db, t } = await installed(target, 'renames_fk', true);
    try {
      const v2 = defineSchema({ release: 'rename-fk', extends: v1(true), transitions: [renameConstraint('people', 'people_team_fkey', 'people_team_ref'), renameConstraint('people', 'people_age_check', 'people_age_positive')] });
      const refused = planChanges(t, v2);
      await expect(refused).rejects.toThrow(/release rename-fk renames constraints or indexes the live database cannot rename as declared; nothing was changed/);
      await expect(refused).rejects.toThrow(/cannot rename a foreign key in place \("people_team_fkey" to "people_team_ref"\)/);
      await expect(refused).rejects.toThrow(/cannot rename a check constraint in place \("people_age_check" to "people_age_positive"\)/);
      await expect(contract(t, v2)).rejects.toThrow(/cannot rename a foreign key in place/);
      expect(await live(t)).toMatchObject({ foreignKeys: ['people_team_fkey'], checks: ['people_age_check'] });
    } finally {
      await db.drop();
    }
  });
});
