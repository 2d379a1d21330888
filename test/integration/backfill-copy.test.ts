/**
 * MariaDB backfills a large table through a copy of it (src/diff/not-null-copies.ts fillBlocker,
 * src/plan/operations/table-copy.ts): migrate under writers of both versions loses no write, the
 * sync triggers are on the table at every moment (they go along with the copy at the swap), a run
 * killed with SIGKILL goes on from where it stopped, and contract finds every row filled.
 */
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { check, contract, expand, migrate, planChanges, type Target } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { changeType } from '../../src/declaration/transitions.js';
import type { Connection } from '../../src/dialect.js';
import { COPY_MIN_ROWS } from '../../src/diff/not-null-copies.js';
import { runCli, startCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { noMariadb, scratchMariadb, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

/** Above COPY_MIN_ROWS, as the server estimates it: a smaller table is updated in place. */
const ROWS = 250_000;
const SHADOW = '_dbtide_new_balance';

const V1 = `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: 'v1',
  tables: { accounts: { columns: { id: 'int', balance: 'int', note: 'text' }, primaryKey: ['id'] } },
});
`;
const V2 = `import { changeType, defineSchema } from 'dbtide';
import v1 from './v1.ts';
export default defineSchema({ release: 'v2', extends: v1, tables: { accounts: { columns: { balance: 'bigint' } } }, transitions: [changeType('accounts', 'balance')] });
`;
const v1 = defineSchema({ release: 'v1', tables: { accounts: { columns: { id: 'int', balance: 'int', note: 'text' }, primaryKey: ['id'] } } });
const v2 = defineSchema({ release: 'v2', extends: v1, tables: { accounts: { columns: { balance: 'bigint' } } }, transitions: [changeType('accounts', 'balance')] });

const withConn = <T>(url: string, work: (conn: Connection) => Promise<T>) => withConnection(connectMysql(url), work);

/** Rows whose shadow does not hold their balance, and the rows. */
const state = (url: string) =>
  withConn(url, async (c) => {
    const [row] = await c.query<{ n: unknown; wrong: unknown; total: unknown }>(
      `SELECT COUNT(*) AS n, SUM(${SHADOW} IS NULL OR ${SHADOW} <> balance) AS wrong, SUM(balance) AS total FROM accounts`,
    );
    return { rows: Number(row!.n), wrong: Number(row!.wrong), total: String(row!.total) };
  });

const triggers = (url: string) =>
  withConn(url, async (c) =>
    (await c.query<{ name: string; t: string }>('SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME')).map(
      (r) => `${r.t}.${r.name}`,
    ),
  );

/** Writes of the old version (balance, note) and of the new (the shadow column, as its version view writes it), until stopped. */
function writers(url: string) {
  let stop = false;
  let errors = 0;
  const messages = new Set<string>();
  const wrote = new Map<number, number | null>();
  const run = (offset: number) =>
    withConn(url, async (c) => {
      for (let i = offset; !stop; i += 2) {
        const id = i % 4 === 3 ? ROWS + 1 + i : 1 + ((i * 7919) % ROWS);
        try {
          if (i % 4 === 0) await c.query('UPDATE accounts SET balance = ? WHERE id = ?', [i, id]);
          else if (i % 4 === 1) await c.query(`UPDATE accounts SET ${SHADOW} = ? WHERE id = ?`, [i, id]);
          else if (i % 4 === 2) await c.query('DELETE FROM accounts WHERE id = ?', [id]);
          else await c.query("INSERT INTO accounts (id, balance, note) VALUES (?, ?, 'w')", [id, i]);
          wrote.set(id, i % 4 === 2 ? null : i);
        } catch (error) {
          errors++;
          messages.add((error as Error).message);
        }
      }
    });
  // And writes to a column no sync reads, on rows the copy may not have reached: they leave the
  // new column empty, and the copy's batch must still fill it.
  const touch = withConn(url, async (c) => {
    for (let i = 0; !stop; i++) {
      try {
        await c.query("UPDATE accounts SET note = concat('touched ', ?) WHERE id = ?", [i, 1 + ((i * 104_729) % ROWS)]);
      } catch (error) {
        errors++;
        messages.add((error as Error).message);
      }
    }
  });
  const done = Promise.all([run(0), run(1), touch]);
  return { wrote, stopped: async () => { stop = true; await done; return { errors, messages: [...messages] }; } };
}

describe.skipIf(noMariadb)('a backfill through a copy of the table on MariaDB', () => {
  const files = releaseDir();
  const scratches: ScratchDatabase[] = [];
  afterAll(async () => {
    for (const s of scratches) await s.drop();
    files.remove();
  });

  /** A fresh database at v1 with ROWS rows, expanded to v2. */
  async function expanded(label: string): Promise<Target> {
    const scratch = await scratchMariadb(label);
    scratches.push(scratch);
    const t = { url: scratch.url };
    for (const phase of [expand, migrate, contract]) await phase(t, v1);
    await withConn(t.url, async (c) => {
      await c.query(`INSERT INTO accounts (id, balance, note) SELECT seq, seq % 1000, 'n' FROM seq_1_to_${ROWS}`);
      await c.query('ANALYZE TABLE accounts');
    });
    await expand(t, v2);
    return t;
  }

  it('migrates under writers of both versions: no write lost, the syncs never off the table, contract finds every row filled', async () => {
    const t = await expanded('fill_copy');
    expect(ROWS).toBeGreaterThan(COPY_MIN_ROWS);
    const planned = await planChanges(t, v2);
    expect(planned.plan.steps.filter((s) => s.phase === 'migrate').map((s) => s.operation)).toEqual(['create-table-copy', 'copy-table', 'swap-table-copy', 'drop-replaced-table']);

    const w = writers(t.url);
    onTestFinished(() => w.stopped().then(() => {}));
    const result = await migrate(t, v2);
    const { errors, messages } = await w.stopped();
    expect(messages).toEqual([]);
    expect(errors).toBe(0);
    expect(w.wrote.size).toBeGreaterThan(20);
    expect(result.steps.map((s) => s.operation)).toEqual(['create-table-copy', 'copy-table', 'swap-table-copy', 'drop-replaced-table']);

    // Every old-version write reached the shadow, through the swap too: the table never lacked the sync.
    const after = await state(t.url);
    expect(after.wrong).toBe(0);
    // The sync's triggers, under the names the copy gave them; the copy's own are gone.
    expect(await triggers(t.url)).toEqual(['accounts._dbtidm_sync_accounts_balance', 'accounts._dbtidm_sync_accounts_balance_update']);
    expect((await check(t, v2)).next).toBe('contract');
    // They are dbtide's: neither drift nor something the server keeps that dbtide does not model.
    const swapPlan = await planChanges(t, v2);
    expect(swapPlan.plan.drift).toEqual([]);
    const rows = await withConn(t.url, (c) => c.query<{ id: number; balance: number }>('SELECT id, balance FROM accounts'));
    const balances = new Map(rows.map((r) => [Number(r.id), Number(r.balance)]));
    for (const [id, value] of w.wrote) expect(balances.get(id) ?? null).toBe(value);

    await contract(t, v2, { confirm: async () => {} });
    expect(await triggers(t.url)).toEqual([]);
    expect((await check(t, v2)).next).toBeNull();
    const [type] = await withConn(t.url, (c) => c.query<{ type: string }>("SELECT DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'balance'"));
    expect(type!.type).toBe('bigint');
  });

  it('killed with SIGKILL while copying, goes on from where it stopped and ends with every row filled and none lost', async () => {
    files.write('v1.ts', V1);
    const schema = files.write('v2.ts', V2);
    const t = await expanded('fill_copy_kill');
    const before = await state(t.url);
    const run = startCli(['migrate', '--schema', schema, '--url', t.url, '--format', 'json', '--batch-ms', '20']);
    await run.stderrMatches(/"step":"copy-table:[^"]*","rowsDone":\d{5,}/);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const halfway = await withConn(t.url, (c) => c.query<{ job_id: string; rows_done: unknown }>("SELECT job_id, rows_done FROM _dbtide_backfills WHERE job_id LIKE 'backfill-copy:accounts%'"));
    expect(halfway.length).toBeGreaterThan(0);

    const rerun = await runCli(['migrate', '--schema', schema, '--url', t.url]);
    expect(rerun.stderr).toContain('resuming: 1 earlier run(s) stopped before finishing');
    expect(rerun.stderr).not.toContain('create-table-copy');
    expect(rerun.code).toBe(0);
    const after = await state(t.url);
    expect(after).toEqual({ ...before, wrong: 0 });
    expect((await runCli(['contract', '--schema', schema, '--url', t.url, '--yes'])).code).toBe(0);
    const [sum] = await withConn(t.url, (c) => c.query<{ total: unknown }>('SELECT SUM(balance) AS total FROM accounts'));
    expect(String(sum!.total)).toBe(before.total);
  });
});
