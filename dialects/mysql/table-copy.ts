import type { TableCopySql } from '../../src/dialect.js';
import { withLock } from '../../src/model/locks.js';
import { copySource, type CopyTriggers, type TableCopy } from '../../src/model/table-copy.js';
import { keyRange } from './backfill.js';
import { columnDefinition, literal, quote } from './compiler.js';
import { MYSQL_LOCK } from './locks.js';
import { CARRYING_VARIABLE, dropSyncTriggers, rowExpression, syncTriggers } from './sync-triggers.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';

const list = (columns: string[], row = '') => columns.map((c) => `${row}${quote(c)}`).join(', ');

/** A generated column takes no value: the copy computes its own (introspection keeps its definition as a native type). */
const written = (copy: TableCopy) => copy.columns.filter((c) => !(c.type.kind === 'native' && /\bGENERATED\s+ALWAYS\b/i.test(c.type.sql))).map((c) => c.name);
const keyMatch = (key: string[], row: 'OLD' | 'NEW') => key.map((k) => `${quote(k)} = ${row}.${quote(k)}`).join(' AND ');

/**
 * Every written row, as it now stands, into the copy: REPLACE, as a row the copy may already hold
 * is there once. A fill's new columns still empty get the fill, as the batch gives them: a write
 * to other columns leaves them empty on the table (the sync triggers leave an unrelated write
 * alone), and the carried row must not undo what the batch copied.
 */
const carry = (copy: TableCopy, fills: SyncSpec[]) => {
  const values = written(copy).map((c) => {
    const fill = fills.find((f) => c in f.forward);
    if (!fill) return `NEW.${quote(copySource(copy, c))}`;
    const empty = Object.keys(fill.forward).map((t) => `NEW.${quote(t)} IS NULL`).join(' AND ');
    return `CASE WHEN ${empty} THEN ${rowExpression(fill.forward[c]!).sql} ELSE NEW.${quote(c)} END`;
  });
  return `REPLACE INTO ${quote(copy.name)} (${list(written(copy))}) VALUES (${values.join(', ')})`;
};

/**
 * With fills, a carried row is marked for the sync triggers the swap puts on the copy
 * (./sync-triggers.ts): the table's own triggers made it, and a sync's backward expression, run
 * again on it, could change what the old version wrote. The mark is cleared on error too, so it
 * never outlives the statement in the writer's session.
 */
function marked(statements: string, fills: SyncSpec[]): string {
  if (fills.length === 0) return statements;
  return `BEGIN DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN SET ${CARRYING_VARIABLE} = NULL; RESIGNAL; END; SET ${CARRYING_VARIABLE} = 1; ${statements}; SET ${CARRYING_VARIABLE} = NULL; END`;
}

/** The row's value of a copy's column: a fill's forward expression where the fill's new columns are all still empty. */
function valueOf(column: string, table: string, copy: TableCopy, fills: SyncSpec[]): string {
  const fill = fills.find((f) => column in f.forward);
  const own = `${table}.${quote(copySource(copy, column))}`;
  if (!fill) return own;
  const empty = Object.keys(fill.forward).map((c) => `${table}.${quote(c)} IS NULL`).join(' AND ');
  return `CASE WHEN ${empty} THEN ${fill.forward[column]} ELSE ${own} END`;
}

/**
 * Triggers are created under the sql_mode of the session that creates them and keep it: a strict
 * one makes a NULL written into a column the copy holds NOT NULL fail the write, as it will once
 * the table is swapped, instead of reaching the copy as an empty value.
 */
function triggers(table: string, copy: TableCopy, fills: SyncSpec[]): string[] {
  const t = quote(table);
  const { key } = copy;
  const keyChanged = key.map((k) => `NOT (NEW.${quote(k)} <=> OLD.${quote(k)})`).join(' OR ');
  return [
    "SET @dbtide_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')",
    `CREATE TRIGGER ${quote(copy.triggers.delete)} AFTER DELETE ON ${t} FOR EACH ROW DELETE FROM ${quote(copy.name)} WHERE ${keyMatch(key, 'OLD')}`,
    `CREATE TRIGGER ${quote(copy.triggers.update)} AFTER UPDATE ON ${t} FOR EACH ROW BEGIN IF ${keyChanged} THEN DELETE FROM ${quote(copy.name)} WHERE ${keyMatch(key, 'OLD')}; END IF; ${marked(carry(copy, fills), fills)}; END`,
    `CREATE TRIGGER ${quote(copy.triggers.insert)} AFTER INSERT ON ${t} FOR EACH ROW ${marked(carry(copy, fills), fills)}`,
    'SET SESSION sql_mode = @dbtide_sql_mode',
  ];
}

/** The INSERT trigger first: once it is gone, the copy no longer counts as complete. */
const dropTriggers = (names: CopyTriggers) => [names.insert, names.update, names.delete].map((n) => `DROP TRIGGER IF EXISTS ${quote(n)}`);

/**
 * A copy is a plain table the server fills by key order, pages written once and full; a rename of
 * two tables in one RENAME TABLE is atomic, so writers see either table whole.
 */
