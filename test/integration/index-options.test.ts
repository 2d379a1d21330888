/**
 * Covering columns (INCLUDE), NULLS NOT DISTINCT and per-key NULLS FIRST/LAST: made by hand,
 * pulled, planned and built again, they stay the same indexes; dropping NULLS NOT DISTINCT is a
 * change the plan shows. MySQL and MariaDB have neither option: a release asking for one is
 * refused before anything runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, planChanges, pull, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { importRelease } from '../../src/declaration/load-schema.js';
import { withDatabase } from '../../src/engine.js';
import type { Plan } from '../../src/plan/step.js';
import { releaseDir } from '../support/release-files.js';
import { mysqlTargets, postgresTargets } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

const HAND_MADE = [
  'CREATE TABLE accounts (id bigint PRIMARY KEY, email text, handle text, tenant_id int, score int, "Display Name" text)',
  'CREATE INDEX accounts_email_cover ON accounts (email) INCLUDE (handle, "Display Name")',
  'CREATE UNIQUE INDEX accounts_handle_nnd ON accounts (handle) NULLS NOT DISTINCT',
  'CREATE INDEX accounts_score_desc ON accounts (score DESC NULLS LAST)',
  'CREATE INDEX accounts_tenant_first ON accounts (tenant_id NULLS FIRST)',
  'CREATE UNIQUE INDEX accounts_tenant_score ON accounts (tenant_id, score) INCLUDE (email) NULLS NOT DISTINCT WHERE score > 0',
  'ALTER TABLE accounts ADD CONSTRAINT accounts_tenant_email_key UNIQUE NULLS NOT DISTINCT (tenant_id, email)',
];

async function sql(url: string, statements: string[]): Promise<void> {
  await withDatabase(url, {}, async ({ conn }) => {
    for (const s of statements) await conn.query(s);
  });
}

/** Every index of the schema as the server writes it, by name, and every unique constraint's definition. */
async function definitions(url: string): Promise<Record<string, string>> {
  return withDatabase(url, {}, async ({ conn }) => {
    const rows = await conn.query<{ name: string; definition: string }>(
      `select c.relname::text as name, pg_catalog.pg_get_indexdef(c.oid) as definition
       from pg_catalog.pg_index i join pg_catalog.pg_class c on c.oid = i.indexrelid
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and not starts_with(c.relname, '_dbtide')
       union all
       select 'constraint ' || conname::text, pg_catalog.pg_get_constraintdef(oid)
       from pg_catalog.pg_constraint where contype = 'u' and connamespace = 'public'::regnamespace`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.definition.replace(/INDEX \S+ ON /, 'INDEX ON ')]));
  });
}

const nothingToDo = (plan: Plan) => ({ steps: plan.steps.map((s) => s.description), drift: plan.drift });

