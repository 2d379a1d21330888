/**
 * A release that widens a column with changeType and adds a UNIQUE on it: the unique is built
 * after contract's swap, on the converted column, behind a duplicate precheck that reads the
 * converted values (here `lower(code)`, so rows distinct as written collide once converted). The
 * index on `code_note` is no user of `code`: it stays where it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, expand, migrate, planChanges } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { changeType } from '../../src/declaration/transitions.js';
import { stepsOf } from '../../src/plan/step.js';
import { series } from '../support/series.js';
import { targets, withConnection, type ScratchDatabase } from '../support/scratch-databases.js';

const v1 = defineSchema({
  release: 'v1',
  tables: { codes: { columns: { id: 'int', code: 'varchar(50)', code_note: 'varchar(100)' }, primaryKey: ['id'], indexes: [{ columns: ['code_note'] }] } },
});

/** PostgreSQL widens to text; MySQL keys a text column by prefix only, so it widens within varchar. */
const release2 = (wider: string) =>
  defineSchema({
    release: 'v2',
    extends: v1,
    tables: { codes: { columns: { code: wider }, uniques: [{ name: 'codes_code_key', columns: ['code'] }] } },
    transitions: [changeType('codes', 'code', { using: 'lower(code)' })],
  });

describe.each(targets)('changeType with a new UNIQUE on the column on $name', (target) => {
  const v2 = release2(target.dialect.name === 'postgres' ? 'text' : 'varchar(200)');
  let db: ScratchDatabase;
  const run = (sql: string) => withConnection(target.dialect.connect(db.url), (c) => c.query<Record<string, unknown>>(sql));
  const t = () => ({ url: db.url });

  beforeAll(async () => {
    db = await target.create('ct_unique');
    await expand(t(), v1);
    await run(`INSERT INTO codes (id, code) SELECT g, concat('C', g) FROM ${series(target.dialect, 200)}`);
  }, 60_000);
  afterAll(() => db?.drop());

  it('builds the unique after the swap, refuses converted duplicates before changing anything, and converges', async () => {
    const planned = (await planChanges(t(), v2)).plan;
    const contractSteps = stepsOf(planned, 'contract');
    const ids = contractSteps.map((s) => s.id);
    const unique = ids.findIndex((id) => id.endsWith('codes.codes_code_key'));
    expect(unique).toBeGreaterThan(ids.indexOf('swap-column:codes.code'));
    expect(ids.indexOf('swap-column:codes.code')).toBeGreaterThanOrEqual(0);
    const duplicateCheck = contractSteps[unique]!.prechecks.find((p) => p.kind === 'unique')!;
    expect(duplicateCheck.columns).toEqual(['_dbtide_new_code']);

    await expand(t(), v2);
    // The window: the old release writes as before, the new release writes the same column.
    await run("INSERT INTO codes (id, code) VALUES (1001, 'Old-1001')");
    await run("INSERT INTO codes (id, code) VALUES (1002, 'new-1002')");
    await migrate(t(), v2);
    // Distinct as written, the same once converted: only a precheck over the converted copy sees it.
    await run("INSERT INTO codes (id, code) VALUES (1003, 'c7')");
    await run("UPDATE codes SET code = 'OLD-1001' WHERE id = 1002");

    await expect(contract(t(), v2)).rejects.toThrow(/prechecks failed; nothing was changed[\s\S]*\(code\) in codes has no duplicates in the new type[\s\S]*id=1002[\s\S]*id=1003/);
    const [converted] = await run("SELECT count(*) AS n FROM codes WHERE _dbtide_new_code = 'c7'");
    expect(Number(converted!.n)).toBe(2);

    await run('DELETE FROM codes WHERE id IN (1002, 1003)');
    await contract(t(), v2);

    const rows = await run('SELECT id, code FROM codes WHERE id IN (7, 1001) ORDER BY id');
    expect(rows).toEqual([{ id: 7, code: 'c7' }, { id: 1001, code: 'old-1001' }]);
    await expect(run("INSERT INTO codes (id, code) VALUES (2000, 'c8')")).rejects.toThrow(/codes_code_key|duplicate/i);
    await run("INSERT INTO codes (id, code) VALUES (2001, 'fresh')");
    expect((await planChanges(t(), v2)).plan).toMatchObject({ steps: [], drift: [] });
  }, 120_000);
});
