import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate } from '../../src/api.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import type { Dialect } from '../../src/dialect.js';
import { withDatabase, type Database } from '../../src/engine.js';
import liberty from '../../migrations/004-liberty.js';
import { seedExample, type SeedReport } from '../../migrations/seed.js';
import { targets, type ScratchDatabase } from '../support/scratch-databases.js';

/** Taken from 004-liberty (the children whose uuid it turns into a foreign key), not from the seeder, so a table the seeder leaves out fails the test. */
const CHILD_TABLES = Object.values(normalizeSchema(liberty).model.tables)
  .filter((t) => t.foreignKeys.some((f) => f.referencedTable === 'instances'))
  .map((t) => t.name);
/** Large enough that the planted counts (rows / 100) are more than one. */
const ROWS = 250;
const SEED = resolve(import.meta.dirname, '../../migrations/seed.ts');

/**
 * A second schema beside the scratch database's own: a PostgreSQL schema inside it (a fresh PGlite
 * directory costs seconds to initialize), a MySQL database next to it, which must be dropped.
 */
const SECOND_SCHEMA: Partial<Record<Dialect['name'], { create: string; drop: string | null }>> = {
  postgres: { create: 'CREATE SCHEMA', drop: null },
  mysql: { create: 'CREATE DATABASE', drop: 'DROP DATABASE IF EXISTS' },
};

/** A server whose port nothing listens on, with a password that must not be printed. */
const UNREACHABLE: Partial<Record<Dialect['name'], string>> = {
  postgres: 'postgres://app:s3cret-pw@127.0.0.1:1/app',
  mysql: 'mysql://app:s3cret-pw@127.0.0.1:1/app',
};

const countOf = async (db: Database, sql: string) => Number((await db.conn.query<{ n: unknown }>(sql))[0]!.n);

/** What the database holds, counted by SQL, in the shape of the report. */
async function measure(db: Database): Promise<Omit<SeedReport, 'release' | 'ms'>> {
  const count = (sql: string) => countOf(db, sql);
  const { quote } = db.dialect.compiler;
  const perChild = async (where: string) => {
    const counts: Record<string, number> = {};
    for (const table of CHILD_TABLES) counts[table] = await count(`SELECT count(*) AS n FROM ${quote(table)} c WHERE ${where}`);
    return counts;
  };
  return {
    rows: {
      instances: await count('SELECT count(*) AS n FROM instances'),
      children: await perChild('1 = 1'),
      fixedIps: await count('SELECT count(*) AS n FROM fixed_ips'),
    },
    planted: {
      nullInstanceUuids: await count('SELECT count(*) AS n FROM instances WHERE uuid IS NULL'),
      duplicateInstanceUuids: await count(
        'SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM instances WHERE uuid IS NOT NULL GROUP BY uuid HAVING count(*) > 1) d',
      ),
      nullChildUuids: await perChild('c.instance_uuid IS NULL'),
      orphanedChildren: await perChild('c.instance_uuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.uuid = c.instance_uuid)'),
      fixedIpsWithoutInstance: await count('SELECT count(*) AS n FROM fixed_ips WHERE instance_uuid IS NULL'),
    },
  };
}

