/**
 * The lock a plan states for a step is derived from the statements the step runs, per server:
 * a label that disagrees with its SQL fails here.
 */
import { describe, expect, it } from 'vitest';
import { mysqlBackfill } from '../../dialects/mysql/backfill.js';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { mysqlCompiler } from '../../dialects/mysql/compiler.js';
import { mysqlTransitions } from '../../dialects/mysql/transitions.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import type { Change } from '../../src/diff/changes.js';
import type { ColumnSync } from '../../src/model/transition.js';
import { plan } from '../../src/plan/planner.js';
import type { Step } from '../../src/plan/step.js';
import { check, column as col, foreignKey, idColumn, index, T, table } from '../support/model-builders.js';

const sync: ColumnSync = {
  kind: 'column-sync', id: 'users.nick', table: 'users', trigger: '_dbtide_sync_users_nick', declaredAs: 'derive',
  forward: { nick: 'upper(name)' }, backward: {}, retires: [], sources: ['name'], fillOnly: false, swap: null,
};

/** One change of every kind a live table gets, each on its own so its step is its own. */
const CHANGES: Change[] = [
  { kind: 'create-table', table: table('audit', { columns: [idColumn()], primaryKey: { name: 'audit_pkey', columns: ['id'] } }) },
  { kind: 'add-index', table: 'audit', index: index('audit_id_idx', ['id']) },
  { kind: 'add-column', table: 'users', column: col('bio') },
  { kind: 'drop-column', table: 'users', column: 'legacy' },
  { kind: 'alter-column-type', table: 'users', column: col('code', T.varchar(40)), from: col('code', T.varchar(20)) },
  { kind: 'alter-column-type', table: 'users', column: col('age', T.bigint), from: col('age', T.text) },
  { kind: 'set-not-null', table: 'users', column: col('email', T.text, { nullable: false }) },
  { kind: 'drop-not-null', table: 'users', column: col('phone') },
  { kind: 'set-default', table: 'users', column: col('plan', T.text, { default: { kind: 'literal', value: 'free' } }) },
  { kind: 'drop-default', table: 'users', column: 'tier' },
  { kind: 'add-index', table: 'users', index: index('users_name_idx', ['name']) },
  { kind: 'add-index', table: 'users', index: index('users_bio_ft', ['bio'], { using: 'fulltext' }) },
  { kind: 'drop-index', table: 'users', name: 'users_old_idx' },
  { kind: 'add-unique', table: 'users', key: { name: 'users_email_key', columns: ['email'] }, existingIndex: null },
  { kind: 'add-foreign-key', table: 'orders', foreignKey: foreignKey('orders_user_id_fkey', ['user_id'], 'users'), existing: 'none' },
  { kind: 'add-check', table: 'orders', check: check('orders_total_check', 'total >= 0'), existing: 'none' },
  { kind: 'drop-constraint', table: 'orders', name: 'orders_pkey', constraint: 'primary-key' },
  { kind: 'drop-constraint', table: 'orders', name: 'orders_code_key', constraint: 'unique' },
  { kind: 'drop-constraint', table: 'orders', name: 'orders_old_fkey', constraint: 'foreign-key' },
  { kind: 'drop-table', table: 'legacy' },
  { kind: 'install-sync', table: 'users', sync },
  { kind: 'backfill', table: 'users', sync, key: ['id'] },
  { kind: 'remove-sync', table: 'users', sync },
];

const SERVERS = [
  { name: 'PostgreSQL 15', caps: postgresCapabilities('15.4'), sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock },
  { name: 'MySQL 8', caps: mysqlCapabilities('8.0.36'), sql: mysqlCompiler, transitions: mysqlTransitions, batchLock: mysqlBackfill.batchLock },
  { name: 'MariaDB 10.11', caps: mysqlCapabilities('10.11.6-MariaDB'), sql: mysqlCompiler, transitions: mysqlTransitions, batchLock: mysqlBackfill.batchLock },
];

const stepsOn = (server: (typeof SERVERS)[number]) => {
  // The tables the changes name, declared so that index entries read as columns.
  const tables = Object.fromEntries(['users', 'orders', 'audit'].map((t) => [t, table(t, { columns: [idColumn(), col('name'), col('bio'), col('email')] })]));
  return plan(CHANGES, { ...server, tables }).steps;
};

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

  it('only the type change that rewrites the table makes writes wait', () => {
    expect(steps.filter((s) => s.lock.blocksWrites).map((s) => s.id)).toEqual(['alter-column-type:users.age']);
  });
});
