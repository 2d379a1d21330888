import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPhase, planChanges } from '../../src/api.js';
import { connectPglite, connectPostgres } from '../../dialects/postgres/driver.js';
import type { Connection } from '../../src/dialect.js';
import { notNullCheckName } from '../../src/plan/owned-names.js';
import { runCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { postgresTargets } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

const connect = (url: string): Promise<Connection> => (url.startsWith('pglite:') ? connectPglite(url) : connectPostgres(url));

async function sql(url: string, statements: string[]): Promise<void> {
  const conn = await connect(url);
  try {
    for (const s of statements) await conn.query(s);
  } finally {
    await conn.close();
  }
}

/** A schema built by hand, with much the DSL does not model natively. */
const HAND_MADE = [
  "CREATE TYPE mood AS ENUM ('ok', 'sad')",
  `CREATE TABLE accounts (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     email varchar(320) NOT NULL,
     "Display Name" text,
     ip inet,
     tags text[] DEFAULT '{}'::text[],
     mood mood DEFAULT 'ok',
     balance numeric(12,2) NOT NULL DEFAULT 0,
     ratio double precision,
     seen_at timestamp(3) without time zone,
     created_at timestamptz NOT NULL DEFAULT now(),
     settings jsonb DEFAULT '{}'::jsonb,
     code char(3),
     active boolean NOT NULL DEFAULT true,
     CONSTRAINT accounts_email_key UNIQUE (email),
     CONSTRAINT balance_nonnegative CHECK (balance >= 0)
   )`,
  'CREATE TABLE sessions (account_id bigint NOT NULL, token uuid NOT NULL, started date, PRIMARY KEY (account_id, token))',
  'ALTER TABLE sessions ADD CONSTRAINT sessions_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE',
  'CREATE INDEX accounts_lower_email ON accounts (lower(email))',
  'CREATE INDEX accounts_active_recent ON accounts (created_at DESC) WHERE active',
  'CREATE INDEX accounts_settings_gin ON accounts USING gin (settings)',
];

describe.each(postgresTargets)('pull and resume on $name', (target) => {
  it('pull of a hand-made schema produces a declaration whose plan against it is empty', async () => {
    const db = await target.create('pull');
    try {
      await sql(db.url, HAND_MADE);
      const out = join(files.dir, `pulled-${target.name}.ts`);
      const pulled = await runCli(['pull', '--url', db.url, '--out', out]);
      expect(pulled.code, pulled.stderr).toBe(0);
      const plan = await runCli(['plan', '--url', db.url, '--schema', out, '--format', 'json']);
      expect(plan.code, plan.stderr).toBe(0);
      const json = JSON.parse(plan.stdout);
      expect(json.steps).toEqual([]);
      expect(json.drift).toEqual([]);
      expect((await runCli(['pull', '--url', db.url, '--out', out])).stderr).toMatch(/exists[\s\S]*--force/);
    } finally {
      await db.drop();
    }
  });

  it('an index left INVALID by a failed online build is rebuilt in place by expand', async () => {
    const db = await target.create('invalid_index');
    try {
      const schema = files.write(
        `indexed-${target.name}.ts`,
        `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: 'indexed',
  tables: { items: { columns: { id: 'int', sku: 'varchar(20)' }, primaryKey: ['id'], indexes: [{ columns: ['sku'] }] } },
});
`,
      );
      await applyPhase('expand', { url: db.url }, schema);
      await sql(db.url, ["UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'items_sku_idx'::regclass"]);
      const { plan } = await planChanges({ url: db.url }, schema);
      expect(plan.steps.map((s) => [s.phase, s.sql])).toEqual([['expand', ['REINDEX INDEX CONCURRENTLY "items_sku_idx"']]]);
      await applyPhase('expand', { url: db.url }, schema);
      expect((await planChanges({ url: db.url }, schema)).plan.steps).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('a contract stopped inside the NOT NULL sequence resumes and leaves nothing of its own behind', async () => {
    const db = await target.create('resume_nn');
    try {
      const base = files.write(
        `nn-base-${target.name}.ts`,
        `import { defineSchema } from 'dbtide';
export default defineSchema({ release: 'a', tables: { vms: { columns: { id: 'int', host: 'varchar(64)' }, primaryKey: ['id'] } } });
`,
      );
      const tight = files.write(
        `nn-tight-${target.name}.ts`,
        `import { defineSchema } from 'dbtide';
import base from './nn-base-${target.name}.js';
export default defineSchema({ extends: base, release: 'b', tables: { vms: { columns: { host: { type: 'varchar(64)', nullable: false } } } } });
`,
      );
      await applyPhase('expand', { url: db.url }, base);
      const helper = notNullCheckName('vms', 'host');
      // What a run killed after its first two statements leaves: the helper check, unvalidated.
      await sql(db.url, [
        "INSERT INTO vms (id, host) VALUES (1, 'a'), (2, 'b')",
        `ALTER TABLE vms ADD CONSTRAINT "${helper}" CHECK (host IS NOT NULL) NOT VALID`,
      ]);
      const before = await planChanges({ url: db.url }, tight);
      expect(before.plan.drift).toEqual([]);
      await applyPhase('contract', { url: db.url }, tight);
      const after = await planChanges({ url: db.url }, tight);
      expect(after.plan.steps).toEqual([]);
      expect(after.plan.drift).toEqual([]);
      // Killed between SET NOT NULL and the final drop: the leftover helper is dropped by the next contract.
      await sql(db.url, [`ALTER TABLE vms ADD CONSTRAINT "${helper}" CHECK (host IS NOT NULL)`]);
      const leftover = await planChanges({ url: db.url }, tight);
      expect(leftover.plan.steps.map((s) => [s.phase, s.id])).toEqual([['contract', `drop-constraint:vms.${helper}`]]);
      await applyPhase('contract', { url: db.url }, tight);
      expect((await planChanges({ url: db.url }, tight)).plan.steps).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
