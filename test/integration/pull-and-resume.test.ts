import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPhase, planChanges } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { changeType, derive, renameTable } from '../../src/declaration/transitions.js';
import type { Dialect } from '../../src/dialect.js';
import { introspectLive, withDatabase, type Database } from '../../src/engine.js';
import { stepsOf, type Phase, type Step } from '../../src/plan/step.js';
import { probeReadsAndWrites } from '../../src/verify/row-probe.js';
import { runCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { postgresTargets, targets } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

const withDb = <R>(url: string, work: (db: Database) => Promise<R>): Promise<R> => withDatabase(url, {}, work);

async function sql(url: string, statements: string[]): Promise<void> {
  await withDb(url, async ({ conn }) => {
    for (const s of statements) await conn.query(s);
  });
}

/** A schema built by hand, with much the DSL does not model natively, in each dialect's own SQL. */
const HAND_MADE: Partial<Record<Dialect['name'], string[]>> = {
  postgres: [
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
  ],
  mysql: [
    `CREATE TABLE accounts (
       id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
       email varchar(320) NOT NULL,
       \`Display Name\` text,
       mood enum('ok','sad') DEFAULT 'ok',
       flags set('a','b') DEFAULT NULL,
       balance decimal(12,2) NOT NULL DEFAULT 0,
       ratio double,
       seen_at datetime(3),
       created_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
       settings json,
       code char(3),
       bio mediumtext,
       active tinyint(1) NOT NULL DEFAULT 1,
       visits int unsigned NOT NULL DEFAULT 0,
       CONSTRAINT accounts_email_key UNIQUE (email),
       CONSTRAINT balance_nonnegative CHECK (balance >= 0)
     )`,
    'CREATE TABLE sessions (account_id bigint unsigned NOT NULL, token char(36) NOT NULL, started date, PRIMARY KEY (account_id, token))',
    'ALTER TABLE sessions ADD CONSTRAINT sessions_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE',
    'CREATE INDEX accounts_active_recent ON accounts (active, created_at DESC)',
    'CREATE FULLTEXT INDEX accounts_bio_text ON accounts (bio)',
  ],
};

/**
 * Release a and its successor b: a NOT NULL (on PostgreSQL, five statements around a helper
 * check), dual writes (two triggers on MySQL, where DDL cannot share a transaction), type changes
 * (a shadow column swapped in), table renames (the alias view). Each kind comes on several tables,
 * so that stops land at different points of the same sequence.
 */
const NN_TABLES = ['vms1', 'vms2', 'vms3', 'vms4'];
const RENAMES = [['hosts', 'machines'], ['racks', 'shelves']] as const;
const RETYPED = ['gauges1', 'gauges2', 'gauges3'];
const DERIVED = ['people', 'persons'];
const named = { columns: { id: 'int', name: 'varchar(64)' }, primaryKey: ['id'] };
const releaseA = defineSchema({
  release: 'a',
  tables: {
    ...Object.fromEntries(NN_TABLES.map((t) => [t, { columns: { id: 'int', host: 'varchar(64)' }, primaryKey: ['id'] }])),
    ...Object.fromEntries(RENAMES.map(([t]) => [t, { ...named, indexes: [{ columns: ['name'] }] }])),
    ...Object.fromEntries(RETYPED.map((t) => [t, { columns: { id: 'int', level: 'int' }, primaryKey: ['id'] }])),
    ...Object.fromEntries(DERIVED.map((t) => [t, named])),
  },
});
const releaseB = defineSchema({
  release: 'b',
  extends: releaseA,
  tables: {
    ...Object.fromEntries(NN_TABLES.map((t) => [t, { columns: { host: { type: 'varchar(64)', nullable: false } } }])),
    ...Object.fromEntries(RETYPED.map((t) => [t, { columns: { level: 'bigint' } }])),
    ...Object.fromEntries(DERIVED.map((t) => [t, { columns: { label: 'varchar(64)' } }])),
  },
  transitions: [
    ...DERIVED.map((t) => derive(t, { forward: { label: 'upper(name)' }, retires: ['name'] })),
    ...RENAMES.map(([from, to]) => renameTable(from, to)),
    ...RETYPED.map((t) => changeType(t, 'level')),
  ],
});

/** A point a killed run can stop at: after the `after`-th statement of `step`. */
interface Stop {
  step: Step;
  after: number;
}

/**
 * Does by hand what a run of `phase` killed part way leaves. A kill lands between two units: a
 * step that runs in one transaction is one unit, any other step one per statement. Each table
 * stops at its own point, after its first, second, ... unit in turn for tables alike, and runs
 * nothing more. The tables share nothing, so each one is left as a killed run leaves it. Returns
 * where they stopped.
 */
async function stopTables(url: string, phase: Phase): Promise<string[]> {
  const { plan } = await planChanges({ url }, releaseB);
  return withDb(url, async (db) => {
    const steps = stepsOf(plan, phase);
    const units = new Map<string, Stop[]>();
    for (const step of steps) {
      // A step whose statements run together (a type swap under its table lock) cannot stop inside.
      const atomic = (step.transactional && db.caps.transactionalDdl) || step.together === true;
      const ends = step.sql.map((_, i) => i + 1).filter((n) => !atomic || n === step.sql.length);
      units.set(step.table, [...(units.get(step.table) ?? []), ...ends.map((after) => ({ step, after }))]);
    }
    const stops = new Map<string, Stop>();
    const alike = new Map<string, number>();
    for (const [table, list] of units) {
      if (list.length < 2) continue;
      const kind = `${list[0]!.step.operation}/${list.length}`;
      const earlier = alike.get(kind) ?? 0;
      alike.set(kind, earlier + 1);
      const stop = list[earlier % (list.length - 1)]!;
      stops.set(table, stop);
    }
    const stopped = new Set<string>();
    for (const step of steps) {
      if (stopped.has(step.table)) continue;
      const stop = stops.get(step.table);
      const here = stop?.step === step;
      for (const s of step.sql.slice(0, here ? stop.after : undefined)) await db.conn.query(s);
      if (here) stopped.add(step.table);
    }
    return [...stops.values()].map((s) => `${s.step.id} after ${s.after} of ${s.step.sql.length}`);
  });
}

/** Release a, applied, with three rows in every table. */
async function seeded(url: string): Promise<void> {
  await applyPhase('expand', { url }, releaseA);
  await applyPhase('contract', { url }, releaseA);
  const rows = (value: (id: number) => string) => [101, 102, 103].map((id) => `(${id}, ${value(id)})`).join(', ');
  await sql(url, [
    ...[...NN_TABLES, ...RENAMES.map(([t]) => t), ...DERIVED].map((table) => `INSERT INTO ${table} VALUES ${rows((id) => `'h${id}'`)}`),
    ...RETYPED.map((table) => `INSERT INTO ${table} VALUES ${rows((id) => String(id))}`),
  ]);
}

/** Old code reads and writes every table of release a. */
async function oldCodeWorks(db: Database): Promise<void> {
  const old = await probeReadsAndWrites(db.conn, db.dialect, normalizeSchema(releaseA).model, { seed: 1 });
  expect(old.filter((r) => !r.ok)).toEqual([]);
}

/** Old code writes people.name, and the new column follows on insert and on update. */
async function oldWritesReachNewColumns(db: Database): Promise<void> {
  const p = db.dialect.runtime.param;
  await db.conn.query(`INSERT INTO people (id, name) VALUES (${p(1)}, ${p(2)})`, [9001, 'inserted']);
  await db.conn.query(`UPDATE people SET name = ${p(1)} WHERE id = ${p(2)}`, ['updated', 101]);
  const rows = await db.conn.query<{ id: number; label: string }>('SELECT id, label FROM people WHERE id IN (101, 9001) ORDER BY id');
  expect(rows).toEqual([{ id: 101, label: 'UPDATED' }, { id: 9001, label: 'INSERTED' }]);
}

describe.each(targets)('pull and resume on $name', (target) => {
  it('pull of a hand-made schema produces a declaration whose plan against it is empty', async () => {
    const db = await target.create('pull');
    try {
      await sql(db.url, HAND_MADE[target.dialect.name]!);
      const out = join(files.dir, `pulled-${target.name}.ts`);
      const pulled = await runCli(['pull', '--url', db.url, '--out', out]);
      expect(pulled.code, pulled.stderr).toBe(0);
      const plan = await runCli(['plan', '--url', db.url, '--schema', out, '--format', 'json']);
      expect(plan.code, plan.stderr).toBe(0);
      const json = JSON.parse(plan.stdout);
      expect(json.steps).toEqual([]);
      // What dbtide does not model (PostgreSQL's enum type here) is reported as such, nothing else.
      expect(json.drift.filter((d: { detail: string }) => !d.detail.startsWith('unsupported, kept as is: '))).toEqual([]);
      expect((await runCli(['pull', '--url', db.url, '--out', out])).stderr).toMatch(/exists[\s\S]*--force/);
    } finally {
      await db.drop();
    }
  });

  it('an expand and a contract stopped between any two statements resume, and leave nothing of their own behind', async () => {
    const db = await target.create('resume');
    const t = { url: db.url };
    try {
      await seeded(db.url);
      const stops = await stopTables(db.url, 'expand');
      // Nothing a stopped run leaves is unknown to the next one.
      expect((await planChanges(t, releaseB)).plan.drift).toEqual([]);
      await applyPhase('expand', t, releaseB);
      expect(stepsOf((await planChanges(t, releaseB)).plan, 'expand')).toEqual([]);
      await withDb(db.url, async (opened) => {
        await oldCodeWorks(opened);
        await oldWritesReachNewColumns(opened);
      });
      await applyPhase('migrate', t, releaseB);

      stops.push(...(await stopTables(db.url, 'contract')));
      expect((await planChanges(t, releaseB)).plan.drift).toEqual([]);
      await applyPhase('contract', t, releaseB);
      const after = await planChanges(t, releaseB);
      expect(after.plan.steps).toEqual([]);
      expect(after.plan.drift).toEqual([]);

      // Between two steps on every server; inside one only where it is not one transaction.
      expect(stops).toEqual(expect.arrayContaining(target.dialect.name === 'postgres'
        ? [1, 2, 3, 4].map((n) => `set-not-null:vms${n}.host after ${n} of 5`)
          .concat(DERIVED.map((table) => `remove-sync:${table}._dbtide_sync_${table}_label after 4 of 4`))
        : [
            'install-sync:gauges2._dbtide_sync_gauges2_level after 1 of 2',
            // Each trigger under its own name and under the one a table copy gives it (dialects/mysql/trigger-names.ts).
            'remove-sync:people._dbtide_sync_people_label after 1 of 4',
            'remove-sync:persons._dbtide_sync_persons_label after 2 of 4',
            'rename-table:machines after 1 of 4',
            'rename-table:shelves after 2 of 4',
            'drop-alias:machines.hosts after 1 of 2',
          ]));
      await withDb(db.url, async (opened) => {
        const live = await introspectLive(opened);
        expect(live.owned).toMatchObject({ triggers: [], aliases: [] });
        for (const table of NN_TABLES) {
          expect(live.tables[table]!.checks, table).toEqual([]);
          expect(live.tables[table]!.columns.find((c) => c.name === 'host')!.nullable, table).toBe(false);
        }
        const fresh = await probeReadsAndWrites(opened.conn, opened.dialect, normalizeSchema(releaseB).model, { seed: 2 });
        expect(fresh.filter((r) => !r.ok)).toEqual([]);
      });
    } finally {
      await db.drop();
    }
  // Two phases stopped at every statement: dozens of runs, each starting the embedded database.
  }, 180_000);
});

// MySQL has no such state: an online ALTER that fails or is killed rolls back whole (atomic DDL).
describe.each(postgresTargets)('an invalid index on $name', (target) => {
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
});
