/**
 * Real schemas nobody here wrote (test/fixtures/schemas/): loaded as their scripts load them,
 * pulled, planned against themselves (nothing to do; drift only for what dbtide reports as
 * unsupported and keeps as is), and installed fresh from the pulled file where dbtide can build
 * everything the tables need.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, planChanges, pull } from '../../src/api.js';
import { loadSchemaFile } from '../../src/declaration/load-schema.js';
import type { Connection } from '../../src/dialect.js';
import { releaseDir } from '../support/release-files.js';
import { loadPagila, loadSakila } from '../support/real-schemas.js';
import { scratchMariadb, scratchPostgres, withConnection } from '../support/scratch-databases.js';
import { mysqlDialect } from '../../dialects/mysql/index.js';
import { postgresDialect } from '../../dialects/postgres/index.js';

const files = releaseDir();
afterAll(() => files.remove());

/** Pulls `url`, writes the release file, and plans it against `url`. */
async function pullAndPlan(url: string, name: string) {
  const pulled = await pull({ url }, { release: 'r1' });
  const file = files.write(`${name}.ts`, pulled.source);
  const declared = await loadSchemaFile(file);
  const { plan } = await planChanges({ url }, declared);
  return { pulled, declared, plan };
}

/** The base tables' catalog as MySQL's information_schema shows it, without the database's name and dbtide's ledger. */
async function mysqlCatalog(conn: Connection): Promise<unknown[]> {
  const q = (sql: string) => conn.query(sql);
  return [
    await q(`SELECT c.TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS c
              JOIN information_schema.TABLES t USING (TABLE_SCHEMA, TABLE_NAME)
             WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' AND c.TABLE_NAME NOT LIKE '\\_dbtide\\_%' ORDER BY 1, 3`),
    await q(`SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, INDEX_TYPE FROM information_schema.STATISTICS
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE '\\_dbtide\\_%' ORDER BY 1, 2, 4`),
    await q(`SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.ORDINAL_POSITION, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
              FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r
                ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
             WHERE k.TABLE_SCHEMA = DATABASE() ORDER BY 1, 2, 4`),
  ];
}

describe('Sakila on MariaDB', () => {
  it('pulls into a file that plans to nothing there, installs fresh, and pulls back the same', async () => {
    const source = await scratchMariadb('sakila');
    const fresh = await scratchMariadb('sakila_fresh');
    try {
      await withConnection(mysqlDialect.connect(source.url), (c) => loadSakila(c, source.name));
      const { pulled, declared, plan } = await pullAndPlan(source.url, 'sakila');
      expect(Object.keys(pulled.model.tables)).toHaveLength(16);
      expect(plan.steps.map((s) => s.id)).toEqual([]);
      expect(plan.drift.filter((d) => !d.detail.startsWith('unsupported'))).toEqual([]);
      for (const kept of ['view film_list', 'trigger ins_film on film', 'procedure film_in_stock', 'function get_customer_balance']) {
        expect(pulled.source).toContain(`// unsupported, kept as is: ${kept}`);
      }

      await expand({ url: fresh.url }, declared);
      await contract({ url: fresh.url }, declared);
      const again = await pull({ url: fresh.url }, { release: 'r1' });
      expect(again.model.tables).toEqual(pulled.model.tables);
      const [before, after] = await Promise.all([source, fresh].map((db) => withConnection(mysqlDialect.connect(db.url), mysqlCatalog)));
      expect(after).toEqual(before);
    } finally {
      await source.drop();
      await fresh.drop();
    }
  });
});

describe('Pagila on PostgreSQL', () => {
  it('pulls into a file that plans to nothing there; a fresh install is refused before anything changes while sequences are not declared', async () => {
    const source = await scratchPostgres('pagila');
    const fresh = await scratchPostgres('pagila_fresh');
    try {
      await withConnection(postgresDialect.connect(source.url), loadPagila);
      const { pulled, declared, plan } = await pullAndPlan(source.url, 'pagila');
      expect(Object.keys(pulled.model.tables).length).toBeGreaterThanOrEqual(15);
      expect(plan.steps.map((s) => s.id)).toEqual([]);
      expect(plan.drift.filter((d) => !d.detail.startsWith('unsupported'))).toEqual([]);
      for (const kept of ['materialized view rental_by_category', 'enum type mpaa_rating', 'domain year', 'partitioned table payment', 'sequence actor_actor_id_seq', 'trigger last_updated on actor']) {
        expect(pulled.source).toContain(`// unsupported, kept as is: ${kept}`);
      }
      expect(plan.drift.length).toBe(pulled.model.unsupported!.length);

      // The serial columns' defaults name sequences the declaration cannot create yet; only dbtide's ledger was made.
      const refused = await expand({ url: fresh.url }, declared).then(() => null, (e: unknown) => e as Error);
      expect(refused?.message).toMatch(/SQL expression\(s\) the server refuses; nothing was changed[\s\S]*nextval\('actor_actor_id_seq'::regclass\)[\s\S]*does not exist/);
      expect((await withConnection(postgresDialect.connect(fresh.url), (c) => c.query("SELECT 1 FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname NOT LIKE '\\_dbtide\\_%'"))).length).toBe(0);
    } finally {
      await source.drop();
      await fresh.drop();
    }
  });
});