describe.each(postgresTargets)('index options on $name', (target) => {
  it('hand-made indexes pull into a declaration that plans nothing and builds the same indexes on an empty database', async () => {
    const db = await target.create('index_options');
    const fresh = await target.create('index_options_fresh');
    try {
      await sql(db.url, HAND_MADE);
      const { source } = await pull({ url: db.url }, { release: 'pulled-options' });
      expect(source).toMatch(/columns: \['email'\],\s+include: \['handle', 'Display Name'\]/);
      expect(source).toMatch(/name: 'accounts_handle_nnd',\s+columns: \['handle'\],\s+unique: true,\s+nullsNotDistinct: true/);
      expect(source).toContain("columns: ['score DESC NULLS LAST']");
      expect(source).toContain("columns: ['tenant_id NULLS FIRST']");
      expect(source).toMatch(/include: \['email'\],\s+nullsNotDistinct: true/);
      expect(source).toMatch(/name: 'accounts_tenant_email_key',\s+columns: \['tenant_id', 'email'\],\s+nullsNotDistinct: true/);
      const file = files.write(`pulled-options-${target.name}.ts`, source);
      expect(nothingToDo((await planChanges({ url: db.url }, file)).plan)).toEqual({ steps: [], drift: [] });

      await expand({ url: fresh.url }, file);
      await contract({ url: fresh.url }, file);
      expect(nothingToDo((await planChanges({ url: fresh.url }, file)).plan)).toEqual({ steps: [], drift: [] });
      const built = await definitions(fresh.url);
      expect(built).toEqual(await definitions(db.url));
      expect(built.accounts_tenant_score).toBe(
        'CREATE UNIQUE INDEX ON public.accounts USING btree (tenant_id, score) INCLUDE (email) NULLS NOT DISTINCT WHERE (score > 0)',
      );
      expect(built['constraint accounts_tenant_email_key']).toBe('UNIQUE NULLS NOT DISTINCT (tenant_id, email)');
    } finally {
      await db.drop();
      await fresh.drop();
    }
  });

  it('dropping nullsNotDistinct is a redefinition, after which NULLs no longer collide; adding it back is prechecked with NULLs', async () => {
    const db = await target.create('index_options_change');
    const t: Target = { url: db.url };
    try {
      await sql(db.url, HAND_MADE);
      const pulled = await importRelease(files.write(`pulled-change-${target.name}.ts`, (await pull(t, { release: 'pulled-change' })).source));
      const loose = defineSchema({
        release: 'loose',
        extends: pulled,
        tables: { accounts: { indexes: [{ name: 'accounts_handle_nnd', columns: ['handle'], unique: true }] } },
      });
      expect((await planChanges(t, loose)).plan.steps.map((s) => s.id)).toEqual([
        'drop-index:accounts.accounts_handle_nnd',
        'add-index:accounts.accounts_handle_nnd',
      ]);
      await expand(t, loose);
      await contract(t, loose);
      expect(nothingToDo((await planChanges(t, loose)).plan)).toEqual({ steps: [], drift: [] });
      await sql(db.url, ['INSERT INTO accounts (id, tenant_id, handle) VALUES (1, 1, NULL), (2, 2, NULL)']);

      const strict = defineSchema({ release: 'strict', extends: loose, tables: { accounts: { indexes: [{ name: 'accounts_handle_nnd', columns: ['handle'], unique: true, nullsNotDistinct: true }] } } });
      const [, add] = (await planChanges(t, strict)).plan.steps;
      expect(add!.prechecks.map((p) => p.description)).toEqual(['(handle) in accounts has no duplicates (NULLs included)']);
      await expand(t, strict);
      await expect(contract(t, strict)).rejects.toThrow(/prechecks failed; nothing was changed[\s\S]*NULLs included[\s\S]*id=2/);
    } finally {
      await db.drop();
    }
  });
});

describe.each(mysqlTargets)('index options on $name', (target) => {
  it('a release asking for covering columns or NULLS NOT DISTINCT is refused at plan time, naming each; nothing is created', async () => {
    const db = await target.create('index_options');
    const t = { url: db.url };
    try {
      const release = defineSchema({
        release: 'options-my',
        tables: {
          users: {
            columns: { id: 'bigint', email: 'varchar(100)', name: 'varchar(100)' },
            primaryKey: ['id'],
            indexes: [{ columns: ['email'], include: ['name'] }, { name: 'users_name_key', columns: ['name'], unique: true, nullsNotDistinct: true }],
          },
        },
      });
      const refused = planChanges(t, release);
      await expect(refused).rejects.toThrow(/^release options-my declares index options (MariaDB|MySQL) [\d.]+ cannot build; nothing was changed/);
      await expect(refused).rejects.toThrow(/tables\.users\.indexes\.users_email_idx: include \(name\) needs covering columns, which (MariaDB|MySQL) [\d.]+ does not have/);
      await expect(refused).rejects.toThrow(/tables\.users\.indexes\.users_name_key: nullsNotDistinct needs NULLS NOT DISTINCT/);
      await expect(expand(t, release)).rejects.toThrow(/cannot build/);
      expect((await pull(t)).model.tables).toEqual({});
    } finally {
      await db.drop();
    }
  });
});
