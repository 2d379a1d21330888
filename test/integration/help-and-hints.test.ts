/**
 * What the CLI tells an operator on the way: help texts that say what each option does for that
 * command, and repair hints that offer the gentlest fix first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPhase } from '../../src/api.js';
import { withDatabase } from '../../src/engine.js';
import { PHASES } from '../../src/plan/step.js';
import { runInProcess as run } from '../support/in-process-cli.js';
import { releaseDir } from '../support/release-files.js';
import { noPostgres, scratchPostgres, type ScratchDatabase } from '../support/scratch-databases.js';

describe('help', () => {
  it('says what --yes confirms in each phase', async () => {
    // Commander wraps help to the terminal's width.
    const help = async (phase: string) => (await run([phase, '--help'])).stdout.replace(/\s+/g, ' ');
    expect(await help('contract')).toContain('--yes confirm, without a prompt, dropping the objects the release marks as removed');
    expect(await help('expand')).toContain('--yes accepted for scripts; expand removes nothing the old version uses, so it never asks');
    expect(await help('migrate')).toContain('--yes accepted for scripts; migrate removes nothing, so it never asks');
  });

  it('pull offers no release file to apply, and names the config option', async () => {
    const help = (await run(['pull', '--help'])).stdout;
    expect(help).not.toContain('--schema');
    expect(help).toContain('--config <file>');
    expect(help).toContain('--out <file>');
  });
});

describe.skipIf(noPostgres)('repair hints', () => {
  const files = releaseDir();
  let scratch: ScratchDatabase;
  const v1 = files.write('001-v1.ts', `import { defineSchema } from 'dbtide';
export default defineSchema({ release: '001-v1', tables: { t: { columns: { id: 'int', state: 'text', owner: 'int' }, primaryKey: ['id'] } } });
`);
  const v2 = files.write('002-v2.ts', `import { defineSchema } from 'dbtide';
import previous from './001-v1.js';
export default defineSchema({ extends: previous, release: '002-v2', tables: { t: { columns: { state: { type: 'text', nullable: false, default: 'new' } } } } });
`);
  const v3 = files.write('003-v3.ts', `import { defineSchema } from 'dbtide';
import previous from './002-v2.js';
export default defineSchema({ extends: previous, release: '003-v3', tables: { t: { columns: { owner: { type: 'int', nullable: false } } } } });
`);
  beforeAll(async () => {
    scratch = await scratchPostgres('hints');
    for (const phase of PHASES) await applyPhase(phase, { url: scratch.url }, v1);
    await withDatabase(scratch.url, {}, (db) => db.conn.query("INSERT INTO t (id, state, owner) VALUES (1, NULL, 1), (2, 'done', NULL)"));
  });
  afterAll(async () => {
    await scratch?.drop();
    files.remove();
  });

  it('NULLs in a column with a declared default: --fix set-default comes first', async () => {
    await applyPhase('expand', { url: scratch.url }, v2);
    const contract = await run(['contract', '--url', scratch.url, '--schema', v2, '--yes']);
    expect(contract.code).toBe(1);
    expect(contract.stderr).toMatch(/hint: list them: `dbtide scan --table t`; repair: `dbtide scan --table t --fix set-default` fills the NULLs with the declared defaults; `dbtide scan --table t --fix archive` moves the rows instead/);
  });

  it('NULLs in a column without a default: --fix archive', async () => {
    const contract = await run(['contract', '--url', scratch.url, '--schema', v3, '--yes']);
    expect(contract.code).toBe(1);
    expect(contract.stderr).toContain('repair: `dbtide scan --table t --fix archive` moves them (and the rows that depend on them)');
    expect(contract.stderr).not.toContain('set-default');
  });
});

describe.skipIf(noPostgres)('confirmation', () => {
  const files = releaseDir();
  let scratch: ScratchDatabase;
  const r1 = files.write('r1.ts', `import { defineSchema } from 'dbtide';
export default defineSchema({ release: 'r1', tables: { t: { columns: { id: { type: 'int', identity: true }, name: { type: 'text', nullable: false }, age: 'int' }, primaryKey: ['id'], checks: [{ name: 't_age_check', expression: 'age > 0' }] } } });
`);
  const r2 = files.write('r2.ts', `import { defineSchema } from 'dbtide';
import previous from './r1.js';
export default defineSchema({ extends: previous, release: 'r2', tables: { t: { columns: { name: 'text' }, removed: { constraints: ['t_age_check'], columns: ['age'] } } } });
`);
  beforeAll(async () => {
    scratch = await scratchPostgres('confirm');
    await applyPhase('expand', { url: scratch.url }, r1);
  });
  afterAll(async () => {
    await scratch?.drop();
    files.remove();
  });

  it('expand runs relaxing steps without --yes when not interactive; contract asks before removing', async () => {
    const expand = await run(['expand', '--url', scratch.url, '--schema', r2]);
    expect(expand.code, expand.stderr).toBe(0);
    expect(expand.stderr).toContain('allow NULL in t.name');
    expect(expand.stderr).toContain('drop check t_age_check from t (relaxing: both versions keep working)');
    const contract = await run(['contract', '--url', scratch.url, '--schema', r2]);
    expect(contract.code).toBe(1);
    expect(contract.stderr).toContain('contract would drop 1 object(s):\n  - drop column t.age');
    expect((await run(['contract', '--url', scratch.url, '--schema', r2, '--yes'])).code).toBe(0);
  });
});
