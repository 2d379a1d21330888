/**
 * Every kind of statement the Db2 dialect's SQL files emit, for one fixture schema: what the
 * statement classifier and the SQL lint read.
 */
import { db2Backfill } from '../../dialects/db2/backfill.js';
import { db2Compiler } from '../../dialects/db2/compiler.js';
import { db2Scan } from '../../dialects/db2/scan.js';
import { db2Transitions } from '../../dialects/db2/transitions.js';
import { readIndexKeys } from '../../src/model/index-entry.js';
import type { PrecheckRule } from '../../src/model/precheck-rule.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';
import { T, check, column, foreignKey, idColumn, index, table } from './model-builders.js';

const users = table('users', {
  columns: [
    idColumn({ identity: 'by-default' }),
    column('email', T.varchar(255), { nullable: false }),
    column('active', { kind: 'boolean' }, { nullable: false, default: { kind: 'literal', value: true } }),
    column('created_at', { kind: 'timestamp', withTimeZone: false }, { default: { kind: 'sql', expression: 'now()' } }),
    column('bio'),
  ],
  uniques: [{ name: 'users_email_key', columns: ['email'] }],
  checks: [check('users_email_check', "email LIKE '%@%'")],
});
const memberships = table('Memberships', { columns: [column('tenant_id', T.int, { nullable: false }), column('user_id', T.bigint, { nullable: false })], primaryKey: { name: 'm_pkey', columns: ['tenant_id', 'user_id'] } });
const fk = foreignKey('m_user_fkey', ['user_id'], 'users', { onDelete: 'cascade', onUpdate: 'restrict' });
const sync: SyncSpec = { table: 'users', trigger: 'users_sync', forward: { email_new: 'CAST(email AS VARCHAR(320))' }, backward: { email: 'email_new' }, fillOnly: false, sources: ['email'] };
const keys = readIndexKeys(['email', 'created_at DESC'], ['email', 'created_at']);
const notNull: PrecheckRule = { kind: 'not-null', columns: ['email'] };
const unique: PrecheckRule = { kind: 'unique', keys: readIndexKeys(['email'], ['email']), where: null };
const offenders = db2Scan.offenders('users', notNull, ['id']);

const c = db2Compiler;
const [ensureQuiet, updateTrigger, insertTrigger] = db2Transitions.createSyncTrigger(sync);
const [createSchema, unfinishedMarker, versionView] = db2Transitions.writeVersionSchema({
  name: 'app_v2', base: 'app', release: 'v2', signature: 's', stage: 'window',
  views: [{ table: 'users', columns: [{ name: 'id', reads: 'id' }, { name: 'email', reads: 'email_new' }] }],
});
const [renameTable, aliasView] = db2Transitions.renameTableWithAlias('users', 'accounts');
const [quietOn, setQuietOn] = db2Backfill.quietTriggers(true);
const [, setQuietOff] = db2Backfill.quietTriggers(false);

