import type { TransitionSql } from '../../src/dialect.js';
import { withLock } from '../../src/model/locks.js';
import { syncRules, updateTriggerName as syncUpdateTriggerName, type RowTest, type SyncBranch } from '../../src/dialect-kit/sync-rules.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';
import { aliasViewSql } from './alias-view.js';
import { db2Compiler } from './compiler.js';
import { DB2_LOCK } from './locks.js';
import { quote } from './names.js';
import { ensureQuietVariable, notQuiet } from './quiet-variable.js';
import { rowExpression } from './row-expression.js';
import { db2VersionSchemas } from './version-schemas.js';

/** Db2's limit on a trigger's name, in bytes. */
const MAX_NAME = 128;

/**
 * A trigger with an inlined (ATOMIC) body fires on one event, so a sync is two: this one on
 * UPDATE, and the one named by the sync on INSERT. The INSERT trigger is created last and dropped
 * last, so it exists exactly while the sync is complete: introspection reports a sync by it.
 */
export const updateTriggerName = (trigger: string) => syncUpdateTriggerName(trigger, MAX_NAME);

/** Correlation names of the row being written and of the row before an UPDATE. */
const NEW = 'N';
const OLD = 'O';

const field = (row: string, column: string) => `${row}.${quote(column)}`;

/** IS DISTINCT FROM (Db2 11.1+) compares NULLs as values. LOB columns cannot be compared: Db2 refuses the trigger. */
function holds(when: Exclude<RowTest, { test: 'always' }>): string {
  switch (when.test) {
    case 'all-null': return when.columns.map((c) => `${field(NEW, c)} IS NULL`).join(' AND ');
    case 'changed': return `(${when.columns.map((c) => `${field(NEW, c)} IS DISTINCT FROM ${field(OLD, c)}`).join(' OR ')})`;
    case 'unchanged': return `(${when.columns.map((c) => `${field(NEW, c)} IS NOT DISTINCT FROM ${field(OLD, c)}`).join(' AND ')})`;
  }
}

/**
 * One SET assigns every field. Several are assigned as one row, computed whole before any field
 * takes its value, as an UPDATE reads the row as written: an expression never sees a field an
 * earlier one assigned.
 */
function assign(values: Record<string, string>): string {
  const targets = Object.keys(values).map((column) => field(NEW, column));
  const expressions = Object.values(values).map((expression) => rowExpression(expression, NEW));
  if (targets.length === 1) return `SET ${targets[0]} = ${expressions[0]};`;
  return `SET (${targets.join(', ')}) = (${expressions.join(', ')});`;
}

/**
 * One trigger: the first branch whose test holds decides; none holding leaves the row alone. The
 * backfill's own writes are filtered in the WHEN clause; the body only assigns to the new row (a
 * BEFORE trigger can do nothing else), so it never fires a trigger again.
 */
function trigger(name: string, event: 'INSERT' | 'UPDATE', sync: SyncSpec, branches: SyncBranch[]): string {
  const act = (b: SyncBranch) => assign(b.go === 'forward' ? sync.forward : sync.backward);
  const decide = branches.map((b, i) => (b.when.test === 'always' ? `ELSE ${act(b)}` : `${i === 0 ? 'IF' : 'ELSEIF'} ${holds(b.when)} THEN ${act(b)}`));
  const updateOf = event === 'UPDATE' ? syncRules(sync).updateOf : null;
  const on = updateOf ? `UPDATE OF ${updateOf.map(quote).join(', ')}` : event;
  const referencing = event === 'UPDATE' ? `OLD AS ${OLD} NEW AS ${NEW}` : `NEW AS ${NEW}`;
  return [
    `CREATE TRIGGER ${quote(name)} NO CASCADE BEFORE ${on} ON ${quote(sync.table)}`,
    `REFERENCING ${referencing} FOR EACH ROW WHEN (${notQuiet})`,
    'BEGIN ATOMIC',
    ...decide.map((d) => `  ${d}`),
    '  END IF;',
    'END',
  ].join('\n');
}

export const db2Transitions: TransitionSql = {
  ...db2VersionSchemas,
  createSyncTrigger(sync) {
    const rules = syncRules(sync);
    return [
      ...withLock(DB2_LOCK.none, ensureQuietVariable()),
      ...withLock(DB2_LOCK.catalog, trigger(updateTriggerName(sync.trigger), 'UPDATE', sync, rules.update), trigger(sync.trigger, 'INSERT', sync, rules.insert)),
    ];
  },
  dropSyncTrigger: (_table, name) => withLock(DB2_LOCK.catalog, `DROP TRIGGER ${quote(updateTriggerName(name))}`, `DROP TRIGGER ${quote(name)}`),
  // One unit of work (Db2's DDL is transactional): writers wait at the triggers' drop until the
  // rename commits. The DROP COLUMN counts toward the table's reorganization, which follows.
  swapColumn: (table, column, shadow, name) => [
    ...db2Transitions.dropSyncTrigger(table, name),
    db2Compiler.dropColumn(table, column),
    db2Compiler.renameColumn(table, shadow, column),
  ],
  // In one unit of work: no one sees the old name missing between the rename and its view. RENAME
  // TABLE fails (SQL0750N) on a table a trigger is on or a foreign key joins, which the plan refuses
  // (capabilities.renameTableWithDependents), and where a materialized query table reads it.
  renameTableWithAlias: (from, to) => withLock(DB2_LOCK.catalog, `RENAME TABLE ${quote(from)} TO ${quote(to)}`, aliasViewSql(from, to)),
  dropAlias: (name) => withLock(DB2_LOCK.catalog, `DROP VIEW ${quote(name)}`),
  // One unit of work, as the rename was.
  restoreTableName: (alias, table) => withLock(DB2_LOCK.catalog, `DROP VIEW ${quote(alias)}`, `RENAME TABLE ${quote(table)} TO ${quote(alias)}`),
};
