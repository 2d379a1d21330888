import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectMysql } from '../../dialects/mysql/driver.js';
import { mysqlRuntime } from '../../dialects/mysql/runtime.js';
import type { Connection } from '../../src/dialect.js';
import { galeraCluster } from '../../dialects/mysql/galera.js';
import { MIGRATIONS } from '../support/chain.js';
import { runCli } from '../support/cli.js';
import { galeraMissing, startGaleraCluster, type GaleraCluster } from '../support/galera-cluster.js';
import { releaseDir } from '../support/release-files.js';

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

  /** Waits (up to 30 s) until every node reports the same checksum for every table. */
  async function checksumsAgree(): Promise<boolean> {
    const tables = await onNode(0, (c) => c.query<{ t: string }>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1"));
    const list = tables.map((r) => `\`${r.t}\``).join(', ');
    for (let i = 0; i < 60; i++) {
      const sums = await Promise.all([0, 1, 2].map((n) => onNode(n, (c) => c.query('CHECKSUM TABLE ' + list)).then((rows) => JSON.stringify(rows.map((r) => Object.values(r as object)[1])))));
      if (sums.every((s) => s === sums[0])) return true;
      await sleep(500);
    }
    return false;
  }
});

/** An application writer on one node: an insert every 10 ms into a table dbtide never touches. */
function writeEvery10ms(url: string, node: number) {
  let running = true;
  const errors: string[] = [];
  let rows = 0;
  const loop = (async () => {
    const conn = await connectMysql(url);
    try {
      while (running) {
        try {
          await conn.query('INSERT INTO app_events (node, at) VALUES (?, NOW(3))', [node]);
          rows++;
        } catch (error) {
          errors.push((error as Error).message);
        }
        await sleep(10);
      }
    } finally {
      await conn.close();
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { rows, errors };
    },
  };
}
