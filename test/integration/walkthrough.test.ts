import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase, type Database } from '../../src/engine.js';
import { targets, type ScratchDatabase } from '../support/scratch-databases.js';
import { ROOT, walkthrough } from '../support/walkthrough.js';

/** On the servers: PGlite runs PostgreSQL's SQL (the postgres run covers it) and would start anew for each of the eight lines. */
describe.each(targets.filter((t) => t.name !== 'pglite'))('the README walkthrough of the instance UUID upgrade, on $name', (target) => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await target.create('walkthrough');
  });
  afterAll(async () => {
    await scratch.drop();
  });

  const withDb = <T>(work: (db: Database) => Promise<T>) => withDatabase(scratch.url, {}, work);
  const query = (sql: string) => withDb((db) => db.conn.query<Record<string, unknown>>(sql));
  const count = async (sql: string) => Number((await query(sql))[0]!.n);
  /** Shadow tables are left out of introspection: the dialect's scan SQL finds them. */
  const shadowExists = (table: string) => withDb(async (db) => (await db.conn.query(db.dialect.scan.shadowColumns(table))).length > 0);

  it('runs line by line with the documented exit codes, archives without loss, and never touches fixed_ips', async () => {
    const steps = walkthrough();
    expect(steps.map((s) => s.line.split(' ').slice(0, 3).join(' '))).toEqual([
      'npm run seed', 'npx dbtide expand', 'npx dbtide migrate', 'npx dbtide contract', 'npx dbtide scan', 'npx dbtide scan', 'npx dbtide contract', 'npx dbtide check',
    ]);
    const outputs: string[] = [];
    let before: { instances: number; children: number; unallocated: unknown[] } | null = null;
    for (const { line, exit } of steps) {
      const run = spawnSync('bash', ['-c', line], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: scratch.url, CI: 'true' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      outputs.push(`${run.stdout}${run.stderr}`);
      expect({ line, status: run.status, output: run.status === exit ? '' : `${run.stdout}\n${run.stderr}` }).toEqual({ line, status: exit, output: '' });
      if (line.startsWith('npm run seed')) {
        before = {
          instances: await count('SELECT count(*) AS n FROM instances'),
          children: await count('SELECT count(*) AS n FROM consoles'),
          unallocated: await query('SELECT id, address FROM fixed_ips WHERE instance_uuid IS NULL ORDER BY id'),
        };
      }
    }
    const [, , , refusal, listing] = outputs;
    expect(refusal).toContain('100 row(s) break "instances.uuid has no NULL", e.g. id=10001');
    expect(refusal).toContain('`dbtide scan --fix archive`');
    expect(listing).toContain('FAIL  (uuid) in instances has no duplicates: 100 row(s)');
    expect(listing).not.toContain('fixed_ips');

    // 1% of 10,000 rows of each kind: 100 NULL uuids + 100 duplicates left instances, no child depended on them.
    expect(await count('SELECT count(*) AS n FROM shadow_instances')).toBe(200);
    expect((await count('SELECT count(*) AS n FROM instances')) + 200).toBe(before!.instances);
    expect((await count('SELECT count(*) AS n FROM consoles')) + (await count('SELECT count(*) AS n FROM shadow_consoles'))).toBe(before!.children);
    expect(await query('SELECT id, address FROM fixed_ips WHERE instance_uuid IS NULL ORDER BY id')).toEqual(before!.unallocated);
    expect(before!.unallocated.length).toBeGreaterThan(0);
    expect(await shadowExists('shadow_fixed_ips')).toBe(false);
  }, 300_000);
});
