import { type ScanSql } from '../../src/dialect.js';
import type { IndexKey } from '../../src/model/index-entry.js';
import { breaks, offenders, references, type RuleSpelling } from '../../src/dialect-kit/rule-sql.js';
import { keyRange } from './backfill.js';
import { defaultSql, indexKey, literal, quote } from './compiler.js';
import { SHADOW } from '../../src/model/own-objects.js';

const columnsOf = (alias: string, columns: string[]) => columns.map((c) => `${alias}${quote(c)}`).join(', ');
/** A key as the left side of IN: one column, or a row of them. */
const tuple = (alias: string, columns: string[]) => (columns.length === 1 ? columnsOf(alias, columns) : `(${columnsOf(alias, columns)})`);

/** `(?, ?)` for one column, `((?, ?), (?, ?))` for two: `count` keys of `width` parameters, matching `tuple`. */
const rows = (count: number, width: number) => {
  const one = width === 1 ? '?' : `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return `(${Array.from({ length: count }, () => one).join(', ')})`;
};

/** An index key as a value to group by: a prefix key `c(10)` groups by the first 10 characters. */
const keyValue = (key: IndexKey) =>
  key.kind === 'column' && key.prefix !== null ? `LEFT(${quote(key.column)}, ${key.prefix})` : indexKey(key);

const SPELLING: RuleSpelling = { quote, distinct: (a, b) => `NOT (${a} <=> ${b})`, groupKey: keyValue };

/**
 * Statements that change rows answer `n` through the driver (the rows matched), where PostgreSQL
 * counts them in SQL. Key ranges come as the backfill spells them: row comparisons would not walk
 * the key index.
 */
export const mysqlScan: ScanSql = {
  offenders: (table, rule, key) => offenders(table, rule, key, SPELLING),
  countInRange(table, rule, key, hasAfter) {
    if (rule.kind === 'unique' || rule.kind === 'exclusion') throw new Error('duplicates and conflicts are not row-local: count them with count(offenders)');
    const { from, where } = keyRange(key, 't', { after: hasAfter, upTo: true }, `${quote(table)} t`);
    return `SELECT count(*) AS n FROM ${from} WHERE ${where} AND (${breaks(rule, SPELLING)})`;
  },
  count: (offenders) => `SELECT count(*) AS n FROM (${offenders}) o`,
  page(offenders, key, hasAfter, limit) {
    const order = `ORDER BY ${columnsOf('o.', key)} LIMIT ${limit}`;
    if (!hasAfter) return `SELECT o.* FROM (${offenders}) o ${order}`;
    const { from, where } = keyRange(key, 'o', { after: true, upTo: false }, `(${offenders}) o`);
    return `SELECT o.* FROM ${from} WHERE ${where} ${order}`;
  },
  // MariaDB has no FOR UPDATE OF: the rows locked are the listed rows of this table.
  lockOffenders: (table, key, count, offenders) =>
    `SELECT ${columnsOf('x.', key)} FROM ${quote(table)} x WHERE ${tuple('x.', key)} IN ${rows(count, key.length)} ` +
    `AND ${tuple('x.', key)} IN (${offenders}) FOR UPDATE`,
  dependents: (child, fk, parentKey, count) =>
    `SELECT ${columnsOf('c.', child.key)} FROM ${quote(child.table)} c ` +
    `WHERE ${tuple('c.', fk.columns)} IN (SELECT ${columnsOf('p.', fk.referencedColumns)} FROM ${quote(fk.referencedTable)} p ` +
    `WHERE ${tuple('p.', parentKey)} IN ${rows(count, parentKey.length)}) ` +
    `AND NOT EXISTS (SELECT 1 FROM ${quote(fk.referencedTable)} q WHERE ${references(fk, 'c', 'q', SPELLING)} ` +
    `AND ${tuple('q.', parentKey)} NOT IN ${rows(count, parentKey.length)}) FOR UPDATE`,
  copyToShadow: (table, shadow, columns, key, count) =>
    `INSERT INTO ${quote(shadow)} (${[...columns, SHADOW.archivedAt, SHADOW.reason].map(quote).join(', ')}) ` +
    `SELECT ${columnsOf('x.', columns)}, NOW(6), ? FROM ${quote(table)} x WHERE ${tuple('x.', key)} IN ${rows(count, key.length)}`,
  // A single-table DELETE takes no alias on MariaDB.
  deleteRows: (table, key, count) => `DELETE FROM ${quote(table)} WHERE ${tuple('', key)} IN ${rows(count, key.length)}`,
  fillDefault: (table, column, key, count) =>
    `UPDATE ${quote(table)} SET ${quote(column.name)} = ${defaultSql(column.default!, column.type)} ` +
    `WHERE ${tuple('', key)} IN ${rows(count, key.length)} AND ${quote(column.name)} IS NULL`,
  shadowColumns: (name) =>
    'SELECT c.COLUMN_NAME AS column_name, t.TABLE_COMMENT AS marker FROM information_schema.TABLES t ' +
    'JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME ' +
    `WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME = ${literal(name)} ORDER BY c.ORDINAL_POSITION`,
  markShadow: (shadow, of) => [`ALTER TABLE ${quote(shadow)} COMMENT = ${literal(SHADOW.marker + of)}`],
};
