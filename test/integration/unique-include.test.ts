/**
 * A unique constraint with covering columns (PostgreSQL 11+'s UNIQUE (...) INCLUDE (...)) is
 * declared: pulled with its INCLUDE, planned to nothing, built the same on an empty database,
 * and built online on a live table. MySQL and MariaDB have no covering columns: refused at plan.
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

const nothingToDo = (plan: Plan) => ({ steps: plan.steps.map((s) => s.id), drift: plan.drift });

async function uniques(url: string): Promise<Record<string, string>> {
  return withDatabase(url, {}, async ({ conn }) => {
    const rows = await conn.query<{ name: string; definition: string }>(
      `select conname::text as name, pg_catalog.pg_get_constraintdef(oid) as definition
       from pg_catalog.pg_constraint where contype = 'u' and connamespace = 'public'::regnamespace`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.definition]));
  });
}

describe.each(postgresTargets)('unique constraints with INCLUDE on $name', (target) => {
  it('pull keeps the INCLUDE, which plans to nothing and builds the same constraint on an empty database', async () => {
    const db = await target.create('unique_include');
    const fresh = await target.create('unique_include_fresh');
    try {
      await withDatabase(db.url, {}, async ({ conn }) => {
        await conn.query('CREATE TABLE accounts (id bigint PRIMARY KEY, email text, handle text, "Display Name" text)');
        await conn.query('ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email) INCLUDE (handle, "Display Name")');
      });
      const { source } = await pull({ url: db.url }, { release: 'pulled-include' });
      expect(source).toMatch(/columns: \['email'\],\s+include: \['handle', 'Display Name'\]/);
      const file = files.write(`pulled-include-${target.name}.ts`, source);
      expect(nothingToDo((await planChanges({ url: db.url }, file)).plan)).toEqual({ steps: [], drift: [] });
      await expand({ url: fresh.url }, file);
      await contract({ url: fresh.url }, file);
      expect(await uniques(fresh.url)).toEqual({ accounts_email_key: 'UNIQUE (email) INCLUDE (handle, "Display Name")' });

      // Another INCLUDE is another constraint: dropped and built again online, in contract.
      const pulled = await importRelease(file);
      const narrower = defineSchema({ release: 'narrower', extends: pulled, tables: { accounts: { uniques: [{ name: 'accounts_email_key', columns: ['email'], include: ['handle'] }] } } });
      const t: Target = { url: db.url };
      const { plan } = await planChanges(t, narrower);
      expect(plan.steps.map((s) => [s.id, s.phase])).toEqual([
        ['drop-constraint:accounts.accounts_email_key', 'contract'],
        ['add-unique:accounts.accounts_email_key', 'contract'],
      ]);
      expect(plan.steps[1]!.sql[0]).toBe('CREATE UNIQUE INDEX CONCURRENTLY "accounts_email_key" ON "accounts" ("email") INCLUDE ("handle")');
      await expand(t, narrower);
      await contract(t, narrower);
      expect(await uniques(db.url)).toEqual({ accounts_email_key: 'UNIQUE (email) INCLUDE (handle)' });
    } finally {
      await db.drop();
      await fresh.drop();
    }
  });
});

describe.each(mysqlTargets)('unique constraints with INCLUDE on $name', (target) => {
  it('are refused at plan time, naming the key; nothing is created', async () => {
    const db = await target.create('unique_include');
    const t: Target = { url: db.url };
    try {
      const release = defineSchema({
        release: 'include-my',
        tables: { users: { columns: { id: 'bigint', email: 'varchar(100)', name: 'varchar(100)' }, primaryKey: ['id'], uniques: [{ columns: ['email'], include: ['name'] }] } },
      });
      await expect(planChanges(t, release)).rejects.toThrow(
        /cannot build; nothing was changed:\n {2}tables\.users\.uniques\.users_email_key: include \(name\) needs covering columns, which (MariaDB|MySQL) [\d.]+ does not have/,
      );
      expect((await pull(t)).model.tables).toEqual({});
    } finally {
      await db.drop();
    }
  });
});
