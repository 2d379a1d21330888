/**
 * The lock a plan states for a step is derived from the statements the step runs, per server:
 * a label that disagrees with its SQL fails here.
 */
import { describe, expect, it } from 'vitest';
import { mysqlCompiler } from '../../dialects/mysql/compiler.js';
import type { Step } from '../../src/plan/step.js';
import { SERVERS, stepsOn } from '../support/every-change.js';

/** What MySQL's clauses say about writes: SHARED or COPY makes them wait; LOCK TABLES only for milliseconds. */
const mysqlBlocks = (step: Step) => step.sql.some((s) => /\bLOCK=SHARED\b|\bALGORITHM=COPY\b/.test(s));

/** Steps on the table the same expand creates: nobody waits for them, whatever they take. */
const onLiveTables = (steps: Step[]) => steps.filter((s) => !(s.table === 'audit' && s.phase === 'expand'));

describe.each(SERVERS.filter((s) => s.sql === mysqlCompiler))('plan locks on $name', (server) => {
  const steps = stepsOn(server);

  it("say writes wait exactly where a step's statements make them wait", () => {
    const live = onLiveTables(steps);
    expect(live.length).toBeGreaterThan(15);
    expect(live.filter((s) => s.lock.blocksWrites !== mysqlBlocks(s)).map((s) => `${s.id}: ${s.lock.level}`)).toEqual([]);
  });

  it("name each ALTER's algorithm, never another's", () => {
    const single = onLiveTables(steps).filter((x) => x.sql.length === 1 && /ALGORITHM=(\w+), LOCK=(\w+)$/.test(x.sql[0]!));
    expect(single.length).toBeGreaterThan(10);
    for (const s of single) {
      const [, algorithm, lock] = /ALGORITHM=(\w+), LOCK=(\w+)$/.exec(s.sql[0]!)!;
      expect(s.lock.level, s.id).toContain(`ALGORITHM=${algorithm}`);
      if (lock !== 'DEFAULT') expect(s.lock.level, s.id).toContain(`LOCK=${lock}`);
    }
  });

  it('drop of a primary key copies the table, and writes wait', () => {
    const drop = steps.find((s) => s.id === 'drop-constraint:orders.orders_pkey')!;
    expect(drop.sql[0]).toMatch(/DROP PRIMARY KEY, ALGORITHM=COPY, LOCK=SHARED$/);
    expect(drop.lock).toMatchObject({ blocksWrites: true, rewritesTable: true });
  });

  it("a backfill holds MySQL's row locks, in MySQL's words", () => {
    expect(steps.find((s) => s.operation === 'backfill')!.lock.level).toBe('row locks, one batch of rows at a time');
  });
});

describe('plan locks on PostgreSQL 15', () => {
  const steps = stepsOn(SERVERS[0]!);
  const lockOf = (id: string) => steps.find((s) => s.id === id)!.lock;

  it('follow the lock modes of the statements', () => {
    expect(lockOf('add-index:audit.audit_id_idx').level).toBe('none (new table)');
    expect(lockOf('add-index:users.users_name_idx').level).toBe('SHARE UPDATE EXCLUSIVE (reads and writes continue)');
    expect(lockOf('alter-column-type:users.age')).toMatchObject({ blocksWrites: true, rewritesTable: true });
    expect(lockOf('alter-column-type:users.code')).toMatchObject({ level: 'ACCESS EXCLUSIVE, brief (metadata only)', blocksWrites: false });
    // Through a validated check: the exclusive lock is brief, the scan runs under SHARE UPDATE EXCLUSIVE.
    expect(lockOf('set-not-null:users.email')).toMatchObject({ level: 'ACCESS EXCLUSIVE, brief (metadata only)', blocksWrites: false });
    expect(lockOf('add-foreign-key:orders.orders_user_id_fkey').level).toBe('SHARE ROW EXCLUSIVE, brief');
    expect(steps.find((s) => s.operation === 'backfill')!.lock.level).toBe('ROW EXCLUSIVE, one batch of rows at a time');
  });

  it('only the type change that rewrites the table and the exclusion constraint (no NOT VALID form) make writes wait', () => {
    expect(steps.filter((s) => s.lock.blocksWrites).map((s) => s.id)).toEqual(['alter-column-type:users.age', 'add-exclusion:users.users_name_excl']);
  });
});
