import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { postgresDialect } from '../../dialects/postgres/index.js';
import { loadOnce, type DialectEntry } from '../../dialects/registry.js';
import type { Dialect } from '../../src/dialect.js';
import { DbtideError } from '../../src/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HOOKS = pathToFileURL(resolve(ROOT, 'test/support/record-loads.ts')).href;
const REGISTRY = pathToFileURL(resolve(ROOT, 'dialects/registry.ts')).href;

const DRIVERS = { pg: '/node_modules/pg/', mysql2: '/node_modules/mysql2/', '@electric-sql/pglite': '/node_modules/@electric-sql/pglite/' };

/**
 * The URLs of the modules a fresh Node process loads while it runs `code`, TypeScript compiled by
 * tsx as bin/dbtide.js does, from the repository root so that `dbtide` names this package.
 */
async function modulesLoadedBy(code: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dbtide-loads-'));
  const log = join(dir, 'loaded');
  try {
    const script = [
      `import { register } from 'node:module';`,
      `import { register as compileTypeScript } from 'tsx/esm/api';`,
      `compileTypeScript();`,
      `register(${JSON.stringify(HOOKS)}, { data: { log: ${JSON.stringify(log)} } });`,
      code,
    ].join('\n');
    await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], { cwd: ROOT });
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const driversIn = (urls: string[]) => Object.entries(DRIVERS).filter(([, path]) => urls.some((u) => u.includes(path))).map(([name]) => name);
const dialectModulesIn = (urls: string[]) => urls.flatMap((u) => /\/dialects\/(\w+)\/index\.ts$/.exec(u)?.[1] ?? []);

describe('dialects load when a URL needs them', () => {
  it('importing the package, as a release file does, loads no driver and no dialect', async () => {
    const loaded = await modulesLoadedBy(`await import('dbtide');`);
    expect(loaded).toContain(pathToFileURL(resolve(ROOT, 'src/index.ts')).href);
    expect(driversIn(loaded)).toEqual([]);
    expect(dialectModulesIn(loaded)).toEqual([]);
  });

  it('a MySQL URL loads the MySQL dialect and mysql2, not PostgreSQL or its drivers', async () => {
    const loaded = await modulesLoadedBy(`const { dialectFor } = await import(${JSON.stringify(REGISTRY)}); await dialectFor('mysql://127.0.0.1:3306/x');`);
    expect(dialectModulesIn(loaded)).toEqual(['mysql']);
    expect(driversIn(loaded)).toEqual(['mysql2']);
  });
});

describe('a dialect that fails to load', () => {
  const entry = (load: () => Promise<Dialect>): DialectEntry => ({ name: 'flaky' as Dialect['name'], accepts: () => false, load, drivers: ['flaky-driver'] });

  it('says which package to install, and is tried again by the next URL that needs it', async () => {
    const missing = Object.assign(new Error("Cannot find package 'flaky-driver'"), { code: 'ERR_MODULE_NOT_FOUND' });
    let attempts = 0;
    const flaky = entry(async () => {
      attempts++;
      if (attempts === 1) throw missing;
      return postgresDialect;
    });
    const failed = await loadOnce(flaky).catch((e: unknown) => e as DbtideError);
    expect(failed).toBeInstanceOf(DbtideError);
    expect(failed).toMatchObject({ message: expect.stringContaining("Cannot find package 'flaky-driver'"), hint: expect.stringContaining('npm install flaky-driver') });
    expect(await loadOnce(flaky)).toBe(postgresDialect);
    expect(await loadOnce(flaky)).toBe(postgresDialect);
    expect(attempts).toBe(2);
  });
});