/** Named statements, each one the server runs as one. */
export const DB2_EMITTED: Record<string, string> = {
  createTable: c.createTable(users).sql,
  dropTable: c.dropTable('users').sql,
  addColumn: c.addColumn('users', column('nickname', T.varchar(40), { nullable: false, default: { kind: 'literal', value: '' } })).sql,
  dropColumn: c.dropColumn('users', 'bio').sql,
  lengthenVarchar: c.alterColumnType('users', column('email', T.varchar(320)), { inPlace: true }).sql,
  changeType: c.alterColumnType('users', column('score', T.bigint), { inPlace: false }).sql,
  setDefault: c.setDefault('users', column('active', { kind: 'boolean' }, { default: { kind: 'literal', value: false } })).sql,
  dropDefault: c.dropDefault('users', 'active').sql,
  setNotNull: c.setNotNull('users', column('bio'), { provenByCheck: false }).sql,
  dropNotNull: c.dropNotNull('users', column('email')).sql,
  createIndex: c.createIndex('users', index('users_email_idx', ['email', 'created_at DESC']), keys, { online: true }).sql,
  createUniqueIndex: c.createIndex('users', index('users_email_uidx', ['email'], { unique: true }), keys.slice(0, 1), { online: true }).sql,
  dropIndex: c.dropIndex('users', 'users_email_idx', { online: true }).sql,
  addPrimaryKey: c.addPrimaryKey('Memberships', memberships.primaryKey!, { usingIndex: null }).sql,
  addUnique: c.addUnique('users', users.uniques[0]!, { usingIndex: 'users_email_uidx' }).sql,
  addForeignKey: c.addForeignKey('Memberships', fk, { validate: true })[0]!.sql,
  addCheck: c.addCheck('users', users.checks[0]!, { validate: true }).sql,
  dropPrimaryKey: c.dropConstraint('Memberships', 'm_pkey', 'primary-key').sql,
  dropUnique: c.dropConstraint('users', 'users_email_key', 'unique').sql,
  dropForeignKey: c.dropConstraint('Memberships', 'm_user_fkey', 'foreign-key').sql,
  dropCheck: c.dropConstraint('users', 'users_email_check', 'check').sql,
  renameColumn: c.renameColumn('users', 'bio', 'about').sql,
  renameIndex: c.renameIndex('users', 'users_email_idx', 'users_mail_idx').sql,
  commentOnTable: c.commentOnTable('users', "the users' table").sql,
  commentOnColumn: c.commentOnColumn('users', column('email', T.text, { comment: 'login' })).sql,
  reorgTable: c.reorgTable!('users').sql,
  ensureQuiet: ensureQuiet!.sql,
  updateTrigger: updateTrigger!.sql,
  insertTrigger: insertTrigger!.sql,
  dropTrigger: db2Transitions.dropSyncTrigger('users', 'users_sync')[0]!.sql,
  renameTable: renameTable!.sql,
  aliasView: aliasView!.sql,
  dropAlias: db2Transitions.dropAlias('users')[0]!.sql,
  restoreTableName: db2Transitions.restoreTableName('users', 'people')[1]!.sql,
  createSchema: createSchema!.sql,
  markerView: unfinishedMarker!.sql,
  versionView: versionView!.sql,
  dropVersionView: db2Transitions.dropVersionSchema('app_v2', ['users'])[0]!.sql,
  dropSchema: db2Transitions.dropVersionSchema('app_v2', ['users'])[1]!.sql,
  markedSchemas: db2Transitions.markedSchemas,
  relationsOf: db2Transitions.relationsOf,
  lastKey: db2Backfill.lastKey({ table: 'Memberships', key: ['tenant_id', 'user_id'] }),
  batchEnd: db2Backfill.batchEnd({ table: 'Memberships', key: ['tenant_id', 'user_id'] }, true),
  backfillUpdate: db2Backfill.update({ id: 'j', table: 'users', key: ['id'], set: { email_new: 'email' }, where: 'email_new IS NULL' }, true),
  quietOn: quietOn!,
  setQuietOn: setQuietOn!,
  setQuietOff: setQuietOff!,
  offenders,
  duplicates: db2Scan.offenders('users', unique, ['id']),
  countInRange: db2Scan.countInRange('users', notNull, ['id'], true),
  count: db2Scan.count(offenders),
  page: db2Scan.page(offenders, ['id'], true, 50),
  lockOffenders: db2Scan.lockOffenders('users', ['id'], 2, offenders),
  dependents: db2Scan.dependents({ table: 'Memberships', key: ['tenant_id', 'user_id'] }, fk, ['id'], 2),
  copyToShadow: db2Scan.copyToShadow('users', 'shadow_users', ['id', 'email'], ['id'], 2),
  deleteRows: db2Scan.deleteRows('users', ['id'], 2),
  fillDefault: db2Scan.fillDefault('users', column('active', { kind: 'boolean' }, { default: { kind: 'literal', value: true } }), ['id'], 2),
  shadowColumns: db2Scan.shadowColumns('shadow_users'),
  markShadow: db2Scan.markShadow('shadow_users', 'users')[0]!,
};
