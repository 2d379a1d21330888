/**
 * New embedded databases start from a cached fresh cluster instead of running initdb each time.
 * The cache lives in the temp directory, which each test here points at a directory of its own.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresDialect } from '../../dialects/postgres/index.js';
import { cachedTemplate, templateFile } from '../../dialects/postgres/pglite-template.js';
import type { Connection } from '../../src/dialect.js';

let temp: string;
const savedTmpdir = process.env.TMPDIR;
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'dbtide_template_test_'));
  process.env.TMPDIR = temp;
});
afterEach(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(temp, { recursive: true, force: true });
});

const cached = () => readdirSync(temp).filter((f) => /^dbtide-pglite-.*\.tar$/.test(f));
const tables = (conn: Connection) => conn.query<{ relname: string }>("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1");

async function withPglite<T>(url: string, work: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await postgresDialect.connect(url);
  try {
    return await work(conn);
  } finally {
    await conn.close();
  }
}

describe('PGlite template of a fresh cluster', () => {
  it('is kept by the first new database (readable by its user only) and gives later ones a cluster of their own', async () => {
    const first = join(temp, 'first');
    await withPglite(`pglite:${first}`, (c) => c.query('CREATE TABLE only_in_first (id int)'));
    expect(cached()).toHaveLength(1);
    expect(statSync(join(temp, cached()[0]!)).mode & 0o777).toBe(0o600);

    const second = join(temp, 'second');
    await withPglite(`pglite:${second}`, async (c) => {
      expect(await tables(c)).toEqual([]);
      await c.query('CREATE TABLE only_in_second (id int)');
    });
    await withPglite('pglite:memory', async (c) => expect(await tables(c)).toEqual([]));
    // Reopened, each directory holds what was written to it.
    await withPglite(`pglite:${first}`, async (c) => expect(await tables(c)).toEqual([{ relname: 'only_in_first' }]));
    await withPglite(`pglite:${second}`, async (c) => expect(await tables(c)).toEqual([{ relname: 'only_in_second' }]));
  });

  it('is dropped when it does not load, and the database is made by initdb instead', async () => {
    await withPglite('pglite:memory', async () => {});
    const [file] = cached();
    writeFileSync(join(temp, file!), 'not a tar');
    const dir = join(temp, 'after-damage');
    await withPglite(`pglite:${dir}`, async (c) => expect(await c.query('SELECT 1 AS one')).toEqual([{ one: 1 }]));
    expect(cached()).toEqual([]);
  });

  it('is not used when others may write it', () => {
    writeFileSync(templateFile(), 'planted', { mode: 0o600 });
    expect(cachedTemplate()?.size).toBe('planted'.length);
    chmodSync(templateFile(), 0o666);
    expect(cachedTemplate()).toBeUndefined();
  });
});
