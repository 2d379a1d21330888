import type { NotNullShadowSql } from '../../src/dialect.js';
import { withLock } from '../../src/model/locks.js';
import type { ColumnType } from '../../src/model/column-type.js';
import type { DefaultValue } from '../../src/model/schema-model.js';
import { columnDefinition, quote } from './compiler.js';
import { MYSQL_LOCK } from './locks.js';
import { updateTriggerName } from './trigger-names.js';

const field = (row: 'NEW', column: string) => `${row}.${quote(column)}`;

/**
 * A constant of the type. JSON is left out: MariaDB's JSON is LONGTEXT under a JSON_VALID check,
 * which a constant would have to pass too; types dbtide does not model are left out as well.
 */
function placeholder(type: ColumnType): DefaultValue | null {
  const value = (v: string | number): DefaultValue => ({ kind: 'literal', value: v });
  switch (type.kind) {
    case 'smallint': case 'int': case 'bigint': case 'real': case 'double': case 'numeric': case 'boolean':
      return value(0);
    case 'text': case 'varchar': case 'uuid': case 'binary':
      return value('');
    case 'date':
      return value('2000-01-01');
    // Within TIMESTAMP's range in any session time zone.
    case 'timestamp':
      return value('2000-01-01 00:00:00');
    case 'json': case 'native':
      return null;
  }
}

/**
 * MariaDB 10.6+: ADD and DROP COLUMN are instant, DROP and RENAME INDEX change only metadata
 * (NOCOPY), and one ALTER is atomic, so the swap is one metadata statement under LOCK TABLES.
 */
export const mysqlNotNullShadow: NotNullShadowSql = {
  placeholder,
  // Right after the column: once swapped in, it stands where the column stood.
  addShadow: (table, column, shadow) => {
    const value = column.default ?? placeholder(column.type);
    return {
      sql: `ALTER TABLE ${quote(table)} ADD COLUMN ${columnDefinition({ ...column, name: shadow, nullable: false, default: value })} AFTER ${quote(column.name)}, ALGORITHM=INSTANT, LOCK=DEFAULT`,
      lock: MYSQL_LOCK.instant,
    };
  },
  // Every write copies, the fill's included: a write that changed the column after the fill read
  // it must not leave the shadow behind. The INSERT trigger comes last and marks the copy complete.
  copyTriggers: (table, column, shadow, trigger) => {
    const body = `FOR EACH ROW SET ${field('NEW', shadow)} = ${field('NEW', column)}`;
    return withLock(
      MYSQL_LOCK.metadata,
      `CREATE TRIGGER IF NOT EXISTS ${quote(updateTriggerName(trigger))} BEFORE UPDATE ON ${quote(table)} ${body}`,
      `CREATE TRIGGER ${quote(trigger)} BEFORE INSERT ON ${quote(table)} ${body}`,
    );
  },
  differs: (column, shadow) => `NOT (CAST(${quote(shadow)} AS BINARY) <=> CAST(${quote(column)} AS BINARY))`,
  swap: (table, { column, shadow, trigger, indexes, drops }) => [
    ...withLock(MYSQL_LOCK.tableWrite, `LOCK TABLES ${quote(table)} WRITE`),
    ...dropTriggers(trigger),
    {
      sql: `ALTER TABLE ${quote(table)} ${[
        ...[...indexes.map((i) => i.name), ...drops].map((name) => `DROP INDEX ${quote(name)}`),
        `DROP COLUMN ${quote(column.name)}`,
        `CHANGE COLUMN ${quote(shadow)} ${columnDefinition(column)}`,
        ...indexes.map((i) => `RENAME INDEX ${quote(i.shadow)} TO ${quote(i.name)}`),
      ].join(', ')}, ALGORITHM=NOCOPY, LOCK=NONE`,
      lock: MYSQL_LOCK.instant,
    },
    ...withLock(MYSQL_LOCK.none, 'UNLOCK TABLES'),
  ],
  dropShadow: (table, { column, trigger, indexes }) => [
    ...(trigger === null ? [] : dropTriggers(trigger)),
    ...(column === null
      ? []
      : [{ sql: `ALTER TABLE ${quote(table)} ${[...indexes.map((i) => `DROP INDEX ${quote(i)}`), `DROP COLUMN ${quote(column)}`].join(', ')}, ALGORITHM=NOCOPY, LOCK=NONE`, lock: MYSQL_LOCK.instant }]),
  ],
};

/** The INSERT trigger first: once it is gone, the copy no longer counts as complete. */
const dropTriggers = (trigger: string) =>
  withLock(MYSQL_LOCK.metadata, `DROP TRIGGER IF EXISTS ${quote(trigger)}`, `DROP TRIGGER IF EXISTS ${quote(updateTriggerName(trigger))}`);
