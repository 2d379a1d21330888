import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { mysqlRuntime } from '../../dialects/mysql/runtime.js';
import type { Connection } from '../../src/dialect.js';
import { galeraCluster } from '../../dialects/mysql/galera.js';
import { MIGRATIONS } from '../support/chain.js';
import { runCli, runCommand, startCli } from '../support/cli.js';
import { galeraMissing, startGaleraCluster, type GaleraCluster } from '../support/galera-cluster.js';
import { releaseDir } from '../support/release-files.js';
import { ROOT, walkthrough } from '../support/walkthrough.js';

const missing = galeraMissing();
if (missing) console.error(`[dbtide tests] the Galera suite is skipped: ${missing}`);

const RELEASES = ['001-icehouse', '002-juno', '003-kilo', '004-liberty'].map((r) => join(MIGRATIONS, `${r}.ts`));

/**
 * A three-node MariaDB Galera cluster started for this file: what dbtide knows of it, its run
 * lock across nodes, its refusals, and the example chain with writers on the other nodes.
 */
describe.skipIf(missing !== null)('on a three-node Galera cluster', () => {
  let cluster: GaleraCluster;
  const files = releaseDir();
  const database = 'galera_chain';
  const url = (node: number, db = database) => `${cluster.nodes[node]!.url}${db}`;
  const onNode = async <T>(node: number, work: (conn: Connection) => Promise<T>, db = database) => {
    const conn = await connectMysql(url(node, db));
    try {
      return await work(conn);
    } finally {
      await conn.close();
    }
  };

  beforeAll(async () => {
    cluster = await startGaleraCluster();
    await onNode(0, (c) => c.query(`CREATE DATABASE ${database}`), '');
  }, 240_000);
  afterAll(async () => {
    files.remove();
    await cluster?.stop();
  }, 120_000);

  it('is known as a cluster: plan and status say what it is and what its DDL costs', async () => {
    const found = await onNode(1, (c) => galeraCluster(c));
    expect(found).toMatchObject({ kind: 'Galera', nodes: 3, node: 'node2', state: 'Synced', ddl: 'total-order', ddlSetting: 'wsrep_OSU_method=TOI', needsPrimaryKeys: true });
    const plan = await runCli(['plan', '--url', url(0), '--schema', RELEASES[0]!]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/cluster: Galera cluster of 3 node\(s\), through node1 \(Synced\); DDL replicates in total order \(wsrep_OSU_method=TOI\)/);
    expect(plan.stdout).toMatch(/lock: [^\n]*Galera wsrep_OSU_method=TOI: commits wait on every node/);
    const json = await runCli(['status', '--url', url(2), '--schema', RELEASES[0]!, '--format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ cluster: { kind: 'Galera', nodes: 3, node: 'node3' } });
  });

  it('holds the run lock on every node: a run through another node exits 75, and a dead holder\'s lease expires', async () => {
    const holder = await connectMysql(url(0));
    try {
      const session = { conn: holder, connect: () => connectMysql(url(0)), cluster: await galeraCluster(holder) };
      const held = await mysqlRuntime.tryRunLock(session, 'dbtide:run');
      expect(held).not.toBeNull();
      const second = await runCli(['expand', '--url', url(1), '--schema', RELEASES[0]!, '--wait', '1']);
      expect(second.code, second.stderr).toBe(75);
      expect(second.stderr).toMatch(/another dbtide run holds the lock/);
      await held!.release();
      // A holder killed without releasing leaves its row: once the lease runs out, the next run takes it.
      await holder.query("INSERT INTO _dbtide_run_lock (name, holder, expires_at) VALUES ('dbtide:run', 'gone', NOW(3) - INTERVAL 1 SECOND)");
      const after = await runCli(['plan', '--url', url(2), '--schema', RELEASES[0]!]);
      expect(after.code).toBe(0);
      const taken = await mysqlRuntime.tryRunLock({ ...session, conn: holder }, 'dbtide:run');
      expect(taken).not.toBeNull();
      await taken!.release();
      expect(await holder.query('SELECT * FROM _dbtide_run_lock')).toEqual([]);
    } finally {
      await holder.close();
    }
  });

  it('refuses a table without a primary key before changing anything', async () => {
    const keyless = files.write(
      'keyless.ts',
      `import { defineSchema } from 'dbtide';
export default defineSchema({ release: 'k1', tables: { audit_log: { columns: { at: 'timestamp', note: 'text' } } } });
`,
    );
    const plan = await runCli(['plan', '--url', url(0), '--schema', keyless]);
    expect(plan.stdout).toMatch(/Galera: audit_log has no primary key; expand, migrate and contract refuse the release/);
    const expand = await runCli(['expand', '--url', url(0), '--schema', keyless]);
    expect(expand.code).toBe(1);
    expect(expand.stderr).toMatch(/declares 1 table\(s\) without a primary key, and this Galera cluster cannot replicate their rows safely; nothing was changed: audit_log/);
    expect(expand.stderr).toMatch(/primaryKey: \['id'\]/);
    expect(await onNode(1, (c) => c.query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'audit_log'"))).toEqual([]);
  });

  it('takes the example chain through every phase while the other nodes take writes, and every node ends identical', async () => {
    await onNode(0, (c) => c.query('CREATE TABLE app_events (id bigint AUTO_INCREMENT PRIMARY KEY, node int, at datetime(3))'));
    const writers = [1, 2].map((node) => writeEvery10ms(url(node), node));
    try {
      for (const release of RELEASES) {
        for (const phase of ['expand', 'migrate', 'contract']) {
          const run = await runCli([phase, '--url', url(0), '--schema', release, ...(phase === 'contract' ? ['--yes'] : [])]);
          expect(run.code, `${phase} ${release}: ${run.stderr}`).toBe(0);
        }
      }
    } finally {
      const written = await Promise.all(writers.map((w) => w.stop()));
      for (const w of written) expect(w.errors).toEqual([]);
      const stored = await onNode(0, (c) => c.query<{ node: number; n: number }>('SELECT node, count(*) AS n FROM app_events GROUP BY node ORDER BY node'));
      expect(stored.map((r) => [Number(r.node), Number(r.n)])).toEqual(written.map((w, i) => [i + 1, w.rows]));
    }
    const check = await runCli(['check', '--url', url(2), '--schema', RELEASES.at(-1)!]);
    expect(check.code, check.stdout).toBe(0);
    expect(await checksumsAgree()).toBe(true);
  }, 600_000);

  it('runs the README walkthrough of the instance UUID upgrade through one node, with the documented exit codes, while two others take writes', async () => {
    const db = 'galera_walkthrough';
    await onNode(0, (c) => c.query(`CREATE DATABASE ${db}`), '');
    await onNode(0, (c) => c.query('CREATE DATABASE galera_app'), '');
    await onNode(0, (c) => c.query('CREATE TABLE app_events (id bigint AUTO_INCREMENT PRIMARY KEY, node int, at datetime(3))'), 'galera_app');
    const writers = [1, 2].map((node) => writeEvery10ms(url(node, 'galera_app'), node));
    try {
      for (const { line, exit } of walkthrough()) {
        const run = await runCommand('bash', ['-c', line], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url(0, db), CI: 'true' } });
        expect({ line, code: run.code, output: run.code === exit ? '' : `${run.stdout}\n${run.stderr}` }).toEqual({ line, code: exit, output: '' });
      }
    } finally {
      const written = await Promise.all(writers.map((w) => w.stop()));
      for (const w of written) expect(w.errors).toEqual([]);
      const stored = await onNode(0, (c) => c.query<{ node: number; n: number }>('SELECT node, count(*) AS n FROM app_events GROUP BY node ORDER BY node'), 'galera_app');
      expect(stored.map((r) => [Number(r.node), Number(r.n)])).toEqual(written.map((w, i) => [i + 1, w.rows]));
    }
    // 1% of 10,000 rows each: the NULL and the duplicate uuids moved out of instances.
    const [archived] = await onNode(2, (c) => c.query<{ n: number }>('SELECT count(*) AS n FROM shadow_instances'), db);
    expect(Number(archived!.n)).toBe(200);
    expect(await checksumsAgree(db)).toBe(true);
  }, 600_000);

  it('moves data while other nodes write the same rows, conflicts retried, a second run through another node refused, and resumes after a kill -9 in migrate and in contract', async () => {
    const db = 'galera_moves';
    const { at } = await accountsInstalled(db, 'm1', 30_000);
    const v2 = files.write('m2.ts', `import { changeType, defineSchema } from 'dbtide';
import m1 from './m1.ts';
export default defineSchema({ release: 'm2', extends: m1, tables: { accounts: { columns: { balance: 'bigint', c1: 'int', c2: 'varchar(20)', c3: 'text', c4: 'date' }, indexes: [{ columns: ['c1'] }, { columns: ['c2'] }] } }, transitions: [changeType('accounts', 'balance')] });
`);
    const v3 = files.write('m3.ts', `import { defineSchema } from 'dbtide';
import m2 from './m2.ts';
export default defineSchema({ release: 'm3', extends: m2, tables: { accounts: { removed: { columns: ['c1', 'c2', 'c3', 'c4'], indexes: ['accounts_c1_idx', 'accounts_c2_idx'] } } } });
`);
    const cli = (args: string[], node = 0) => runCli([...args, '--url', at(node)]);
    expect((await cli(['expand', '--schema', v2])).code).toBe(0);

    // The application keeps updating the rows the backfill fills through one node, and inserting
    // rows through another, from migrate to the last contract.
    const writers = [touchRows(at(1), 30_000), insertRows(at(2), 30_000)];
    try {
      const migrate = startCli(['migrate', '--url', at(0), '--schema', v2, '--batch-ms', '5', '--sleep-ms', '200', '--format', 'json']);
      await migrate.stderrMatches(/"type":"progress"/);
      // A second run through another node while the first moves rows: it finds the lock held.
      const rival = await cli(['migrate', '--schema', v2, '--wait', '1'], 1);
      expect(rival.code, rival.stderr).toBe(75);
      expect(rival.stderr).toMatch(/another dbtide run holds the lock/);
      migrate.child.kill('SIGKILL');
      expect((await migrate.done).signal).toBe('SIGKILL');
      const between = await onNode(2, (c) => c.query<{ status: string; rows_done: number }>('SELECT status, rows_done FROM _dbtide_backfills'), db);
      expect(between.map((r) => r.status)).toEqual(['running']);
      const resumed = await cli(['migrate', '--schema', v2], 2);
      expect(resumed.code, resumed.stderr).toBe(0);
      // The type's swap goes through a copy of the table: LOCK TABLES would hold on one node only.
      const plan = await cli(['plan', '--schema', v2, '--format', 'json']);
      const steps = (JSON.parse(plan.stdout) as { steps: { id: string; sql: string[] }[] }).steps;
      expect(steps.map((s) => s.id).slice(0, 4)).toEqual(['create-table-copy:accounts', 'copy-table:accounts', 'swap-table-copy:accounts', 'drop-replaced-table:accounts']);
      expect(steps.flatMap((s) => s.sql).filter((q) => /LOCK TABLES/.test(q))).toEqual([]);
      const contracted = await cli(['contract', '--schema', v2, '--yes']);
      expect(contracted.code, contracted.stderr).toBe(0);
      expect((await cli(['expand', '--schema', v3])).code).toBe(0);
      expect((await cli(['migrate', '--schema', v3])).code).toBe(0);
      // Killed after its first statement committed, contract resumes through another node.
      const contract = startCli(['contract', '--url', at(0), '--schema', v3, '--yes', '--format', 'json']);
      await contract.stderrMatches(/"type":"step-done"/);
      contract.child.kill('SIGKILL');
      expect((await contract.done).signal).toBe('SIGKILL');
      const again = await cli(['contract', '--schema', v3, '--yes'], 1);
      expect(again.code, again.stderr).toBe(0);
    } finally {
      const [touched, inserted] = await Promise.all(writers.map((w) => w.stop()));
      expect([touched!.errors, inserted!.errors]).toEqual([[], []]);
      expect(touched!.rows).toBeGreaterThan(0);
      expect(inserted!.rows).toBeGreaterThan(0);
    }
    expect((await cli(['check', '--schema', v3], 2)).code).toBe(0);
    const [kept] = await onNode(2, (c) => c.query<{ n: number; same: number; type: string }>(
      "SELECT count(*) AS n, sum(balance = id * 3) AS same, (SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'balance') AS type FROM accounts",
    ), db);
    const inserted = Number(kept!.n) - 30_000;
    expect(inserted).toBeGreaterThan(0);
    expect([Number(kept!.same), kept!.type]).toEqual([Number(kept!.n), 'bigint']);
    expect(await checksumsAgree(db)).toBe(true);
  }, 600_000);

  it('holds data work back while a node falls behind, watching every node the cluster lists, and goes on once it has caught up', async () => {
    const { at, v2: p2 } = await typeChangeExpanded('galera_pace', 'readings', 'value', 20_000);
    // A node that stops applying (a backup's read lock desyncs it) sends no flow control: its queue grows.
    const stalled = await connectMysql(at(2));
    try {
      await stalled.query('FLUSH TABLES WITH READ LOCK');
      // No node named: dbtide watches every node the cluster lists.
      const migrate = startCli(['migrate', '--url', at(0), '--schema', p2, '--max-replica-lag', '1000', '--batch-ms', '5', '--format', 'json']);
      await migrate.stderrMatches(/"type":"replica-wait"[^\n]*receive queue holds \d+ write sets/);
      await sleep(1500);
      await stalled.query('UNLOCK TABLES');
      const done = await migrate.done;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stderr).toMatch(/"type":"replica-resumed"/);
      expect(done.stderr).toMatch(/watching the 3 node\(s\) of the Galera cluster: (mysql:\/\/root@127\.0\.0\.1:\d+\/galera_pace(, )?){3}/);
    } finally {
      await stalled.close();
    }
    const [moved] = await onNode(2, (c) => c.query<{ n: number; same: number }>('SELECT count(*) AS n, sum(_dbtide_new_value = value) AS same FROM readings'), 'galera_pace');
    expect([Number(moved!.n), Number(moved!.same)]).toEqual([20_000, 20_000]);
  }, 300_000);

  it('keeps every batch under the write-set limit the node sets (wsrep_max_ws_rows)', async () => {
    const db = 'galera_ws';
    const { at, v2: w2 } = await typeChangeExpanded(db, 'meters', 'reading', 20_000);
    await onNode(0, (c) => c.query('SET GLOBAL wsrep_max_ws_rows = 400'), db);
    try {
      // Batches aiming at a second would hold thousands of rows: the node would refuse them on commit.
      const migrate = await runCli(['migrate', '--url', at(0), '--schema', w2, '--batch-ms', '1000', '--format', 'json']);
      expect(migrate.code, migrate.stderr).toBe(0);
      const batches = migrate.stderr.split('\n').filter((l) => l.includes('"type":"progress"')).map((l) => (JSON.parse(l) as { batchRows: number }).batchRows);
      expect(batches.length).toBeGreaterThan(20_000 / 200 - 1);
      expect(Math.max(...batches)).toBeLessThanOrEqual(200);
    } finally {
      await onNode(0, (c) => c.query('SET GLOBAL wsrep_max_ws_rows = 0'), db);
    }
    expect((await runCli(['contract', '--url', at(1), '--schema', w2, '--yes'])).code).toBe(0);
    const [moved] = await onNode(2, (c) => c.query<{ n: number; same: number }>('SELECT count(*) AS n, sum(reading = id) AS same FROM meters'), db);
    expect([Number(moved!.n), Number(moved!.same)]).toEqual([20_000, 20_000]);
  }, 300_000);

  it('tightens a table through a copy made with its new unique key and check, never building either on the live table', async () => {
    const db = 'galera_tighten';
    await onNode(0, (c) => c.query(`CREATE DATABASE ${db}`), '');
    const t1 = files.write('t1.ts', `import { defineSchema } from 'dbtide';
export default defineSchema({ release: 't1', tables: { items: { columns: { id: 'int', code: 'varchar(20)' }, primaryKey: ['id'] } } });
`);
    const t2 = files.write('t2.ts', `import { defineSchema } from 'dbtide';
import t1 from './t1.ts';
export default defineSchema({ release: 't2', extends: t1, tables: { items: { columns: { code: { type: 'varchar(20)', nullable: false } }, uniques: [{ name: 'items_code_key', columns: ['code'] }], checks: [{ name: 'items_code_ck', expression: "code <> ''" }] } } });
`);
    const at = (node: number) => url(node, db);
    for (const phase of ['expand', 'migrate', 'contract']) expect((await runCli([phase, '--url', at(0), '--schema', t1, '--yes'])).code).toBe(0);
    await onNode(0, (c) => c.query("INSERT INTO items (id, code) SELECT seq, concat('c', seq) FROM seq_1_to_15000"), db);
    await onNode(0, (c) => c.query('ANALYZE TABLE items'), db);
    const plan = await runCli(['plan', '--url', at(0), '--schema', t2, '--format', 'json']);
    const steps = (JSON.parse(plan.stdout) as { steps: { id: string; description: string }[] }).steps;
    expect(steps.map((s) => s.id)).toEqual(['create-table-copy:items', 'copy-table:items', 'swap-table-copy:items', 'drop-replaced-table:items']);
    expect(steps[0]!.description).toMatch(/a copy of items with code NOT NULL and unique items_code_key \(code\) and check items_code_ck/);
    const contract = await runCli(['contract', '--url', at(0), '--schema', t2, '--yes']);
    expect(contract.code, contract.stderr).toBe(0);
    expect((await runCli(['check', '--url', at(1), '--schema', t2])).code).toBe(0);
    await expect(onNode(2, (c) => c.query("INSERT INTO items (id, code) VALUES (20001, 'c1')"), db)).rejects.toThrow(/Duplicate entry 'c1'/);
    await expect(onNode(1, (c) => c.query("INSERT INTO items (id, code) VALUES (20002, '')"), db)).rejects.toThrow(/CONSTRAINT `items_code_ck` failed/);
    expect(await checksumsAgree(db)).toBe(true);
  }, 300_000);

  it("builds a large table's new index on a copy in expand while another node updates its rows", async () => {
    const db = 'galera_index';
    const { at } = await accountsInstalled(db, 'i1', 15_000);
    const i2 = files.write('i2.ts', `import { defineSchema } from 'dbtide';
import i1 from './i1.ts';
export default defineSchema({ release: 'i2', extends: i1, tables: { accounts: { indexes: [{ columns: ['note', 'balance'] }] } } });
`);
    const plan = await runCli(['plan', '--url', at(0), '--schema', i2, '--format', 'json']);
    const steps = (JSON.parse(plan.stdout) as { steps: { id: string; phase: string; lock: { blocksWrites: boolean } }[] }).steps;
    expect(steps.map((s) => `${s.phase} ${s.id.split(':')[0]}`)).toEqual(['expand create-table-copy', 'expand copy-table', 'expand swap-table-copy', 'expand drop-replaced-table']);
    expect(steps.filter((s) => s.lock.blocksWrites)).toEqual([]);
    const writer = touchRows(at(1), 15_000);
    try {
      const expand = await runCli(['expand', '--url', at(0), '--schema', i2]);
      expect(expand.code, expand.stderr).toBe(0);
    } finally {
      const touched = await writer.stop();
      expect(touched.errors).toEqual([]);
    }
    expect((await runCli(['check', '--url', at(2), '--schema', i2])).code).toBe(0);
    const [kept] = await onNode(2, (c) => c.query<{ n: number; same: number }>('SELECT count(*) AS n, sum(balance = id * 3) AS same FROM accounts FORCE INDEX (accounts_note_balance_idx)'), db);
    expect([Number(kept!.n), Number(kept!.same)]).toEqual([15_000, 15_000]);
    expect(await checksumsAgree(db)).toBe(true);
  }, 300_000);

  /** A new database at release `release` (`<release>.ts`): accounts (id, balance, note) holding `rows` rows, balance = id * 3. */
  async function accountsInstalled(db: string, release: string, rows: number) {
    await onNode(0, (c) => c.query(`CREATE DATABASE ${db}`), '');
    const v1 = files.write(`${release}.ts`, `import { defineSchema } from 'dbtide';
export default defineSchema({ release: '${release}', tables: { accounts: { columns: { id: 'int', balance: 'int', note: 'varchar(40)' }, primaryKey: ['id'] } } });
`);
    const at = (node: number) => url(node, db);
    for (const phase of ['expand', 'migrate', 'contract']) expect((await runCli([phase, '--url', at(0), '--schema', v1, '--yes'])).code).toBe(0);
    await onNode(0, (c) => c.query(`INSERT INTO accounts (id, balance, note) SELECT seq, seq * 3, NULL FROM seq_1_to_${rows}`), db);
    await onNode(0, (c) => c.query('ANALYZE TABLE accounts'), db);
    return { at };
  }

  /** A new database whose `table` (id, `column` int) holds `rows` rows, with its next release's change of `column` to bigint expanded. */
  async function typeChangeExpanded(db: string, table: string, column: string, rows: number) {
    await onNode(0, (c) => c.query(`CREATE DATABASE ${db}`), '');
    const v1 = files.write(`${db}_1.ts`, `import { defineSchema } from 'dbtide';
export default defineSchema({ release: '${db}_1', tables: { ${table}: { columns: { id: 'int', ${column}: 'int' }, primaryKey: ['id'] } } });
`);
    const v2 = files.write(`${db}_2.ts`, `import { changeType, defineSchema } from 'dbtide';
import v1 from './${db}_1.ts';
export default defineSchema({ release: '${db}_2', extends: v1, tables: { ${table}: { columns: { ${column}: 'bigint' } } }, transitions: [changeType('${table}', '${column}')] });
`);
    const at = (node: number) => url(node, db);
    for (const phase of ['expand', 'migrate', 'contract']) expect((await runCli([phase, '--url', at(0), '--schema', v1, '--yes'])).code).toBe(0);
    await onNode(0, (c) => c.query(`INSERT INTO ${table} (id, ${column}) SELECT seq, seq FROM seq_1_to_${rows}`), db);
    expect((await runCli(['expand', '--url', at(0), '--schema', v2])).code).toBe(0);
    return { at, v2 };
  }

  /** Waits (up to 30 s) until every node reports the same checksum for every table. */
  async function checksumsAgree(db = database): Promise<boolean> {
    const tables = await onNode(0, (c) => c.query<{ t: string }>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1"), db);
    const list = tables.map((r) => `\`${r.t}\``).join(', ');
    for (let i = 0; i < 60; i++) {
      const sums = await Promise.all([0, 1, 2].map((n) => onNode(n, (c) => c.query('CHECKSUM TABLE ' + list), db).then((rows) => JSON.stringify(rows.map((r) => Object.values(r as object)[1])))));
      if (sums.every((s) => s === sums[0])) return true;
      await sleep(500);
    }
    return false;
  }
});

/** Deadlock: on Galera, also a write that lost certification to another node's; an application retries it. */
const DEADLOCK = 1213;

/** An application on one node: `write` every `everyMs`, until stopped; conflicts counted apart, as applications retry them. */
function appWriter(url: string, everyMs: number, write: (conn: Connection, n: number) => Promise<unknown>) {
  let running = true;
  const errors: string[] = [];
  let rows = 0;
  let conflicts = 0;
  const loop = (async () => {
    const conn = await connectMysql(url);
    try {
      while (running) {
        try {
          await write(conn, rows);
          rows++;
        } catch (error) {
          if ((error as { errno?: number }).errno === DEADLOCK) conflicts++;
          else errors.push((error as Error).message);
        }
        await sleep(everyMs);
      }
    } finally {
      await conn.close();
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { rows, errors, conflicts };
    },
  };
}

/** An insert every 10 ms into a table dbtide never touches. */
const writeEvery10ms = (url: string, node: number) => appWriter(url, 10, (c) => c.query('INSERT INTO app_events (node, at) VALUES (?, NOW(3))', [node]));

/** Updates of random rows of accounts every 5 ms, the balance written again as it stands: the rows the backfill fills. */
const touchRows = (url: string, rows: number) =>
  appWriter(url, 5, (c, n) => c.query('UPDATE accounts SET note = ?, balance = id * 3 WHERE id = ?', [`touched ${n}`, 1 + Math.floor(Math.random() * rows)]));

/** New rows of accounts every 10 ms, after the first `from`, with the balance the other rows hold. */
const insertRows = (url: string, from: number) =>
  appWriter(url, 10, async (c, n) => {
    const id = from + n + 1;
    await c.query("INSERT INTO accounts (id, balance, note) VALUES (?, ?, 'inserted')", [id, id * 3]);
  });
