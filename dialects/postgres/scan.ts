import { type ScanSql } from '../../src/dialect.js';
import { breaks, offenders, references, type RuleSpelling } from '../../src/dialect-kit/rule-sql.js';
import { range } from './backfill.js';
import { defaultSql, indexKey, literal, quote } from './compiler.js';
import { SHADOW } from '../../src/model/own-objects.js';

const columnsOf = (alias: string, columns: string[]) => columns.map((c) => `${alias}.${quote(c)}`).join(', ');
const tuple = (alias: string, columns: string[]) => `(${columnsOf(alias, columns)})`;

/** `($1, $2)`: one row of `width` parameters from `$from`. */
const row = (width: number, from: number) => `(${Array.from({ length: width }, (_, i) => `$${from + i}`).join(', ')})`;
/** `(($1, $2), ($3, $4))`: `count` rows of `width` parameters from `$from`. */
const rows = (count: number, width: number, from = 1) =>
  `(${Array.from({ length: count }, (_, r) => row(width, from + r * width)).join(', ')})`;

const SPELLING: RuleSpelling = { quote, distinct: (a, b) => `${a} IS DISTINCT FROM ${b}`, groupKey: indexKey, rowIdentity: 'ctid' };

export const postgresScan: ScanSql = {
  offenders: (table, rule, key) => offenders(table, rule, key, SPELLING),
  countInRange(table, rule, key, hasAfter) {
    if (rule.kind === 'unique' || rule.kind === 'exclusion') throw new Error('duplicates and conflicts are not row-local: count them with count(offenders)');
    return `SELECT count(*) AS n FROM ${quote(table)} t WHERE ${range({ table, key }, hasAfter)} AND (${breaks(rule, SPELLING)})`;
  },
  count: (offenders) => `SELECT count(*) AS n FROM (${offenders}) o`,
  page: (offenders, key, hasAfter, limit) =>
    `SELECT * FROM (${offenders}) o${hasAfter ? ` WHERE ${tuple('o', key)} > ${row(key.length, 1)}` : ''} ` +
    `ORDER BY ${columnsOf('o', key)} LIMIT ${limit}`,
  lockOffenders: (table, key, count, offenders) =>
    `SELECT ${columnsOf('x', key)} FROM ${quote(table)} x WHERE ${tuple('x', key)} IN ${rows(count, key.length)} ` +
    `AND ${tuple('x', key)} IN (${offenders}) FOR UPDATE OF x`,
  dependents: (child, fk, parentKey, count) =>
    `SELECT ${columnsOf('c', child.key)} FROM ${quote(child.table)} c ` +
    `WHERE ${tuple('c', fk.columns)} IN (SELECT ${columnsOf('p', fk.referencedColumns)} FROM ${quote(fk.referencedTable)} p ` +
    `WHERE ${tuple('p', parentKey)} IN ${rows(count, parentKey.length)}) ` +
    `AND NOT EXISTS (SELECT 1 FROM ${quote(fk.referencedTable)} q WHERE ${references(fk, 'c', 'q', SPELLING)} ` +
    `AND ${tuple('q', parentKey)} NOT IN ${rows(count, parentKey.length, count * parentKey.length + 1)}) FOR UPDATE OF c`,
  copyToShadow: (table, shadow, columns, key, count) =>
    `WITH moved AS (INSERT INTO ${quote(shadow)} (${[...columns, SHADOW.archivedAt, SHADOW.reason].map(quote).join(', ')}) ` +
    `SELECT ${columnsOf('x', columns)}, now(), $1 FROM ${quote(table)} x WHERE ${tuple('x', key)} IN ${rows(count, key.length, 2)} RETURNING 1) ` +
    'SELECT count(*) AS n FROM moved',
  deleteRows: (table, key, count) =>
    `WITH gone AS (DELETE FROM ${quote(table)} x WHERE ${tuple('x', key)} IN ${rows(count, key.length)} RETURNING 1) SELECT count(*) AS n FROM gone`,
  fillDefault: (table, column, key, count) =>
    `WITH filled AS (UPDATE ${quote(table)} x SET ${quote(column.name)} = ${defaultSql(column.default!)} ` +
    `WHERE ${tuple('x', key)} IN ${rows(count, key.length)} AND x.${quote(column.name)} IS NULL RETURNING 1) SELECT count(*) AS n FROM filled`,
  shadowColumns: (name) =>
    `SELECT a.attname::text AS column_name, coalesce(obj_description(c.oid, 'pg_class'), '') AS marker ` +
    `FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ` +
    `WHERE c.oid = to_regclass(${literal(quote(name))}) ORDER BY a.attnum`,
  markShadow: (shadow, of) => [`COMMENT ON TABLE ${quote(shadow)} IS ${literal(SHADOW.marker + of)}`],
};
