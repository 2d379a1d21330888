/**
 * Indexes with operator classes, collations and sort orders: declared, built, read back and
 * pulled, they stay the same index (the plan is empty and contract rebuilds nothing); on MySQL and
 * MariaDB, which have no operator classes, a release naming one is refused before anything runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contract, expand, planChanges, pull, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { withDatabase } from '../../src/engine.js';
import type { Plan } from '../../src/plan/step.js';
import { releaseDir } from '../support/release-files.js';
import { mysqlTargets, postgresTargets } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

const INDEXES = [
  { columns: ['email varchar_pattern_ops'] },
  { columns: ['lower(email) text_pattern_ops'] },
  // Defaults written out: the server reports these keys without an operator class.
  { columns: ['id int8_ops'] },
  { columns: ['name text_ops DESC'] },
  { columns: ['email ASC NULLS LAST', 'name DESC NULLS FIRST'] },
  { columns: ['name COLLATE "C" text_pattern_ops DESC NULLS LAST'] },
  { columns: ['name NULLS FIRST'] },
  { columns: ['doc jsonb_path_ops'], using: 'gin' },
  { columns: ['doc'], using: 'gin', name: 'users_doc_default_idx' },
];

const release = defineSchema({
  release: 'opclass-1',
  tables: {
    users: {
      columns: { id: 'bigint', email: 'varchar(100)', name: 'text', doc: 'json' },
      primaryKey: ['id'],
      indexes: INDEXES,
    },
  },
});

async function sql(url: string, statements: string[]): Promise<void> {
  await withDatabase(url, {}, async ({ conn }) => {
    for (const s of statements) await conn.query(s);
  });
}

const nothingToDo = (plan: Plan) => ({ steps: plan.steps.map((s) => s.description), drift: plan.drift });

/** Pulls the live schema into a release file and plans that file against the database it came from. */
async function planOfPulled(t: Target, name: string): Promise<{ source: string; plan: Plan }> {
  const { source } = await pull(t, { release: name });
  const file = files.write(`${name}.ts`, source);
  return { source, plan: (await planChanges(t, file)).plan };
}

describe.each(postgresTargets)('index operator classes on $name', (target) => {
  it('declared ones converge: expand builds them, then the plan is empty, contract changes nothing, and pull round-trips', async () => {
    const db = await target.create('opclass');
    const t = { url: db.url };
    try {
      const expanded = await expand(t, release);
      expect(expanded.steps.filter((s) => s.operation === 'add-index')).toHaveLength(INDEXES.length);
      expect(nothingToDo((await planChanges(t, release)).plan)).toEqual({ steps: [], drift: [] });
      expect((await contract(t, release)).steps).toEqual([]);

      const { source, plan } = await planOfPulled(t, 'pulled-declared');
      expect(source).toContain("'email varchar_pattern_ops'");
      expect(source).toContain(String.raw`'name COLLATE "C" text_pattern_ops DESC NULLS LAST'`);
      expect(source).toContain("'doc jsonb_path_ops'");
      // The defaults are left out, as the server reports them.
      expect(source).toContain("columns: ['id']");
      expect(source).toContain("columns: ['email', 'name DESC']");
      expect(nothingToDo(plan)).toEqual({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });

  it('a changed operator class is a changed index: contract rebuilds it once, then nothing', async () => {
    const db = await target.create('opclass_change');
    const t = { url: db.url };
    try {
      await expand(t, release);
      const changed = defineSchema({
        release: 'opclass-2',
        extends: release,
        tables: { users: { indexes: INDEXES.map((i) => (i.columns[0] === 'email varchar_pattern_ops' ? { ...i, name: 'users_email_varchar_pattern_ops_idx', columns: ['email'] } : i)) } },
      });
      const steps = (await planChanges(t, changed)).plan.steps.map((s) => s.id);
      expect(steps).toEqual(['drop-index:users.users_email_varchar_pattern_ops_idx', 'add-index:users.users_email_varchar_pattern_ops_idx']);
      await expand(t, changed);
      await contract(t, changed);
      expect(nothingToDo((await planChanges(t, changed)).plan)).toEqual({ steps: [], drift: [] });
    } finally {
      await db.drop();
    }
  });

  it('indexes made by hand with operator classes pull into a declaration that converges', async () => {
    const db = await target.create('opclass_raw');
    const t = { url: db.url };
    try {
      await sql(db.url, [
        'CREATE TABLE "Accounts" ("Id" bigint PRIMARY KEY, "E mail" varchar(80), handle text, tags text[], doc jsonb)',
        'CREATE INDEX accounts_email_pattern ON "Accounts" ("E mail" varchar_pattern_ops)',
        'CREATE INDEX accounts_handle_lower ON "Accounts" (lower(handle) text_pattern_ops DESC)',
        'CREATE INDEX accounts_handle_c ON "Accounts" (handle COLLATE "C" text_pattern_ops NULLS FIRST)',
        'CREATE INDEX accounts_id_default ON "Accounts" ("Id" int8_ops)',
        'CREATE INDEX accounts_doc_path ON "Accounts" USING gin (doc jsonb_path_ops)',
        'CREATE INDEX accounts_tags ON "Accounts" USING gin (tags array_ops)',
      ]);
      const { source, plan } = await planOfPulled(t, 'pulled-raw');
      expect(source).toContain("'E mail varchar_pattern_ops'");
      expect(source).toContain("'lower(handle) text_pattern_ops DESC'");
      expect(source).toContain(String.raw`'handle COLLATE "C" text_pattern_ops NULLS FIRST'`);
      expect(nothingToDo(plan)).toEqual({ steps: [], drift: [] });
      const file = files.write('pulled-raw-again.ts', source);
      expect((await expand(t, file)).steps).toEqual([]);
      expect((await contract(t, file)).steps).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

describe.each(mysqlTargets)('index operator classes on $name', (target) => {
  it('a release naming one is refused at plan time, naming each entry; nothing is created', async () => {
    const db = await target.create('opclass');
    const t = { url: db.url };
    try {
      const mysqlRelease = defineSchema({
        release: 'opclass-my',
        tables: {
          users: {
            columns: { id: 'bigint', email: 'varchar(100)', name: 'text' },
            primaryKey: ['id'],
            indexes: [{ columns: ['email varchar_pattern_ops'] }, { columns: ['email DESC'], name: 'users_email_desc' }, { columns: ['lower(name) text_ops'] }],
          },
        },
      });
      const refused = planChanges(t, mysqlRelease);
      await expect(refused).rejects.toThrow(/release opclass-my names operator classes in index entries, which MariaDB [\d.]+ does not have|which MySQL/);
      await expect(refused).rejects.toThrow(
        'tables.users.indexes.users_email_varchar_pattern_ops_idx.columns[0]: "email varchar_pattern_ops" names the operator class varchar_pattern_ops',
      );
      await expect(refused).rejects.toThrow('tables.users.indexes.users_lower_name_text_ops_idx.columns[0]: "lower(name) text_ops" names the operator class text_ops');
      await expect(refused).rejects.not.toThrow(/users_email_desc/);
      await expect(expand(t, mysqlRelease)).rejects.toThrow(/operator class/);
      expect((await pull(t)).model.tables).toEqual({});
    } finally {
      await db.drop();
    }
  });
});