export const mysqlTableCopy: TableCopySql = {
  create: (table, copy, fills, shape) => [
    ...withLock(MYSQL_LOCK.metadata, ...dropTriggers(copy.triggers), `DROP TABLE IF EXISTS ${quote(copy.name)}, ${quote(copy.old)}`),
    ...withLock(
      MYSQL_LOCK.none,
      `CREATE TABLE ${quote(copy.name)} LIKE ${quote(table)}`,
      // The shadow takes its column's name where it stands, as the in-place swap leaves it.
      ...(copy.swaps.length === 0
        ? []
        : [`ALTER TABLE ${quote(copy.name)} ${copy.swaps.map(({ swap }) => `DROP COLUMN ${quote(swap!.column)}, RENAME COLUMN ${quote(swap!.shadow)} TO ${quote(swap!.column)}`).join(', ')}`]),
      ...(copy.notNull.length === 0 ? [] : [`ALTER TABLE ${quote(copy.name)} ${copy.notNull.map((c) => `MODIFY COLUMN ${columnDefinition(c)}`).join(', ')}`]),
    ),
    ...shape,
    ...withLock(MYSQL_LOCK.metadata, ...triggers(table, copy, fills)),
  ],
  copyRows(table, copy, hasAfter, fills) {
    const t = quote(table);
    const { from, where } = keyRange(copy.key, t, { after: hasAfter, upTo: true });
    // A row a writer's trigger carried first stays as the writer left it, but for a fill's new
    // columns still empty there: a write to other columns of a row not yet filled leaves them
    // empty (the sync triggers leave an unrelated write alone), and the batch's value is the fill.
    const c = (column: string) => `${quote(copy.name)}.${quote(column)}`;
    const targets = fills.flatMap((f) => Object.keys(f.forward));
    const keep = (targets.length === 0 ? copy.key.map((k) => `${c(k)} = ${c(k)}`) : targets.map((t) => `${c(t)} = COALESCE(${c(t)}, VALUES(${quote(t)}))`)).join(', ');
    // The copy reads its rows share-locked: no writer changes or deletes them until the batch
    // commits (a row deleted after an unlocked read would come back in the copy), and a writer's
    // trigger that carries a copied row waits for that commit, then replaces it.
    const rows = `SELECT ${written(copy).map((c) => valueOf(c, t, copy, fills)).join(', ')} FROM ${from} WHERE ${where}`;
    const into = `INSERT INTO ${quote(copy.name)} (${list(written(copy))})`;
    // Answers the rows it copied: with FOUND_ROWS a duplicate left as it is counts once.
    const upsert = `ON DUPLICATE KEY UPDATE ${keep}`;
    // With an AUTO_INCREMENT column an INSERT ... SELECT holds the copy's AUTO-INC lock throughout,
    // which a trigger's insert waits for: waiting for a writer's row meanwhile would be a deadlock,
    // whose victim is the writer. There the range is share-locked by a read of its own first, so
    // the copy waits for no writer. Without one the copy locks as it reads, which reads the range
    // once instead of twice (a seventh less time for a copy on MariaDB).
    if (!copy.columns.some((c) => c.identity !== null)) return [`${into} ${rows} LOCK IN SHARE MODE ${upsert}`];
    return [`SELECT COUNT(*) AS n FROM ${from} WHERE ${where} LOCK IN SHARE MODE`, `${into} ${rows} ${upsert}`];
  },
  // READ COMMITTED: the share locks are on the range's rows, not the gaps between them, which the
  // application's inserts would wait for.
  // (Without SESSION, it sets the next transaction's level only, on MySQL and MariaDB alike.)
  beforeBatch: ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED'],
  swap: (table, copy, fills) => [
    // The counter as the table has it: a copy counts from its highest copied row, which would hand
    // out again the numbers of rows deleted from the end.
    ...withLock(
      MYSQL_LOCK.none,
      `SELECT AUTO_INCREMENT INTO @dbtide_counter FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${literal(table)}`,
      `SET @dbtide_counter = CONCAT(${literal(`ALTER TABLE ${quote(copy.name)} AUTO_INCREMENT = `)}, COALESCE(@dbtide_counter, 1))`,
      'PREPARE _dbtide_counter FROM @dbtide_counter',
      'EXECUTE _dbtide_counter',
      'DEALLOCATE PREPARE _dbtide_counter',
    ),
    // The syncs' triggers under the names of a moved sync: the table's own still hold theirs.
    ...fills.flatMap((f) => [...dropSyncTriggers(f.trigger, true), ...syncTriggers({ ...f, table: copy.name }, true)]),
    // The swapped columns' sync triggers went with the replaced table: dropped with the copy's.
    ...withLock(
      MYSQL_LOCK.metadata,
      `RENAME TABLE ${quote(table)} TO ${quote(copy.old)}, ${quote(copy.name)} TO ${quote(table)}`,
      ...dropTriggers(copy.triggers),
      ...copy.swaps.flatMap((s) => dropSyncTriggers(s.trigger).map((d) => d.sql)),
    ),
  ],
  dropOld: (old) => ({ sql: `DROP TABLE IF EXISTS ${quote(old)}`, lock: MYSQL_LOCK.metadata }),
  dropLeftover: ({ copy, old, triggers: names }) => [
    ...(names === null ? [] : withLock(MYSQL_LOCK.metadata, ...dropTriggers(names))),
    ...[copy, old].flatMap((t) => (t === null ? [] : [mysqlTableCopy.dropOld(t)])),
  ],
};
