/**
 * Names scoped as the server scopes them: PostgreSQL keeps CHECK and FOREIGN KEY names per table,
 * MariaDB index and CHECK names; a database whose tables share such names pulls into a file that
 * plans to nothing. A name the server keeps once per schema, reused by two tables, is refused at
 * plan with both declaration paths.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, planChanges, pull } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import type { SchemaInput } from '../../src/declaration/dsl-types.js';
import { releaseDir } from '../support/release-files.js';
import { mysqlTargets, postgresTargets, withConnection, type ScratchTarget } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

interface Case {
  targets: ScratchTarget[];
  /** Two tables sharing names the server scopes per table. */
  shared: string[];
  /** What the pulled file must declare on both tables. */
  sharedNames: { checks: string[]; foreignKeys: string[]; indexes: string[] };
  /** The shared names as a release declares them: both tables, the same CHECK and one more shared name. */
  declared: SchemaInput['tables'];
  /** Two tables reusing a name the server keeps once per schema. */
  clash: SchemaInput['tables'];
  clashMessage: RegExp;
}

const child = (name: string) =>
  `CREATE TABLE ${name} (id int PRIMARY KEY, name varchar(50), parent_id int,
     CONSTRAINT name_must_be_present CHECK (name IS NOT NULL),
     CONSTRAINT parent_fk FOREIGN KEY (parent_id) REFERENCES parents (id))`;

const indexed = (name: string) =>
  `CREATE TABLE ${name} (id int PRIMARY KEY, name varchar(50),
     CONSTRAINT name_must_be_present CHECK (name IS NOT NULL), KEY by_name (name))`;

const table = (extra: object) => ({ columns: { id: 'int', name: 'varchar(50)', parent_id: 'int' }, primaryKey: ['id'], ...extra });
const parentFk = { name: 'parent_fk', columns: ['parent_id'], references: { table: 'parents', columns: ['id'] } };
const present = { name: 'name_must_be_present', expression: 'name IS NOT NULL' };

const CASES: Case[] = [
  {
    targets: postgresTargets,
    shared: ['CREATE TABLE parents (id int PRIMARY KEY)', child('apples'), child('pears')],
    sharedNames: { checks: ['name_must_be_present'], foreignKeys: ['parent_fk'], indexes: [] },
    declared: {
      parents: { columns: { id: 'int' }, primaryKey: ['id'] },
      apples: table({ checks: [present], foreignKeys: [parentFk] }),
      pears: table({ checks: [present], foreignKeys: [parentFk] }),
    },
    clash: {
      parents: { columns: { id: 'int' }, primaryKey: ['id'] },
      apples: table({ indexes: [{ name: 'by_name', columns: ['name'] }], foreignKeys: [parentFk] }),
      pears: table({ indexes: [{ name: 'by_name', columns: ['name'] }], foreignKeys: [parentFk] }),
    },
    clashMessage:
      /tables\.pears\.indexes\.by_name: name "by_name" is already used by tables\.apples\.indexes\.by_name; PostgreSQL [\d.]+ keeps primary key, unique, index and exclusion names in one namespace per schema/,
  },
  {
    targets: mysqlTargets.filter((t) => t.name === 'mariadb'),
    shared: [indexed('apples'), indexed('pears')],
    sharedNames: { checks: ['name_must_be_present'], foreignKeys: [], indexes: ['by_name'] },
    declared: {
      apples: table({ checks: [present], indexes: [{ name: 'by_name', columns: ['name'] }] }),
      pears: table({ checks: [present], indexes: [{ name: 'by_name', columns: ['name'] }] }),
    },
    clash: {
      parents: { columns: { id: 'int' }, primaryKey: ['id'] },
      apples: table({ indexes: [{ name: 'by_name', columns: ['name'] }], foreignKeys: [parentFk] }),
      pears: table({ indexes: [{ name: 'by_name', columns: ['name'] }], foreignKeys: [parentFk] }),
    },
    clashMessage:
      /tables\.pears\.foreignKeys\.parent_fk: name "parent_fk" is already used by tables\.apples\.foreignKeys\.parent_fk; MariaDB [\d.]+ keeps foreign key names in one namespace per database/,
  },
];

for (const c of CASES) {
  describe.each(c.targets)('constraint name scope on $name', (target) => {
    it('tables sharing names the server scopes per table pull into a file that plans to nothing', async () => {
      const db = await target.create('name_scope');
      try {
        await withConnection(target.dialect.connect(db.url), async (conn) => {
          for (const statement of c.shared) await conn.query(statement);
        });
        const { model, source } = await pull({ url: db.url }, { release: 'pulled' });
        for (const t of ['apples', 'pears']) {
          expect(model.tables[t]!.checks.map((x) => x.name)).toEqual(c.sharedNames.checks);
          expect(model.tables[t]!.foreignKeys.map((x) => x.name)).toEqual(c.sharedNames.foreignKeys);
          expect(model.tables[t]!.indexes.map((x) => x.name)).toEqual(c.sharedNames.indexes);
        }
        const file = files.write(`pulled-${target.name}.ts`, source);
        expect((await planChanges({ url: db.url }, file)).plan).toMatchObject({ steps: [], drift: [] });
      } finally {
        await db.drop();
      }
    });

    it('a tombstone, a redefinition and their prechecks touch the named table only', async () => {
      const db = await target.create('name_scope_phases');
      const t = { url: db.url };
      const run = (sql: string) => withConnection(target.dialect.connect(db.url), (conn) => conn.query(sql));
      try {
        const v1 = defineSchema({ release: 'v1', tables: c.declared! });
        await expand(t, v1);
        await run("INSERT INTO apples (id, name) VALUES (1, 'a')");
        await run("INSERT INTO pears (id, name) VALUES (1, '')");
        const v2 = defineSchema({
          release: 'v2',
          extends: v1,
          tables: {
            apples: { removed: { constraints: ['name_must_be_present'] } },
            pears: { checks: [{ name: 'name_must_be_present', expression: "name IS NOT NULL AND name <> ''" }] },
          },
        });
        const planned = (await planChanges(t, v2)).plan;
        expect(planned.steps.map((s) => `${s.phase} ${s.id}`)).toEqual([
          'expand drop-constraint:apples.name_must_be_present',
          'contract drop-constraint:pears.name_must_be_present',
          'contract add-check:pears.name_must_be_present',
        ]);
        await expand(t, v2);
        await run('INSERT INTO apples (id, name) VALUES (2, NULL)');
        await expect(run('INSERT INTO pears (id, name) VALUES (2, NULL)')).rejects.toThrow();
        // The precheck reads pears only: its empty name stops contract, apples' NULL does not count.
        await expect(contract(t, v2)).rejects.toThrow(/prechecks failed[\s\S]*pears[\s\S]*id=1/);
        await run("UPDATE pears SET name = 'p' WHERE id = 1");
        await contract(t, v2);
        await expect(run("INSERT INTO pears (id, name) VALUES (3, '')")).rejects.toThrow();
        await run('INSERT INTO apples (id, name) VALUES (3, NULL)');
        expect((await planChanges(t, v2)).plan).toMatchObject({ steps: [], drift: [] });
      } finally {
        await db.drop();
      }
    });

    it('a name the server keeps once per schema, used by two tables, is refused at plan with both paths', async () => {
      const db = await target.create('name_clash');
      try {
        const clashing = defineSchema({ release: 'clash', tables: c.clash! });
        await expect(planChanges({ url: db.url }, clashing)).rejects.toThrow(c.clashMessage);
      } finally {
        await db.drop();
      }
    });
  });
}
