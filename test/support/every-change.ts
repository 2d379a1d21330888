/**
 * One change of every kind a live table gets, and the servers whose capability sets plan them
 * differently: plan-locks and plan-snapshots plan the same changes on each.
 */
import { mysqlBackfill } from '../../dialects/mysql/backfill.js';
import { mysqlCapabilities } from '../../dialects/mysql/capabilities.js';
import { mysqlCompiler } from '../../dialects/mysql/compiler.js';
import { mysqlStatements } from '../../dialects/mysql/statement-classes.js';
import { mysqlTransitions } from '../../dialects/mysql/transitions.js';
import { postgresBackfill } from '../../dialects/postgres/backfill.js';
import { postgresCapabilities } from '../../dialects/postgres/capabilities.js';
import { postgresCompiler } from '../../dialects/postgres/compiler.js';
import { postgresStatements } from '../../dialects/postgres/statement-classes.js';
import { postgresTransitions } from '../../dialects/postgres/transitions.js';
import { db2Backfill } from '../../dialects/db2/backfill.js';
import { db2Capabilities } from '../../dialects/db2/capabilities.js';
import { db2Compiler } from '../../dialects/db2/compiler.js';
import { db2Statements } from '../../dialects/db2/statement-classes.js';
import { db2Transitions } from '../../dialects/db2/transitions.js';
import type { Change } from '../../src/diff/changes.js';
import type { ColumnSync } from '../../src/model/transition.js';
import { plan } from '../../src/plan/planner.js';
import { tableCopyNames } from '../../src/plan/owned-names.js';
import { check, column as col, foreignKey, idColumn, index, T, table } from './model-builders.js';

const sync: ColumnSync = {
  kind: 'column-sync', id: 'users.nick', table: 'users', trigger: '_dbtide_sync_users_nick', declaredAs: 'derive',
  forward: { nick: 'upper(name)' }, backward: {}, retires: [], sources: ['name'], fillOnly: false, swap: null,
};

/** Each change on its own, so its step is its own. */
export const CHANGES: Change[] = [
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
  { kind: 'install-sync', table: 'users', sync, key: ['id'] },
  { kind: 'backfill', table: 'users', sync, key: ['id'] },
  { kind: 'remove-sync', table: 'users', sync },
  { kind: 'set-comment', table: 'users', comment: "people's accounts" },
  { kind: 'set-comment', table: 'users', column: col('phone', T.text, { comment: 'with country code' }), comment: 'with country code' },
  { kind: 'rename-object', table: 'users', object: 'unique', from: 'users_mail_key', to: 'users_email_unique' },
  { kind: 'rename-object', table: 'users', object: 'index', from: 'users_nm_idx', to: 'users_by_name' },
];

/** Changes only a server with exclusion and deferrable constraints is ever asked for (others refuse the release). */
const EXCLUSION_AND_DEFERRABLE: Change[] = [
  {
    kind: 'add-exclusion',
    table: 'users',
    exclusion: { name: 'users_name_excl', using: 'gist', columns: ['name'], operators: ['='], where: null },
  },
  { kind: 'set-deferrable', table: 'orders', name: 'orders_user_id_fkey', deferrable: 'deferred', relaxes: true },
];

const copy = tableCopyNames('orders');

/** NOT NULL through a copy of the table, which only a server with that strategy is ever asked for (src/diff/not-null-copies.ts). */
const THROUGH_COPY: Change[] = [
  {
    kind: 'set-not-null-through-copy',
    table: 'orders',
    copy: {
      name: copy.copy, old: copy.old, triggers: copy.triggers, job: copy.job, key: ['id'], columns: [idColumn(), col('ref', T.varchar(36)), col('note')],
      notNull: [col('ref', T.varchar(36), { nullable: false }), col('note', T.text, { nullable: false })],
      uniques: [], checks: [], swaps: [], indexes: [], fills: [], copying: false, copied: false,
    },
  },
  { kind: 'drop-table-copy', table: 'audit', leftover: { copy: tableCopyNames('audit').copy, old: null, triggers: tableCopyNames('audit').triggers } },
];

export const SERVERS = [
  { name: 'PostgreSQL 15', caps: postgresCapabilities('15.4'), sql: postgresCompiler, transitions: postgresTransitions, batchLock: postgresBackfill.batchLock, statements: postgresStatements },
  { name: 'MySQL 8', caps: mysqlCapabilities('8.0.36'), sql: mysqlCompiler, transitions: mysqlTransitions, batchLock: mysqlBackfill.batchLock, statements: mysqlStatements },
  { name: 'MariaDB 10.11', caps: mysqlCapabilities('10.11.6-MariaDB'), sql: mysqlCompiler, transitions: mysqlTransitions, batchLock: mysqlBackfill.batchLock, statements: mysqlStatements },
  { name: 'Db2 11.5', caps: db2Capabilities('DB2 v11.5.9.0'), sql: db2Compiler, transitions: db2Transitions, batchLock: db2Backfill.batchLock, statements: db2Statements },
];

export const stepsOn = (server: (typeof SERVERS)[number]) => {
  // The tables the changes name, declared so that index entries read as columns.
  const tables = Object.fromEntries(['users', 'orders', 'audit'].map((t) => [t, table(t, { columns: [idColumn(), col('name'), col('bio'), col('email')] })]));
  // A rename the server cannot do in place is refused at plan (src/plan/object-renames.ts): the planner never sees it.
  const renamable = CHANGES.filter((c) => c.kind !== 'rename-object' || server.caps.renameInPlace.includes(c.object));
  const changes = [
    ...renamable,
    ...(server.caps.exclusionConstraints && server.caps.deferrableConstraints ? EXCLUSION_AND_DEFERRABLE : []),
    ...(server.caps.notNull === 'table-copy' ? THROUGH_COPY : []),
  ];
  return plan(changes, { ...server, tables }).steps;
};
