import { SHADOW, type ScanSql } from '../../src/dialect.js';
import type { ForeignKeyModel } from '../../src/model/schema-model.js';
import type { PrecheckRule } from '../../src/plan/step.js';
import { range } from './backfill.js';
import { defaultSql, indexKey, literal, quote } from './compiler.js';

const RANK = '_dbtide_rank';

const columnsOf = (alias: string, columns: string[]) => columns.map((c) => `${alias}.${quote(c)}`).join(', ');
const tuple = (alias: string, columns: string[]) => `(${columnsOf(alias, columns)})`;
/** What a SELECT of offenders returns: the key, or a constant when the table has none. */
const selectKey = (alias: string, key: string[]) => (key.length > 0 ? columnsOf(alias, key) : '1 AS one');

/** `($1, $2)`: one row of `width` parameters from `$from`. */
const row = (width: number, from: number) => `(${Array.from({ length: width }, (_, i) => `$${from + i}`).join(', ')})`;
/** `(($1, $2), ($3, $4))`: `count` rows of `width` parameters from `$from`. */
const rows = (count: number, width: number, from = 1) =>
  `(${Array.from({ length: count }, (_, r) => row(width, from + r * width)).join(', ')})`;

const references = (fk: ForeignKeyModel, child: string, parent: string) =>
  fk.columns.map((c, i) => `${parent}.${quote(fk.referencedColumns[i]!)} = ${child}.${quote(c)}`).join(' AND ');

/** The condition a row (alias `t`) meets when it breaks a row-local rule. */
function breaks(rule: Exclude<PrecheckRule, { kind: 'unique' }>): string {
  switch (rule.kind) {
    case 'not-null':
      return rule.columns.map((c) => `t.${quote(c)} IS NULL`).join(' OR ');
    case 'foreign-key': {
      const fk = rule.foreignKey;
      // A row with a NULL in its key references nothing, so it cannot be an orphan.
      return `${fk.columns.map((c) => `t.${quote(c)} IS NOT NULL`).join(' AND ')} AND NOT EXISTS ` +
        `(SELECT 1 FROM ${quote(fk.referencedTable)} r WHERE ${references(fk, 't', 'r')})`;
    }
    case 'check':
      // NOT of NULL is NULL: a check that yields NULL passes, as the server judges it.
      return `NOT (${rule.check.expression})`;
    case 'verification': {
      const { sync } = rule;
      return Object.entries(sync.forward)
        .map(([c, e]) => (sync.fillOnly ? `t.${quote(c)} IS NULL` : `t.${quote(c)} IS DISTINCT FROM (${e})`))
        .join(' OR ');
    }
  }
}

/**
 * Every row of a duplicate group but the first in key order: what a repair removes keeps one row
 * per value. NULLs never collide in a unique key, so rows with a NULL key are left out.
 */
function duplicates(table: string, rule: Extract<PrecheckRule, { kind: 'unique' }>, key: string[]): string {
  const expressions = rule.keys.map((k) => indexKey(k.replace(/\s+(asc|desc)$/i, '')));
  const conditions = [...expressions.map((e) => `${e} IS NOT NULL`), ...(rule.where ? [`(${rule.where})`] : [])];
  const order = key.length > 0 ? ` ORDER BY ${key.map(quote).join(', ')}` : '';
  const keep = key.length > 0 ? `${key.map(quote).join(', ')}, ` : '';
  return `SELECT ${selectKey('d', key)} FROM (SELECT ${keep}row_number() OVER (PARTITION BY ${expressions.join(', ')}${order}) AS ${RANK} ` +
    `FROM ${quote(table)} WHERE ${conditions.join(' AND ')}) d WHERE d.${RANK} > 1`;
}

export const postgresScan: ScanSql = {
  offenders: (table, rule, key) =>
    rule.kind === 'unique' ? duplicates(table, rule, key) : `SELECT ${selectKey('t', key)} FROM ${quote(table)} t WHERE ${breaks(rule)}`,
  countInRange(table, rule, key, hasAfter) {
    if (rule.kind === 'unique') throw new Error('duplicates are not row-local: count them with count(offenders)');
    return `SELECT count(*) AS n FROM ${quote(table)} t WHERE ${range({ table, key }, hasAfter)} AND (${breaks(rule)})`;
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
    `AND NOT EXISTS (SELECT 1 FROM ${quote(fk.referencedTable)} q WHERE ${references(fk, 'c', 'q')} ` +
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
