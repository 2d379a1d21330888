import type { ScanSql } from '../../src/dialect.js';
import { breaks, offenders, references, type RuleSpelling } from '../../src/dialect-kit/rule-sql.js';
import { SHADOW } from '../../src/model/own-objects.js';
import { columnType, defaultSql, indexKey } from './compiler.js';
import { keyList, keyRange } from './key-range.js';
import { literal, quote, storedName } from './names.js';
import { declaredColumn } from './version-schemas.js';

const columnsOf = (alias: string, columns: string[]) => columns.map((c) => `${alias}.${quote(c)}`).join(', ');

/** Exclusion rules never reach Db2 (capabilities.exclusionConstraints), so no row identity is named. */
const SPELLING: RuleSpelling = { quote, distinct: (a, b) => `${a} IS DISTINCT FROM ${b}`, groupKey: indexKey };

/**
 * Locks what the query reads that qualifies, until the unit of work ends, with update locks: other
 * writers wait, readers do not. Not FOR UPDATE, which Db2 refuses on a query that reads the table
 * again in a subquery, as these do.
 */
const KEEP_LOCKS = 'WITH RS USE AND KEEP UPDATE LOCKS';

/**
 * The rows a data change touched, counted. An UPDATE or DELETE is read as OLD TABLE: FINAL TABLE is
 * refused on a table with an AFTER trigger that changes it (SQL0989N), which the application may
 * have; an INSERT has only FINAL (or NEW) TABLE, and a shadow table has no trigger.
 */
const counted = (rows: 'OLD' | 'FINAL', change: string) => `SELECT COUNT(*) AS "n" FROM ${rows} TABLE (${change})`;

export const db2Scan: ScanSql = {
  offenders: (table, rule, key) => offenders(table, rule, key, SPELLING),
  countInRange(table, rule, key, hasAfter) {
    if (rule.kind === 'unique' || rule.kind === 'exclusion') throw new Error('duplicates and conflicts are not row-local: count them with count(offenders)');
    const range = keyRange(key, 't', { after: hasAfter, upTo: true }, `${quote(table)} t`);
    return `${range.with} SELECT COUNT(*) AS "n" FROM ${quote(table)} t WHERE ${range.where} AND (${breaks(rule, SPELLING)})`;
  },
  count: (offenders) => `SELECT COUNT(*) AS "n" FROM (${offenders}) o`,
  page(offenders, key, hasAfter, limit) {
    const order = `ORDER BY ${columnsOf('o', key)} FETCH FIRST ${limit} ROWS ONLY`;
    if (!hasAfter) return `SELECT o.* FROM (${offenders}) o ${order}`;
    const range = keyRange(key, 'o', { after: true, upTo: false }, `(${offenders}) t`);
    return `${range.with} SELECT o.* FROM (${offenders}) o WHERE ${range.where} ${order}`;
  },
  lockOffenders: (table, key, count, offenders) =>
    `SELECT ${columnsOf('x', key)} FROM ${quote(table)} x WHERE ${keyList('x', key, count)} ` +
    `AND EXISTS (SELECT 1 FROM (${offenders}) o WHERE ${key.map((k) => `o.${quote(k)} = x.${quote(k)}`).join(' AND ')}) ${KEEP_LOCKS}`,
  dependents: (child, fk, parentKey, count) =>
    `SELECT ${columnsOf('c', child.key)} FROM ${quote(child.table)} c ` +
    `WHERE EXISTS (SELECT 1 FROM ${quote(fk.referencedTable)} p WHERE ${references(fk, 'c', 'p', SPELLING)} AND ${keyList('p', parentKey, count)}) ` +
    `AND NOT EXISTS (SELECT 1 FROM ${quote(fk.referencedTable)} q WHERE ${references(fk, 'c', 'q', SPELLING)} ` +
    `AND NOT ${keyList('q', parentKey, count)}) ${KEEP_LOCKS}`,
  // The time is UTC, as the shadow's timestamptz column means it; the reason is typed as its column.
  copyToShadow: (table, shadow, columns, key, count) =>
    counted(
      'FINAL',
      `INSERT INTO ${quote(shadow)} (${[...columns, SHADOW.archivedAt, SHADOW.reason].map(quote).join(', ')}) ` +
        `SELECT ${columnsOf('x', columns)}, CURRENT TIMESTAMP - CURRENT TIMEZONE, CAST(? AS ${columnType({ kind: 'text' })}) ` +
        `FROM ${quote(table)} x WHERE ${keyList('x', key, count)}`,
    ),
  deleteRows: (table, key, count) => counted('OLD', `DELETE FROM ${quote(table)} WHERE ${keyList('', key, count)}`),
  fillDefault: (table, column, key, count) =>
    counted('OLD', `UPDATE ${quote(table)} SET ${quote(column.name)} = ${defaultSql(column.default!)} WHERE ${keyList('', key, count)} AND ${quote(column.name)} IS NULL`),
  shadowColumns: (name) =>
    `SELECT ${declaredColumn('c.COLNAME')} AS "column_name", COALESCE(t.REMARKS, '') AS "marker" FROM SYSCAT.TABLES t ` +
    'JOIN SYSCAT.COLUMNS c ON c.TABSCHEMA = t.TABSCHEMA AND c.TABNAME = t.TABNAME ' +
    `WHERE t.TABSCHEMA = CURRENT SCHEMA AND t.TABNAME = ${literal(storedName(name))} ORDER BY c.COLNO`,
  markShadow: (shadow, of) => [`COMMENT ON TABLE ${quote(shadow)} IS ${literal(SHADOW.marker + of)}`],
};
