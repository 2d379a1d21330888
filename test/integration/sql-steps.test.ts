import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPhase, check, planChanges } from '../../src/api.js';
import { loadSchemaFile } from '../../src/declaration/load-schema.js';
import { withDatabase, type Database } from '../../src/engine.js';
import { PolicyViolation } from '../../src/execute/statement-guard.js';
import type { SqlStep } from '../../src/model/transition.js';
import { PHASES, stepsOf } from '../../src/plan/step.js';
import { runInProcess } from '../support/in-process-cli.js';
import { releaseDir } from '../support/release-files.js';
import { targets, type ScratchDatabase } from '../support/scratch-databases.js';

const files = releaseDir();
afterAll(() => files.remove());

/** What the plan says of raw steps; the views they make are reported on their own, as objects dbtide does not model. */
const rawDrift = (drift: { object: string }[]) => drift.filter((d) => d.object.startsWith('raw step '));

// The view's SQL is the same on every dialect: a join and a condition, so no server reads it as
// the alias view of a renamed table.
const VIEW = 'CREATE VIEW big_orders AS SELECT o.id, o.total, a.status FROM orders o JOIN accounts a ON a.id = o.account_id WHERE o.total > 100';

const V1 = files.write(
  'v1.ts',
  `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: 'v1',
  tables: { accounts: { columns: { id: 'int', email: 'varchar(100)' }, primaryKey: ['id'] } },
});
`,
);

/** The view reads a table and a column this release creates, in the same expand. */
const v2 = (up: string) =>
  `import { defineSchema, sql } from 'dbtide';
import v1 from './v1.ts';
export default defineSchema({
  release: 'v2',
  extends: v1,
  tables: {
    accounts: { columns: { status: 'int' } },
    orders: { columns: { id: 'int', account_id: 'int', total: 'int' }, primaryKey: ['id'] },
  },
  transitions: [sql({ phase: 'expand', description: 'create view big orders', up: ${JSON.stringify(up)}, down: 'DROP VIEW big_orders' })],
});
`;
const V2 = files.write('v2.ts', v2(VIEW));
const V2_EDITED = files.write('v2-edited.ts', v2(`${VIEW} AND o.total < 1000`));

const V3 = files.write(
  'v3.ts',
  `import { defineSchema, sql } from 'dbtide';
import v2 from './v2.ts';
export default defineSchema({
  release: 'v3',
  extends: v2,
  transitions: [sql({ phase: 'contract', description: 'drop view big orders', up: 'DROP VIEW big_orders' })],
});
`,
);

const V4 = files.write(
  'v4.ts',
  `import { defineSchema, sql } from 'dbtide';
import v3 from './v3.ts';
export default defineSchema({
  release: 'v4',
  extends: v3,
  tables: { audit: { columns: { id: 'int' }, primaryKey: ['id'] } },
  transitions: [sql({ phase: 'expand', description: 'drop accounts', up: ['CREATE VIEW audit_all AS SELECT id FROM audit WHERE id > 0', 'DROP TABLE accounts'] })],
});
`,
);

/** A custom index built online, as each dialect says it: PostgreSQL's build cannot run in a transaction. */
const ONLINE_INDEX: Record<string, string> = {
  postgres: 'CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total)',
  mysql: 'CREATE INDEX orders_total_idx ON orders (total) ALGORITHM=INPLACE LOCK=NONE',
};

const v5 = (dialect: string) =>
  files.write(
    `v5-${dialect}.ts`,
    `import { defineSchema, sql } from 'dbtide';
import v3 from './v3.ts';
export default defineSchema({
  release: 'v5',
  extends: v3,
  transitions: [sql({ phase: 'expand', description: 'orders total index', up: ${JSON.stringify(ONLINE_INDEX[dialect])} })],
});
`,
  );

