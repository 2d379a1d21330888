/**
 * Foreign keys as the server accepts them: to a unique index rather than a constraint, and
 * (PostgreSQL) between integer columns of different sizes. A schema made by hand pulls into a file
 * that plans to nothing there, and that file builds the same keys on an empty database.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, planChanges, pull } from '../../src/api.js';
import { loadSchemaFile } from '../../src/declaration/load-schema.js';
import { introspectLive, withDatabase } from '../../src/engine.js';
import { releaseDir } from '../support/release-files.js';
import { targets, withConnection } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

describe.each(targets)('foreign keys the server accepts, on $name', (target) => {
  it('pull, plan and a fresh install keep a key to a unique index and across integer sizes', async () => {
    const postgres = target.dialect.name === 'postgres';
    const source = await target.create('fk_targets');
    const fresh = await target.create('fk_targets_fresh');
    try {
      await withConnection(target.dialect.connect(source.url), async (c) => {
        await c.query('CREATE TABLE parents (id int NOT NULL PRIMARY KEY, code varchar(20) NOT NULL)');
        await c.query('CREATE UNIQUE INDEX parents_code ON parents (code)');
        await c.query(`CREATE TABLE children (id int NOT NULL PRIMARY KEY, parent_code varchar(20), parent_id ${postgres ? 'bigint' : 'int'})`);
        await c.query('ALTER TABLE children ADD CONSTRAINT children_code_fk FOREIGN KEY (parent_code) REFERENCES parents (code)');
        await c.query('ALTER TABLE children ADD CONSTRAINT children_parent_fk FOREIGN KEY (parent_id) REFERENCES parents (id)');
      });
      const pulled = await pull({ url: source.url }, { release: 'r1' });
      const declared = await loadSchemaFile(files.write(`fk-${target.name}.ts`, pulled.source));
      const { plan } = await planChanges({ url: source.url }, declared);
      expect(plan.steps.map((s) => s.id)).toEqual([]);
      expect(plan.drift).toEqual([]);

      await expand({ url: fresh.url }, declared);
      await contract({ url: fresh.url }, declared);
      const built = await withDatabase(fresh.url, {}, introspectLive);
      expect(built.tables.children!.foreignKeys.map((f) => [f.name, f.referencedTable, f.referencedColumns])).toEqual([
        ['children_code_fk', 'parents', ['code']],
        ['children_parent_fk', 'parents', ['id']],
      ]);
      expect((await planChanges({ url: fresh.url }, declared)).plan.steps).toEqual([]);
    } finally {
      await source.drop();
      await fresh.drop();
    }
  });
});
