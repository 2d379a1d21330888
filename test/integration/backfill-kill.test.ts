import { afterAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../dialects/postgres/driver.js';
import type { Connection } from '../../src/dialect.js';
import { runCli, startCli } from '../support/cli.js';
import { releaseDir } from '../support/release-files.js';
import { scratchPostgres } from '../support/scratch-databases.js';

const ROWS = 200_000;

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
    derive('readings', { forward: { tag: "upper(label) || '#' || site" }, retires: ['label'], reads: ['label', 'site'] }),
  ],
});
`;

/** Row count and checksums that must survive the whole transition, whatever happened to the process. */
async function fingerprint(conn: Connection, tagExpression: string) {
  const [row] = await conn.query<Record<string, string>>(
    `SELECT count(*) AS rows, sum(value)::text AS value_sum,
            md5(string_agg(id::text || ':' || site || ':' || ${tagExpression}, ',' ORDER BY id)) AS tags
       FROM readings`,
  );
  return row;
}

describe('a backfill killed with SIGKILL', () => {
  it('resumes on the next run, verifies with 0 mismatches, and keeps every row and value', async () => {
    const scratch = await scratchPostgres('kill');
    const v1 = files.write('v1.ts', V1);
    const v2 = files.write('v2.ts', V2);
    const url = ['--url', scratch.url];
    const conn = await connectPostgres(scratch.url);
    try {
      expect((await runCli(['expand', '--schema', v1, ...url])).code).toBe(0);
      await conn.query(
        `INSERT INTO readings (id, site, value, label) SELECT g, g % 97, (g * 7919) % 2000000, 'L' || g FROM generate_series(1, ${ROWS}) g`,
      );
      await conn.query('ANALYZE readings');
      const before = await fingerprint(conn, "upper(label) || '#' || site");
      expect((await runCli(['expand', '--schema', v2, ...url])).code).toBe(0);

      // Small batches, so the kill lands between committed batches of a long backfill.
      const run = startCli(['migrate', '--schema', v2, ...url, '--format', 'json', '--batch-ms', '20']);
      await run.stderrMatches(/"rowsDone":\d{5,}/);
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');

      const [partial] = await conn.query<{ jobs: string; done: string; rows_done: string }>(
        "SELECT count(*) AS jobs, count(*) FILTER (WHERE status = 'done') AS done, sum(rows_done)::text AS rows_done FROM _dbtide_backfills",
      );
      expect(Number(partial!.rows_done)).toBeGreaterThan(0);
      expect(Number(partial!.rows_done)).toBeLessThan(2 * ROWS);
      const [status] = await conn.query<{ status: string }>('SELECT status FROM _dbtide_runs ORDER BY started_at DESC LIMIT 1');
      expect(status!.status).toBe('running');

      const rerun = await runCli(['migrate', '--schema', v2, ...url]);
      expect(rerun.stderr).toContain('resuming: 1 earlier run(s) stopped before finishing');
      expect(rerun.code).toBe(0);
      const [counted] = await conn.query<{ rows_done: string }>('SELECT sum(rows_done)::text AS rows_done FROM _dbtide_backfills');
      // Every row once per job: a killed batch rolled back with its checkpoint, so none is counted twice.
      expect(Number(counted!.rows_done)).toBe(2 * ROWS);

      const [mismatches] = await conn.query<{ value: string; tag: string }>(
        `SELECT count(*) FILTER (WHERE _dbtide_new_value IS DISTINCT FROM value::bigint) AS value,
                count(*) FILTER (WHERE tag IS DISTINCT FROM upper(label) || '#' || site) AS tag FROM readings`,
      );
      expect(mismatches).toEqual({ value: '0', tag: '0' });

      const contracted = await runCli(['contract', '--schema', v2, ...url, '--yes']);
      expect(contracted.stderr).toContain('precheck ok   every row has readings._dbtide_new_value = CAST("value" AS bigint)');
      expect(contracted.code).toBe(0);
      expect(await fingerprint(conn, 'tag')).toEqual(before);
      expect((await runCli(['check', '--schema', v2, ...url])).code).toBe(0);
    } finally {
      await conn.close();
      await scratch.drop();
    }
  });
});