describe.each(targets)('raw SQL steps on $name', (target) => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await target.create('sql_steps');
  });
  afterAll(async () => scratch?.drop());

  const t = () => ({ url: scratch.url });
  const withDb = <T>(work: (db: Database) => Promise<T>) => withDatabase(scratch.url, {}, work);
  const rows = <T>(sql: string, params: unknown[] = []) => withDb((db) => db.conn.query<T>(sql, params));
  const relations = async () => (await withDb((db) => db.dialect.introspect(db.conn))).tables;
  const viewExists = async () => {
    try {
      await rows('SELECT count(*) AS n FROM big_orders');
      return true;
    } catch {
      return false;
    }
  };
  const runAll = async (file: string) => {
    for (const phase of PHASES) await applyPhase(phase, t(), file);
  };

  it('v1 applies; an older ledger, without the raw steps table, is read without error', async () => {
    await runAll(V1);
    await withDb((db) => db.conn.query('DROP TABLE _dbtide_sql_steps'));
    const { plan } = await planChanges(t(), V2);
    expect(plan.steps.map((s) => `${s.phase} ${s.id}`)).toEqual([
      'expand create-table:orders',
      'expand add-column:accounts.status',
      'expand sql:create-view-big-orders',
    ]);
    const step = plan.steps.at(-1)!;
    expect(step).toMatchObject({ sql: [VIEW], destructive: false, raw: { down: ['DROP VIEW big_orders'] } });
    expect(step.lock).toMatchObject({ level: expect.stringMatching(/^unknown/), blocksWrites: true });
    expect(plan.warnings).toEqual([expect.stringMatching(/^sql:create-view-big-orders: raw SQL; dbtide cannot tell what it locks/)]);
  });

  it('an expand raw step creates a view over a table and a column of the same expand, once, journaled and recorded', async () => {
    const expanded = await applyPhase('expand', t(), V2);
    expect(expanded.steps.map((s) => s.id)).toContain('sql:create-view-big-orders');
    await withDb(async (db) => {
      const p = db.dialect.runtime.param;
      await db.conn.query(`INSERT INTO accounts (id, email, status) VALUES (${p(1)}, ${p(2)}, ${p(3)})`, [1, 'a@example.com', 7]);
      await db.conn.query(`INSERT INTO orders (id, account_id, total) VALUES (1, 1, 50), (2, 1, 500)`);
    });
    expect((await rows<{ id: number; status: number }>('SELECT id, status FROM big_orders')).map((r) => [Number(r.id), Number(r.status)])).toEqual([[2, 7]]);

    const journal = await rows<{ statement_index: number; status: string }>(
      "SELECT statement_index, status FROM _dbtide_journal WHERE step_id = 'sql:create-view-big-orders'",
    );
    expect(journal.map((j) => [Number(j.statement_index), j.status])).toEqual([[0, 'done']]);
    const declared = (await loadSchemaFile(V2)).transitions.find((x): x is SqlStep => x.kind === 'sql')!;
    const recorded = await withDb((db) =>
      db.conn.query<{ release: string; step_id: string; up_hash: string }>(`SELECT ${db.dialect.compiler.quote('release')}, step_id, up_hash FROM _dbtide_sql_steps`),
    );
    expect(recorded).toEqual([{ release: 'v2', step_id: 'sql:create-view-big-orders', up_hash: declared.hash }]);
  });

  it('is not planned again: a second expand is a no-op, and plan shows nothing pending', async () => {
    expect((await applyPhase('expand', t(), V2)).steps).toEqual([]);
    const { plan } = await planChanges(t(), V2);
    expect(plan.steps).toEqual([]);
    expect(rawDrift(plan.drift)).toEqual([]);
    for (const phase of ['migrate', 'contract'] as const) expect((await applyPhase(phase, t(), V2)).steps).toEqual([]);
    expect((await check(t(), V2)).exitCode).toBe(0);
  });

  it('an up edited after it ran is drift, never run again', async () => {
    const { plan } = await planChanges(t(), V2_EDITED);
    expect(plan.steps).toEqual([]);
    expect(rawDrift(plan.drift)).toEqual([{ table: '', object: 'raw step sql:create-view-big-orders', detail: expect.stringMatching(/^ran with different SQL/) }]);
    expect((await applyPhase('expand', t(), V2_EDITED)).steps).toEqual([]);
  });

  it('a contract raw step DROP VIEW runs in contract only, listed by the confirmation as a drop', async () => {
    const { plan } = await planChanges(t(), V3);
    expect(plan.steps.map((s) => `${s.phase} ${s.id} ${s.destructive}`)).toEqual(['contract sql:drop-view-big-orders true']);
    expect(stepsOf(plan, 'expand')).toEqual([]);
    for (const phase of ['expand', 'migrate'] as const) expect((await applyPhase(phase, t(), V3)).steps).toEqual([]);
    expect(await viewExists()).toBe(true);

    const unconfirmed = await runInProcess(['contract', '--url', scratch.url, '--schema', V3]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toMatch(/contract would drop 1 object\(s\):\n {2}- raw SQL: drop view big orders/);
    expect(await viewExists()).toBe(true);

    const contracted = await applyPhase('contract', t(), V3);
    expect(contracted.steps.map((s) => s.id)).toEqual(['sql:drop-view-big-orders']);
    expect(await viewExists()).toBe(false);
    for (const phase of PHASES) expect((await applyPhase(phase, t(), V3)).steps).toEqual([]);
  });

  it('an expand raw step with DROP TABLE is refused by plan and by expand, and nothing changes', async () => {
    const before = Object.keys(await relations()).sort();
    const runsBefore = await rows<{ n: unknown }>('SELECT count(*) AS n FROM _dbtide_runs');
    await expect(planChanges(t(), V4)).rejects.toThrow(PolicyViolation);
    await expect(applyPhase('expand', t(), V4)).rejects.toMatchObject({
      name: 'PolicyViolation',
      phase: 'expand',
      statement: 'DROP TABLE accounts',
      rawStep: 'sql:drop-accounts',
    });
    expect(Object.keys(await relations()).sort()).toEqual(before);
    expect(before).toContain('accounts');
    expect(await rows<{ n: unknown }>('SELECT count(*) AS n FROM _dbtide_runs')).toEqual(runsBefore);

    const cli = await runInProcess(['plan', '--url', scratch.url, '--schema', V4]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/error: refused: raw step sql:drop-accounts: a destructive statement may not run in expand/);
    expect(cli.stderr).toMatch(/hint: declare sql:drop-accounts with phase: 'contract'/);
  });

  it('an online index build runs as its dialect says it, outside a transaction where it must', async () => {
    const file = v5(target.dialect.name);
    const expanded = await applyPhase('expand', t(), file);
    expect(expanded.steps.map((s) => s.id)).toEqual(['sql:orders-total-index']);
    expect((await relations()).orders!.indexes.map((i) => i.name)).toEqual(['orders_total_idx']);
    expect((await applyPhase('expand', t(), file)).steps).toEqual([]);
  });

  it('plan --format json shows down on the raw step', async () => {
    const other = await target.create('sql_steps_json');
    try {
      const out = await runInProcess(['plan', '--url', other.url, '--schema', V2, '--format', 'json']);
      expect(out.code).toBe(0);
      const step = (JSON.parse(out.stdout) as { steps: { id: string; down?: string[] }[] }).steps.find((s) => s.id === 'sql:create-view-big-orders');
      expect(step?.down).toEqual(['DROP VIEW big_orders']);
    } finally {
      await other.drop();
    }
  });
});
