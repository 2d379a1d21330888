/**
 * Real schemas nobody here wrote (test/fixtures/schemas/): loaded as their scripts load them,
 * pulled, planned against themselves (nothing to do; drift only for what dbtide reports as
 * unsupported and keeps as is), and installed fresh from the pulled file where dbtide can build
 * everything the tables need.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, planChanges, pull } from '../../src/api.js';
import { loadSchemaFile } from '../../src/declaration/load-schema.js';
import { KEPT_AS_IS } from '../../src/model/unsupported.js';
import type { Connection } from '../../src/dialect.js';
import { releaseDir } from '../support/release-files.js';
import { loadPagila, loadSakila } from '../support/real-schemas.js';
import { noMariadb, noPostgres, scratchMariadb, scratchPostgres, withConnection } from '../support/scratch-databases.js';
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

/**
 * A pulled file without its "unsupported, kept as is" lines: the fresh database lacks what was only
 * reported (views, triggers, ...), so only those lines may differ between the two files.
 */
const declaredPart = (source: string) => source.split('\n').filter((line) => !line.startsWith(`// ${KEPT_AS_IS}:`) && !/^\/\/ \d+ object/.test(line)).join('\n').trim();

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

describe.skipIf(noMariadb)('Sakila on MariaDB', () => {
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
      expect(declaredPart(again.source)).toBe(declaredPart(pulled.source));
      const [before, after] = await Promise.all([source, fresh].map((db) => withConnection(mysqlDialect.connect(db.url), mysqlCatalog)));
      expect(after).toEqual(before);
    } finally {
      await source.drop();
      await fresh.drop();
    }
  });
});

/**
 * The base tables' catalog as pg_catalog shows it: columns with their types, defaults and NULL
 * rules, indexes and constraints by definition, and the sequences' options. Pagila's partitioned
 * `payment` and its partitions are reported as unsupported, not declared: a fresh install makes
 * `payment` a plain table without partitions, so they (and the foreign keys of the partitions,
 * which reference other tables) are left out here; pull compares the declared `payment` itself.
 */
async function postgresCatalog(conn: Connection): Promise<unknown[]> {
  const tables = `c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND NOT c.relispartition
                  AND c.relname NOT LIKE '\\_dbtide\\_%' AND c.relname <> 'payment'`;
  const q = (sql: string) => conn.query(sql);
  return [
    await q(`SELECT c.relname::text AS t, a.attname::text AS c, a.attnum, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
                    pg_get_expr(d.adbin, d.adrelid) AS default
               FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
              WHERE ${tables} ORDER BY 1, 3`),
    await q(`SELECT c.relname::text AS t, i.relname::text AS i, pg_get_indexdef(i.oid) AS def
               FROM pg_class c JOIN pg_index x ON x.indrelid = c.oid JOIN pg_class i ON i.oid = x.indexrelid
              WHERE ${tables} ORDER BY 1, 2`),
    await q(`SELECT c.relname::text AS t, k.conname::text AS k, pg_get_constraintdef(k.oid) AS def
               FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid WHERE ${tables} ORDER BY 1, 2`),
    await q(`SELECT s.relname::text AS s, format_type(q.seqtypid, NULL) AS type, q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle
               FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid WHERE s.relnamespace = 'public'::regnamespace ORDER BY 1`),
    await q(`SELECT t.typname::text AS name, t.typtype, format_type(t.typbasetype, t.typtypmod) AS base, t.typnotnull,
                    (SELECT string_agg(pg_get_constraintdef(k.oid), ' ' ORDER BY k.conname) FROM pg_constraint k WHERE k.contypid = t.oid) AS checks,
                    (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
               FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('d', 'e') ORDER BY 1`),
  ];
}

describe.skipIf(noPostgres)('Pagila on PostgreSQL', () => {
  it('pulls into a file that plans to nothing there, installs fresh with its sequences, domains and enum type, and pulls back the same', async () => {
    const source = await scratchPostgres('pagila');
    const fresh = await scratchPostgres('pagila_fresh');
    try {
      await withConnection(postgresDialect.connect(source.url), loadPagila);
      const { pulled, declared, plan } = await pullAndPlan(source.url, 'pagila');
      expect(Object.keys(pulled.model.tables).length).toBeGreaterThanOrEqual(15);
      expect(plan.steps.map((s) => s.id)).toEqual([]);
      expect(plan.drift.filter((d) => !d.detail.startsWith('unsupported'))).toEqual([]);
      for (const kept of ['materialized view rental_by_category', 'partitioned table payment', 'trigger last_updated on actor']) {
        expect(pulled.source).toContain(`// unsupported, kept as is: ${kept}`);
      }
      for (const declaredNow of ['enum type mpaa_rating', 'domain year', 'domain bıgınt', 'sequence ']) {
        expect(pulled.source).not.toContain(`// unsupported, kept as is: ${declaredNow}`);
      }
      expect(Object.keys(pulled.model.sequences ?? {})).toHaveLength(13);
      expect(pulled.model.enums).toEqual({ mpaa_rating: { name: 'mpaa_rating', values: ['G', 'PG', 'PG-13', 'R', 'NC-17'] } });
      expect(Object.keys(pulled.model.domains ?? {})).toEqual(['bıgınt', 'year']);
      expect(pulled.source).toContain("'bıgınt': { type: 'bigint' }");
      expect(pulled.source).toContain("actor_actor_id_seq: {}");
      expect(pulled.source).toContain("year: { type: 'int', checks: [{ expression: '((VALUE >= 1901) AND (VALUE <= 2155))' }] }");
      expect(plan.drift.length).toBe(pulled.model.unsupported!.length);

      await expand({ url: fresh.url }, declared);
      await contract({ url: fresh.url }, declared);
      const again = await pull({ url: fresh.url }, { release: 'r1' });
      expect(again.model.tables).toEqual(pulled.model.tables);
      expect(again.model.sequences).toEqual(pulled.model.sequences);
      expect(again.model.domains).toEqual(pulled.model.domains);
      expect(again.model.enums).toEqual(pulled.model.enums);
      expect(declaredPart(again.source)).toBe(declaredPart(pulled.source));
      const [before, after] = await Promise.all([source, fresh].map((db) => withConnection(postgresDialect.connect(db.url), postgresCatalog)));
      expect(after).toEqual(before);

      // The sequences start fresh: nothing drawn yet, and the first insert draws the start value.
      await withConnection(postgresDialect.connect(fresh.url), async (c) => {
        expect(await c.query(`SELECT last_value::int, is_called FROM actor_actor_id_seq`)).toEqual([{ last_value: 1, is_called: false }]);
        const [row] = await c.query<{ actor_id: number }>(`INSERT INTO actor (first_name, last_name) VALUES ('A', 'B') RETURNING actor_id`);
        expect(row!.actor_id).toBe(1);
        expect(await c.query(`SELECT last_value::int, is_called FROM actor_actor_id_seq`)).toEqual([{ last_value: 1, is_called: true }]);
      });
    } finally {
      await source.drop();
      await fresh.drop();
    }
  });
});
