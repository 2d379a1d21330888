/**
 * Release files the user keeps anywhere, loaded by the CLI itself: outside any package (a release
 * pulled to /tmp), in a CommonJS package, importing each other as TypeScript's NodeNext writes it,
 * and with a syntax error reported at its own line. Planned offline: no server is needed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dbtide-user-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, source: string) => {
  writeFileSync(join(dir, name), source);
  return join(dir, name);
};

describe('release files outside this package', () => {
  it('load from a folder no package.json covers, importing dbtide and each other by their .js names', async () => {
    write('001-base.ts', `import { defineSchema } from 'dbtide';\nexport default defineSchema({ release: '001-base', tables: { hosts: { columns: { id: 'int' } } } });\n`);
    const next = write('002-next.ts', `import { defineSchema } from 'dbtide';\nimport previous from './001-base.js';\nexport default defineSchema({ release: '002-next', extends: previous, tables: { services: { columns: { id: 'int' } } } });\n`);
    const run = await runCli(['plan', '--dialect', 'postgres', '--schema', next], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/create table hosts[\s\S]*create table services/);
  });

  it('load as ES modules in a CommonJS package', async () => {
    write('package.json', JSON.stringify({ name: 'legacy-app', type: 'commonjs' }));
    const file = write('003-cjs.ts', `import { defineSchema } from 'dbtide';\nexport default defineSchema({ release: '003-cjs', tables: { t: { columns: { id: 'int' } } } });\n`);
    const run = await runCli(['plan', '--dialect', 'postgres', '--schema', file], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('report a syntax error at the line of the release file, not inside dbtide or Node', async () => {
    const file = write('004-broken.ts', `import { defineSchema } from 'dbtide';\nexport default defineSchema({ release: '004', tables: {} ;\n`);
    const run = await runCli(['plan', '--dialect', 'postgres', '--schema', file], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: ${file}:2: the release file could not be loaded: Expected "}" but found ";"`);
  });
});