describe.each(targets)('the example seeder on $name', (target) => {
  let scratch: ScratchDatabase;
  let legacy: SeedReport;
  let clean: SeedReport;
  const second = SECOND_SCHEMA[target.dialect.name]!;
  // Named like the scratch databases, as a MySQL database beside them must be.
  const cleanSchema = `dbtide_t_seed_clean_${randomBytes(3).toString('hex')}`;

  const withDb = <T>(work: (db: Database) => Promise<T>, schema?: string) => withDatabase(scratch.url, schema ? { schema } : {}, work);

  // One database, two schemas.
  beforeAll(async () => {
    scratch = await target.create('seed');
    legacy = await seedExample(scratch.url, { rows: ROWS, legacy: true });
    await withDb((db) => db.conn.query(`${second.create} ${db.dialect.compiler.quote(cleanSchema)}`));
    clean = await seedExample(scratch.url, { rows: ROWS, databaseSchema: cleanSchema });
  });
  afterAll(async () => {
    if (second.drop) await withDb((db) => db.conn.query(`${second.drop} ${db.dialect.compiler.quote(cleanSchema)}`));
    await scratch?.drop();
  });

  it('plants with --legacy exactly what its report says', async () => {
    expect(CHILD_TABLES).toHaveLength(11);
    const k = Math.max(1, Math.floor(ROWS / 100));
    expect(legacy.release).toBe('003-kilo');
    expect(legacy.planted.nullInstanceUuids).toBe(k);
    expect(legacy.planted.duplicateInstanceUuids).toBe(k);
    expect(Object.values(legacy.planted.orphanedChildren).every((n) => n === k)).toBe(true);
    expect(Object.values(legacy.planted.nullChildUuids).filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(legacy.planted.fixedIpsWithoutInstance).toBeGreaterThan(0);
    expect(await withDb(measure)).toEqual({ rows: legacy.rows, planted: legacy.planted });
  });

  it('plants nothing without --legacy, apart from unallocated fixed_ips', async () => {
    const none = Object.fromEntries(CHILD_TABLES.map((t) => [t, 0]));
    expect(clean.planted).toEqual({
      nullInstanceUuids: 0,
      duplicateInstanceUuids: 0,
      nullChildUuids: none,
      orphanedChildren: none,
      fixedIpsWithoutInstance: Math.floor(clean.rows.fixedIps / 2),
    });
    expect(await withDb(measure, cleanSchema)).toEqual({ rows: clean.rows, planted: clean.planted });
  });

  it('derives the same uuid-shaped instance uuids from the row numbers on every run', async () => {
    const uuids = (schema?: string) => withDb((db) => db.conn.query<{ id: unknown; uuid: string | null }>('SELECT id, uuid FROM instances ORDER BY id'), schema);
    const [planted, healthy] = [await uuids(), await uuids(cleanSchema)];
    expect(healthy).toHaveLength(ROWS);
    expect(planted.slice(0, ROWS)).toEqual(healthy);
    const shaped = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(planted.filter((r) => r.uuid !== null && !shaped.test(r.uuid))).toEqual([]);
  });

  it('refuses to seed a database that already holds rows, and changes nothing', async () => {
    await expect(seedExample(scratch.url, { rows: ROWS, legacy: true })).rejects.toThrow(/already holds rows .*seeder fills empty tables only/);
    expect(await withDb(measure)).toEqual({ rows: legacy.rows, planted: legacy.planted });
  });

  it('refuses a database at another release (clean data passes 004-liberty, which then holds the schema)', async () => {
    const liberated = { url: scratch.url, databaseSchema: cleanSchema };
    for (const phase of [expand, migrate, contract]) await phase(liberated, liberty);
    await expect(seedExample(scratch.url, { databaseSchema: cleanSchema })).rejects.toThrow(/not at release 003-kilo \(next: expand\)/);
  });
});

describe.each(targets.filter((t) => t.name !== 'pglite'))('npm run seed on $name', (target) => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', SEED, ...args], { env: { ...process.env, DATABASE_URL: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });

  it('prints the report as JSON; a bad --rows or an unreachable server exits 1 with a clear message and no password', async () => {
    const scratch = await target.create('seed_cli');
    try {
      const [seeded, badRows, unreachable] = await Promise.all([
        run(['--url', scratch.url, '--rows', '50', '--legacy', '--format', 'json']),
        run(['--url', scratch.url, '--rows', 'abc']),
        run(['--url', UNREACHABLE[target.dialect.name]!, '--rows', '5']),
      ]);
      expect(seeded.code, seeded.stderr).toBe(0);
      const report = JSON.parse(seeded.stdout) as SeedReport;
      expect(report.rows.instances).toBe(52);
      expect(report.planted.nullInstanceUuids).toBe(1);

      expect(badRows.code).toBe(1);
      expect(badRows.stderr).toMatch(/--rows needs a positive integer, got "abc"/);

      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(/could not connect/);
      expect(unreachable.stderr).not.toMatch(/s3cret-pw/);
    } finally {
      await scratch.drop();
    }
  });
});
