/**
 * The package as an application team gets it: `npm pack` (which builds dist/), installed into a
 * new application outside this repository, then used the way the README says: the library imported
 * from plain Node, its types checked by the application's strict compiler, `npx dbtide init` and
 * `npx dbtide plan` on the embedded database. Needs the npm registry for the package's dependencies.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface Packed {
  filename: string;
  size: number;
  files: { path: string }[];
}

describe('the packed package, installed into an application', () => {
  const work = mkdtempSync(join(tmpdir(), 'dbtide-package-'));
  const app = join(work, 'app');
  let packed: Packed;
  const inApp = (command: string, args: string[]) => {
    const { DATABASE_URL: _unset, ...env } = process.env;
    const run = spawnSync(command, args, { cwd: app, encoding: 'utf8', env: { ...env, CI: 'true' } });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  beforeAll(() => {
    packed = (JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Packed[])[0]!;
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', join(work, packed!.filename), '--no-audit', '--no-fund'], { cwd: app, stdio: 'ignore' });
  }, 240_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('holds the compiled package and its docs, and no tests, benchmarks, CI, sources or example chain', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['bin/dbtide.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/entry.js', 'dist/dialects/registry.js', 'README.md', 'package.json']));
    const stray = paths.filter((p) => !/^(dist\/(src|dialects)\/|bin\/|docs\/|README\.md$|package\.json$|LICENSE)/.test(p) || /\.test\.|(^|\/)test\//.test(p) || p.endsWith('.ts') && !p.endsWith('.d.ts'));
    expect(stray).toEqual([]);
  });

  it('imports from plain Node, with no TypeScript loader of the application', () => {
    const run = inApp(process.execPath, ['-e', "const m = await import('dbtide'); console.log(typeof m.defineSchema, typeof m.planChanges)", '--input-type=module']);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function function');
  });

  it("type-checks in the application's strict compiler without its @types packages, skipLibCheck off", () => {
    writeFileSync(join(app, 'use.ts'), `import { defineSchema, planChanges, type PlanReport } from 'dbtide';
const schema = defineSchema({ release: '001-initial', tables: { users: { columns: { id: { type: 'bigint', identity: true }, email: 'varchar(255)' }, primaryKey: ['id'] } } });
export const report: Promise<PlanReport> = planChanges({ url: 'pglite:memory' }, schema);
`);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: false, noEmit: true, types: [] },
      include: ['use.ts'],
    }));
    const run = spawnSync(process.execPath, [TSC, '-p', '.'], { cwd: app, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('starts a project with npx dbtide init, then plans it on the embedded database', () => {
    const version = inApp('npx', ['dbtide', '--version']);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    const init = inApp('npx', ['dbtide', 'init']);
    expect({ code: init.code, stderr: init.stderr }).toMatchObject({ code: 0 });
    const plan = inApp('npx', ['dbtide', 'plan', '--url', 'pglite:memory']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Plan for release 001-initial on PostgreSQL/);
  }, 60_000);

  it('loads TypeScript and JavaScript releases from outside any package, importing dbtide from there', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'dbtide-release-'));
    try {
      writeFileSync(join(elsewhere, '001-pulled.ts'), `import { defineSchema } from 'dbtide';\nexport default defineSchema({ release: '001-pulled', tables: { t: { columns: { id: 'int' } } } });\n`);
      const plan = inApp('npx', ['dbtide', 'plan', '--url', 'pglite:memory', '--schema', join(elsewhere, '001-pulled.ts')]);
      expect(plan.stderr).toBe('');
      expect(plan.stdout).toMatch(/^Plan for release 001-pulled/);
      // Plain JavaScript too, extending the TypeScript release by the name TypeScript would give it.
      writeFileSync(join(elsewhere, '002-next.mjs'), `import { defineSchema } from 'dbtide';\nimport previous from './001-pulled.js';\nexport default defineSchema({ release: '002-next', extends: previous, tables: { u: { columns: { id: 'int' } } } });\n`);
      const next = inApp('npx', ['dbtide', 'plan', '--url', 'pglite:memory', '--schema', join(elsewhere, '002-next.mjs')]);
      expect(next.stderr).toBe('');
      expect(next.stdout).toMatch(/^Plan for release 002-next[\s\S]*create table u/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 60_000);
});
