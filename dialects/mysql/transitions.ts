import type { TransitionSql } from '../../src/dialect.js';
import { withLock } from '../../src/model/locks.js';
import { MYSQL_LOCK } from './locks.js';
import { fitName } from '../../src/declaration/names.js';
import { quote } from './compiler.js';
import { mysqlVersionSchemas } from './version-schemas.js';
import { dropSyncTriggers, syncTriggers } from './sync-triggers.js';
import { mysqlTableCopy } from './table-copy.js';
import { MAX_NAME } from './trigger-names.js';

/**
 * Marks the alias, as a comment marks PostgreSQL's: views have no comment here, so the marker is a
 * condition that is always true, which keeps the view updatable and which the server prints back
 * in the view's definition. Only dbtide writes it: a user's view over one table is not taken for
 * an alias (and dropped from the report).
 */
export const ALIAS_MARKER = 'dbtide:alias';
const ALIAS_CONDITION = `WHERE '${ALIAS_MARKER}' IS NOT NULL`;

/**
 * MySQL DDL commits statement by statement, and a view needs the table it reads to exist: a
 * rename followed by the view would leave a moment (and, for a killed run, a state) with neither
 * name usable by old code. So both names exist before the swap: the new name as a view over the
 * table, the alias as a view over that; one atomic RENAME TABLE then gives the table its new
 * name, the alias the old one, and the first view a name of dbtide's, dropped with the alias.
 * Every state between the statements is one a rerun recognizes and finishes.
 */
const aliasSwapNames = (from: string) => ({
  view: fitName(`_dbtide_alias_${from}`, MAX_NAME),
  retired: fitName(`_dbtide_renamed_${from}`, MAX_NAME),
});

export const mysqlTransitions: TransitionSql = {
  ...mysqlVersionSchemas,
  tableCopy: mysqlTableCopy,
  createSyncTrigger: (sync) => syncTriggers(sync),
  // Under the names a table copy gave them too.
  dropSyncTrigger: (_table, trigger) => dropSyncTriggers(trigger),
  // The swap comes before the triggers' drop: if it fails, the triggers still sync every write
  // once the lock is gone; under the lock no write can find them referring to a dropped column.
  swapColumn: (table, column, shadow, trigger, { tableLock }) => {
    const swap = [
      ...withLock(MYSQL_LOCK.instant, `ALTER TABLE ${quote(table)} DROP COLUMN ${quote(column)}, RENAME COLUMN ${quote(shadow)} TO ${quote(column)}, ALGORITHM=INSTANT, LOCK=DEFAULT`),
      ...mysqlTransitions.dropSyncTrigger(table, trigger),
    ];
    return tableLock ? [...withLock(MYSQL_LOCK.tableWrite, `LOCK TABLES ${quote(table)} WRITE`), ...swap, ...withLock(MYSQL_LOCK.none, 'UNLOCK TABLES')] : swap;
  },
  renameTableWithAlias: (from, to) => {
    const alias = aliasSwapNames(from);
    return withLock(
      MYSQL_LOCK.metadata,
      // Marked too: a run stopped right after it leaves a view that introspection knows as dbtide's.
      `CREATE OR REPLACE VIEW ${quote(to)} AS SELECT * FROM ${quote(from)} ${ALIAS_CONDITION}`,
      `CREATE OR REPLACE VIEW ${quote(alias.view)} AS SELECT * FROM ${quote(to)} ${ALIAS_CONDITION}`,
      // Left by a rollback stopped before its last statement (restoreTableName); the swap needs the name.
      `DROP VIEW IF EXISTS ${quote(alias.retired)}`,
      `RENAME TABLE ${quote(to)} TO ${quote(alias.retired)}, ${quote(from)} TO ${quote(to)}, ${quote(alias.view)} TO ${quote(from)}`,
    );
  },
  dropAlias: (name) => withLock(MYSQL_LOCK.metadata, `DROP VIEW IF EXISTS ${quote(aliasSwapNames(name).retired)}, ${quote(name)}`),
  // The alias view and the table trade places in one atomic RENAME TABLE; the view, under the
  // name the rename's swap retired its first view to, goes last.
  restoreTableName: (alias, table) => {
    const { retired } = aliasSwapNames(alias);
    return withLock(
      MYSQL_LOCK.metadata,
      `DROP VIEW IF EXISTS ${quote(retired)}`,
      `RENAME TABLE ${quote(alias)} TO ${quote(retired)}, ${quote(table)} TO ${quote(alias)}`,
      `DROP VIEW IF EXISTS ${quote(retired)}`,
    );
  },
};
