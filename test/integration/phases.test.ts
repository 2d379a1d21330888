import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPhase, check, planChanges } from '../../src/api.js';
import { withDatabase, type Database } from '../../src/engine.js';
import { stepsOf, PHASES } from '../../src/plan/step.js';
import { probeReadsAndWrites } from '../../src/verify/row-probe.js';
import { exampleChain } from '../support/chain.js';
import { targets, type ScratchDatabase } from '../support/scratch-databases.js';

const chain = await exampleChain();
const links = chain.at(-1)!.declared.model;

describe.each(targets)('the example chain on $name', (target) => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await target.create('chain');
  });
  afterAll(async () => scratch?.drop());

  const withDb = <T>(work: (db: Database) => Promise<T>) => withDatabase(scratch.url, {}, work);

  for (const [i, { file, declared }] of chain.entries()) {
    const previous = chain[i - 1]?.declared;

    it(`${declared.release}: expand keeps the previous release working and lets the new one write`, async () => {
      await applyPhase('expand', { url: scratch.url }, file);
      await withDb(async (db) => {
        if (previous) {
          const old = await probeReadsAndWrites(db.conn, db.dialect, previous.model, { seed: 10 + i, linksFrom: links });
          expect(old.filter((r) => !r.ok)).toEqual([]);
        }
        const fresh = await probeReadsAndWrites(db.conn, db.dialect, declared.model, { seed: 20 + i, linksFrom: links });
        expect(fresh.filter((r) => !r.ok)).toEqual([]);
      });
    });

    it(`${declared.release}: migrate and contract finish it; plan is empty and check exits 0`, async () => {
      await applyPhase('migrate', { url: scratch.url }, file);
      await applyPhase('contract', { url: scratch.url }, file);
      const { plan } = await planChanges({ url: scratch.url }, file);
      expect(plan.steps).toEqual([]);
      expect(plan.drift).toEqual([]);
      expect((await check({ url: scratch.url }, file)).exitCode).toBe(0);
    });

    it(`${declared.release}: every phase rerun is a no-op`, async () => {
      for (const phase of PHASES) {
        const rerun = await applyPhase(phase, { url: scratch.url }, file);
        expect(rerun.steps).toEqual([]);
      }
    });
  }

  it('after the last contract, the last release reads and writes', async () => {
    const last = chain.at(-1)!.declared;
    await withDb(async (db) => {
      expect((await probeReadsAndWrites(db.conn, db.dialect, last.model, { seed: 99 })).filter((r) => !r.ok)).toEqual([]);
    });
  });
});

describe.each(targets.filter((t) => t.name !== 'pglite'))('the plan of the example chain on $name', (target) => {
  it('puts no blocking, scanning or rewriting step on an existing table in expand', async () => {
    const scratch = await target.create('expand_safety');
    try {
      for (const { file } of chain) {
        const { plan } = await planChanges({ url: scratch.url }, file);
        const newTables = new Set(stepsOf(plan, 'expand').filter((s) => s.operation === 'create-table').map((s) => s.table));
        for (const step of stepsOf(plan, 'expand').filter((s) => !newTables.has(s.table))) {
          expect(step.lock.blocksWrites, step.id).toBe(false);
          expect(step.lock.rewritesTable, step.id).toBe(false);
          for (const sql of step.sql) {
            expect(sql, step.id).not.toMatch(/^CREATE (UNIQUE )?INDEX (?!CONCURRENTLY)/);
            expect(sql, step.id).not.toMatch(/VALIDATE CONSTRAINT/);
            expect(sql, step.id).not.toMatch(/ALGORITHM=COPY|LOCK=(SHARED|EXCLUSIVE)/);
          }
        }
        for (const phase of PHASES) await applyPhase(phase, { url: scratch.url }, file);
      }
    } finally {
      await scratch.drop();
    }
  });
});
