/** Where contract reorganizes a table after REORG-recommended ALTERs (Db2): src/plan/reorg.ts. */
import { describe, expect, it } from 'vitest';
import type { SqlCompiler } from '../../src/dialect.js';
import { withReorganizations } from '../../src/plan/reorg.js';
import type { Step } from '../../src/plan/step.js';

const REORG_LOCK = { level: 'REORG (offline)', blocksWrites: true, rewritesTable: true, rank: 0 };
const sql = { reorgTable: (t: string) => ({ sql: `REORG ${t}`, lock: REORG_LOCK }) } as unknown as SqlCompiler;
const caps = { server: 'Db2 11.5', reorgBudget: 3 };

const step = (id: string, table: string, reorgAlters = 0): Step => ({
  id, phase: 'contract', operation: 'sql', destructive: false, relaxing: false, table, description: id, sql: [id], transactional: true,
  lock: REORG_LOCK, estimatedRows: null, prechecks: [], provides: [], needs: [], ...(reorgAlters > 0 ? { reorgAlters } : {}),
});
const ids = (steps: Step[]) => steps.map((s) => s.id);
const run = (steps: Step[], live = {}, rows: Record<string, number> = {}) => withReorganizations(steps, { caps, sql, rows, live });

describe('reorganizations in contract', () => {
  it('NOT NULL -> REORG -> UNIQUE -> FK: the table is reorganized after its ALTERs and before anything else on it', () => {
    const plan = run([step('not-null:instances.uuid', 'instances', 1), step('unique:instances', 'instances'), step('fk:consoles', 'consoles')], {}, { instances: 1200 });
    expect(ids(plan)).toEqual(['not-null:instances.uuid', 'reorg-table:instances', 'unique:instances', 'fk:consoles']);
    const reorg = plan[1]!;
    expect(reorg).toMatchObject({ operation: 'reorg-table', phase: 'contract', table: 'instances', sql: ['REORG instances'], transactional: false, estimatedRows: 1200, lock: REORG_LOCK });
    expect(reorg.description).toBe('reorganize instances after its 1 REORG-recommended ALTER(s) (Db2 11.5 allows 3 before a REORG, and no other change meanwhile)');
  });

  it('batches a table\'s ALTERs in one reorganization, with other tables\' steps in between', () => {
    const plan = run([step('a1', 'a', 1), step('b1', 'b', 1), step('a2', 'a', 1), step('c', 'c')]);
    expect(ids(plan)).toEqual(['a1', 'b1', 'reorg-table:b', 'a2', 'reorg-table:a', 'c']);
  });

  it('reorganizes before the budget of three units of work runs out', () => {
    const plan = run(['a1', 'a2', 'a3', 'a4'].map((id) => step(id, 'a', 1)));
    expect(ids(plan)).toEqual(['a1', 'a2', 'a3', 'reorg-table:a', 'a4', 'reorg-table:a#2']);
  });

  it('counts what the server already counts, and reorganizes a table an earlier run left pending even when nothing else touches it', () => {
    expect(ids(run([step('a1', 'a', 1), step('a2', 'a', 1)], { a: { alters: 2, pending: false } }))).toEqual(['a1', 'reorg-table:a', 'a2', 'reorg-table:a#2']);
    const left = run([step('b1', 'b')], { a: { alters: 1, pending: false }, c: { alters: 0, pending: true } });
    expect(ids(left)).toEqual(['b1', 'reorg-table:a', 'reorg-table:c']);
    expect(left[1]!.description).toMatch(/^reorganize a after its ALTERs an earlier run left pending/);
  });

  it('adds nothing where the server has no such rule, or no ALTER needs it', () => {
    const steps = [step('a1', 'a', 1)];
    expect(withReorganizations(steps, { caps: { server: 'PostgreSQL 15', reorgBudget: null }, sql, rows: {}, live: {} })).toBe(steps);
    expect(ids(run([step('a', 'a'), step('b', 'b')]))).toEqual(['a', 'b']);
  });
});
