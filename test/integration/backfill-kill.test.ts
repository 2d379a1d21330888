import { afterAll, describe, expect, it } from 'vitest';
import { applyPhase } from '../../src/api.js';
import type { Dialect } from '../../src/dialect.js';
import { openDatabase, type Database } from '../../src/engine.js';
import { runCli, startCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { targets } from '../support/scratch-databases.js';
import { series } from '../support/series.js';

// Above the 100,000 rows a backfill is walked in key ranges from, by more than InnoDB's row estimate can be off.
const ROWS = 120_000;

const files = releaseDir();
afterAll(() => files.remove());

const V1 = `import { defineSchema } from 'dbtide';
export default defineSchema({
  release: 'v1',
  tables: { readings: { columns: { id: 'bigint', site: 'int', value: 'int', label: 'text' }, primaryKey: ['id'] } },
});
`;

// value int -> bigint, and label re-encoded into a new column.
const V2 = `import { changeType, defineSchema, derive } from 'dbtide';
import v1 from './v1.ts';
export default defineSchema({
  release: 'v2',
  extends: v1,
  tables: { readings: { columns: { value: 'bigint', tag: { type: 'text', nullable: false } } } },
  transitions: [
    changeType('readings', 'value'),
    derive('readings', { forward: { tag: "concat(upper(label), '#', site)" }, retires: ['label'], reads: ['label', 'site'] }),
  ],
});
`;

/** What the dialects spell differently: session setup with fresh statistics, and a digest of many rows in key order. */
const SQL: Partial<Record<Dialect['name'], { prepare: string[]; digest(expression: string): string }>> = {
  postgres: {
    prepare: ['ANALYZE readings'],
    digest: (e) => `md5(string_agg(${e}, ',' ORDER BY id))`,
  },
  mysql: {
    // GROUP_CONCAT cuts its result at group_concat_max_len (1 KB by default on MySQL).
    prepare: ['ANALYZE TABLE readings', 'SET SESSION group_concat_max_len = 67108864'],
    digest: (e) => `md5(group_concat(${e} ORDER BY id SEPARATOR ','))`,
  },
};

/** Not on the embedded database: the test's connection and the CLI's cannot have it open together. */
describe.each(targets.filter((t) => t.name !== 'pglite'))('a backfill killed with SIGKILL on $name', (target) => {
  const sql = SQL[target.dialect.name]!;

  /** Row count and checksums that must survive the whole transition, whatever happened to the process. */
  async function fingerprint(db: Database, tagExpression: string) {
    const [row] = await db.conn.query<Record<string, unknown>>(
      `SELECT count(*) AS n, sum(value) AS value_sum, ${sql.digest(`concat(id, ':', site, ':', ${tagExpression})`)} AS tags FROM readings`,
    );
    return { rows: Number(row!.n), valueSum: String(row!.value_sum), tags: row!.tags };
  }

  it('resumes on the next run, verifies with 0 mismatches, and keeps every row and value', async () => {
    const scratch = await target.create('kill');
    const v1 = files.write('v1.ts', V1);
    const v2 = files.write('v2.ts', V2);
    const url = ['--url', scratch.url];
    const db = await openDatabase(scratch.url);
    const { conn, dialect } = db;
    try {
      await applyPhase('expand', { url: scratch.url }, v1);
      await conn.query(
        `INSERT INTO readings (id, site, value, label) SELECT g, g % 97, (g * 7919) % 2000000, concat('L', g) FROM ${series(dialect, ROWS)}`,
      );
      for (const statement of sql.prepare) await conn.query(statement);
      const before = await fingerprint(db, "concat(upper(label), '#', site)");
      expect(before.rows).toBe(ROWS);
      await applyPhase('expand', { url: scratch.url }, v2);

      // Small batches, so the kill lands between committed batches of a long backfill.
      const run = startCli(['migrate', '--schema', v2, ...url, '--format', 'json', '--batch-ms', '20']);
      await run.stderrMatches(/"rowsDone":\d{5,}/);
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');

      const [partial] = await conn.query<{ rows_done: string }>('SELECT sum(rows_done) AS rows_done FROM _dbtide_backfills');
      expect(Number(partial!.rows_done)).toBeGreaterThan(0);
      expect(Number(partial!.rows_done)).toBeLessThan(2 * ROWS);
      // The first job is walked in key ranges, each with its checkpoint, cut as the sessions take
      // them: the second one may not be cut yet when the kill lands, and the rerun cuts it then.
      const lanes = await conn.query<{ job_id: string }>("SELECT job_id FROM _dbtide_backfills WHERE job_id LIKE '%#%' ORDER BY job_id");
      expect(['v2:readings:value#1', 'v2:readings:value#1,v2:readings:value#2']).toContain(lanes.map((l) => l.job_id).join());
      const [status] = await conn.query<{ status: string }>('SELECT status FROM _dbtide_runs ORDER BY started_at DESC LIMIT 1');
      expect(status!.status).toBe('running');

      const rerun = await runCli(['migrate', '--schema', v2, ...url]);
      expect(rerun.stderr).toContain('resuming: 1 earlier run(s) stopped before finishing');
      expect(rerun.code).toBe(0);
      const [counted] = await conn.query<{ rows_done: string }>('SELECT sum(rows_done) AS rows_done FROM _dbtide_backfills');
      // Every row once per job: a killed batch rolled back with its checkpoint, so none is counted twice.
      expect(Number(counted!.rows_done)).toBe(2 * ROWS);

      const [mismatches] = await conn.query<{ value: string; tag: string }>(
        `SELECT count(CASE WHEN _dbtide_new_value IS NULL OR _dbtide_new_value <> value THEN 1 END) AS value,
                count(CASE WHEN tag IS NULL OR tag <> concat(upper(label), '#', site) THEN 1 END) AS tag FROM readings`,
      );
      expect({ value: Number(mismatches!.value), tag: Number(mismatches!.tag) }).toEqual({ value: 0, tag: 0 });

      const contracted = await runCli(['contract', '--schema', v2, ...url, '--yes']);
      const conversion = dialect.compiler.cast(dialect.compiler.quote('value'), { kind: 'bigint' });
      expect(contracted.stderr).toContain(`precheck ok   readings._dbtide_new_value filled (no row left empty where ${conversion} is not NULL)`);
      expect(contracted.code).toBe(0);
      expect(await fingerprint(db, 'tag')).toEqual(before);
      expect((await runCli(['check', '--schema', v2, ...url])).code).toBe(0);
    } finally {
      await db.close();
      await scratch.drop();
    }
  });
});
