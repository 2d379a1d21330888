/**
 * A phase in two halves, as a run over many databases needs it: prepare (run lock, plan,
 * prechecks) reports what stands in the way as typed data and changes nothing; apply runs the
 * steps. Events name the database they come from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand, migrate, contract } from '../../src/api.js';
import { defineSchema } from '../../src/declaration/define-schema.js';
import { normalizeSchema } from '../../src/declaration/normalize.js';
import { introspectLive, openDatabase, type Database } from '../../src/engine.js';
import { RunLockHeld } from '../../src/errors.js';
import type { RunEvent } from '../../src/execute/events.js';
import { EarlierPhasePending, PrecheckFailed } from '../../src/execute/outcomes.js';
import { applyPhase, preparePhase } from '../../src/execute/run-phase.js';
import { targets, type ScratchDatabase } from '../support/scratch-databases.js';

const v1 = defineSchema({ release: 'v1', tables: { t: { columns: { id: 'int', state: 'varchar(20)' }, primaryKey: ['id'] } } });
// Expand sets the default, contract the NOT NULL: its precheck finds the NULLs.
const v2 = defineSchema({ release: 'v2', extends: v1, tables: { t: { columns: { state: { type: 'varchar(20)', nullable: false, default: 'new' } } } } });
const contractV2 = { phase: 'contract' as const, declared: normalizeSchema(v2) };

describe.each(targets.filter((t) => t.name === 'postgres' || t.name === 'mariadb'))('prepare and apply on $name', (target) => {
  let scratch: ScratchDatabase;
  // Two sessions: the run lock is per session, and a session may take it again.
  let db: Database;
  let other: Database;
  const rows = async () => (await db.conn.query<{ id: unknown; state: unknown }>('SELECT id, state FROM t ORDER BY id')).map((r) => [Number(r.id), r.state]);
  const failure = (work: Promise<unknown>) => work.then(() => null, (error: unknown) => error);

  beforeAll(async () => {
    scratch = await target.create('prepare_apply');
    for (const phase of [expand, migrate, contract]) await phase({ url: scratch.url }, v1);
    db = await openDatabase(scratch.url, { name: 'cell-1' });
    other = await openDatabase(scratch.url);
    await db.conn.query("INSERT INTO t (id, state) VALUES (1, 'a'), (2, NULL), (3, NULL)");
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await other?.close();
    await scratch?.drop();
  });

  it('names a database by host, port and database unless told otherwise', () => {
    expect(db.name).toBe('cell-1');
    expect(other.name).toMatch(new RegExp(`^[^@/]+(:\\d+)?/${scratch.name}$`));
  });

  it('refuses a phase while an earlier one is pending, as EarlierPhasePending', async () => {
    const refusal = await failure(preparePhase(db, contractV2));
    expect(refusal).toBeInstanceOf(EarlierPhasePending);
    const { phase, pending, steps, exitCode, hint } = refusal as EarlierPhasePending;
    expect({ phase, pending, exitCode }).toEqual({ phase: 'contract', pending: 'expand', exitCode: 1 });
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((s) => s.phase === 'expand')).toBe(true);
    expect(hint).not.toContain('dbtide');
    await expand({ url: scratch.url }, v2);
  });

  it('finds the NULLs as PrecheckFailed data, changes nothing and gives the lock up', async () => {
    const before = { rows: await rows(), schema: await introspectLive(db) };
    const events: RunEvent[] = [];
    const refusal = await failure(preparePhase(db, { ...contractV2, onEvent: (e) => events.push(e) }));
    expect(refusal).toBeInstanceOf(PrecheckFailed);
    const { failures, message, hint, exitCode } = refusal as PrecheckFailed;
    expect(message).toMatch(/prechecks failed; nothing was changed/);
    expect(exitCode).toBe(1);
    expect(hint).not.toContain('dbtide');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ table: 't', kind: 'not-null', count: 2, key: ['id'], fillable: true });
    expect(failures[0]!.keys.map((k) => Number(k.id))).toEqual([2, 3]);
    expect(events.filter((e) => e.type === 'precheck').map((e) => e.target)).toEqual(['cell-1']);
    expect({ rows: await rows(), schema: await introspectLive(db) }).toEqual(before);

    await db.conn.query("UPDATE t SET state = 'fixed' WHERE state IS NULL");
    const again = await preparePhase(other, { ...contractV2, runLockWaitMs: 500 });
    expect(again.steps.map((s) => s.phase)).toEqual(again.steps.map(() => 'contract'));
    await again.release();
  });

  it('holds the run lock while prepared: a second prepare gets RunLockHeld; release() frees it', async () => {
    const prepared = await preparePhase(db, contractV2);
    const started = Date.now();
    const held = await failure(preparePhase(other, { ...contractV2, runLockWaitMs: 300 }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(held).toBeInstanceOf(RunLockHeld);
    expect(held).toMatchObject({ exitCode: 75, target: other.name, waitedMs: 300 });
    await prepared.release();
    await prepared.release();
    await expect(applyPhase(prepared)).rejects.toThrow(/applied or released already/);
    const next = await preparePhase(other, { ...contractV2, runLockWaitMs: 300 });
    await next.release();
  });

  it('applies what it prepared; every event names the database', async () => {
    const events: RunEvent[] = [];
    const prepared = await preparePhase(db, { ...contractV2, onEvent: (e) => events.push(e) });
    expect(prepared.steps.length).toBeGreaterThan(0);
    const result = await applyPhase(prepared);
    expect(result).toMatchObject({ phase: 'contract', dryRun: false, moreToDo: false, steps: prepared.steps });
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['phase-start', 'precheck', 'step-start', 'statement', 'step-done', 'phase-done']));
    expect(events.every((e) => e.target === 'cell-1')).toBe(true);
    expect((await introspectLive(db)).tables.t!.columns.find((c) => c.name === 'state')?.nullable).toBe(false);
    // Applying gave the lock up: another session prepares at once, with nothing left to do.
    const rerun = await preparePhase(other, { ...contractV2, runLockWaitMs: 300 });
    expect(rerun.steps).toEqual([]);
    await rerun.release();
  });
});

describe.each(targets.filter((t) => t.name === 'postgres' || t.name === 'mariadb'))('a refused first run on $name', (target) => {
  it('leaves the database as it found it: not even dbtide\'s ledger is created', async () => {
    const scratch = await target.create('refused_first');
    try {
      const refused = defineSchema({ release: 'v1', tables: { t: { columns: { id: 'int', n: 'int' }, checks: [{ name: 'n_known', expression: 'no_such_function(n) > 0' }] } } });
      await expect(expand({ url: scratch.url }, refused)).rejects.toThrow(/the server refuses; nothing was changed/);
      const db = await openDatabase(scratch.url);
      try {
        expect(await introspectLive(db)).toMatchObject({ tables: {} });
        expect(await db.dialect.runtime.tableExists(db.conn, '_dbtide_runs')).toBe(false);
      } finally {
        await db.close();
      }
      // The same release, fixed, runs and creates it.
      await expand({ url: scratch.url }, defineSchema({ release: 'v1', tables: { t: { columns: { id: 'int', n: 'int' }, checks: [{ name: 'n_known', expression: 'n > 0' }] } } }));
      const after = await openDatabase(scratch.url);
      try {
        expect(await after.dialect.runtime.tableExists(after.conn, '_dbtide_runs')).toBe(true);
      } finally {
        await after.close();
      }
    } finally {
      await scratch.drop();
    }
  });
});
