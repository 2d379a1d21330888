import type { IndexKey } from '../model/index-entry.js';
import { splitExpressionEntry } from '../model/index-key-words.js';
import type { ForeignKeyModel } from '../model/schema-model.js';
import type { PrecheckRule } from '../model/precheck-rule.js';

/** The few spellings in which the dialects' offender queries differ. */
export interface RuleSpelling {
  quote(name: string): string;
  /** True when `a` and `b` differ, NULLs compared as values. */
  distinct(a: string, b: string): string;
  /** An index key, without sort order or operator class, as a value to group duplicates by. */
  groupKey(key: IndexKey): string;
  /** What tells one stored row from another without a key (PostgreSQL's ctid), where exclusion rules exist. */
  rowIdentity?: string;
}

// Quoted where used: Db2 takes no unquoted name that starts with an underscore.
const RANK = '_dbtide_rank';

/** `p.ref = c.col AND ...`: the child row (alias `child`) points at the parent row (alias `parent`). */
export const references = (fk: ForeignKeyModel, child: string, parent: string, s: RuleSpelling) =>
  fk.columns.map((c, i) => `${parent}.${s.quote(fk.referencedColumns[i]!)} = ${child}.${s.quote(c)}`).join(' AND ');

/** What a SELECT of offenders returns: the key, or a constant when the table has none. */
export const selectKey = (alias: string, key: string[], s: RuleSpelling) =>
  key.length > 0 ? key.map((c) => `${alias}.${s.quote(c)}`).join(', ') : '1 AS one';

/** The condition a row (alias `t`) meets when it breaks a row-local rule. */
export function breaks(rule: Exclude<PrecheckRule, { kind: 'unique' | 'exclusion' }>, s: RuleSpelling): string {
  switch (rule.kind) {
    case 'not-null':
      return rule.columns.map((c) => `t.${s.quote(c)} IS NULL`).join(' OR ');
    case 'foreign-key': {
      const fk = rule.foreignKey;
      // A row with a NULL in its key references nothing, so it cannot be an orphan.
      return `${fk.columns.map((c) => `t.${s.quote(c)} IS NOT NULL`).join(' AND ')} AND NOT EXISTS ` +
        `(SELECT 1 FROM ${s.quote(fk.referencedTable)} r WHERE ${references(fk, 't', 'r', s)})`;
    }
    case 'check':
      // NOT of NULL is NULL: a check that yields NULL passes, as the server judges it.
      return `NOT (${rule.check.expression})`;
    case 'verification': {
      const forward = Object.entries(rule.sync.forward);
      if (rule.exact) return forward.map(([c, e]) => s.distinct(`t.${s.quote(c)}`, `(${e})`)).join(' OR ');
      const empty = forward.map(([c]) => `t.${s.quote(c)} IS NULL`).join(' AND ');
      return `(${empty}) AND (${forward.map(([, e]) => `(${e}) IS NOT NULL`).join(' OR ')})`;
    }
  }
}

/**
 * Every row of a duplicate group but the first in key order: what a repair removes keeps one row
 * per value. NULLs never collide in a unique key, so rows with a NULL key are left out, unless the
 * key makes NULLs not distinct (window partitions put NULLs together, as such a key does).
 */
export function duplicates(table: string, rule: Extract<PrecheckRule, { kind: 'unique' }>, key: string[], s: RuleSpelling): string {
  const expressions = rule.keys.map((k) =>
    s.groupKey(k.kind === 'column' ? { ...k, modifiers: '' } : { ...k, expression: k.expression.replace(/\s+(asc|desc)$/i, '') }),
  );
  const conditions = [...(rule.nullsNotDistinct ? [] : expressions.map((e) => `${e} IS NOT NULL`)), ...(rule.where ? [`(${rule.where})`] : [])];
  const order = key.length > 0 ? ` ORDER BY ${key.map(s.quote).join(', ')}` : '';
  const keep = key.length > 0 ? `${key.map(s.quote).join(', ')}, ` : '';
  return `SELECT ${selectKey('d', key, s)} FROM (SELECT ${keep}row_number() OVER (PARTITION BY ${expressions.join(', ')}${order}) AS ${s.quote(RANK)} ` +
    `FROM ${s.quote(table)}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}) d WHERE d.${s.quote(RANK)} > 1`;
}

/**
 * Every row that collides with another row under an exclusion rule: both rows of each pair, since
 * which one should go is the operator's call. A self-join, each row against every other: without
 * the constraint's index (not built yet) the server compares pairs, so the cost grows with the
 * square of the rows (an `=` element lets it hash instead). Keys are computed once per row first,
 * so an expression reads only its own row's columns.
 */
export function conflicts(table: string, rule: Extract<PrecheckRule, { kind: 'exclusion' }>, key: string[], s: RuleSpelling): string {
  if (!s.rowIdentity) throw new Error('internal: exclusion rules need RuleSpelling.rowIdentity');
  const value = (k: IndexKey) =>
    k.kind === 'column' ? `t.${s.quote(k.column)}` : `(${splitExpressionEntry(k.expression).body})`;
  const keyed = [
    `t.${s.rowIdentity} AS ${ROW}`,
    ...key.map((c) => `t.${s.quote(c)}`),
    ...rule.keys.map((k, i) => `${value(k)} AS ${KEY}${i}`),
  ];
  const match = rule.operators.map((op, i) => `a.${KEY}${i} ${op} b.${KEY}${i}`).join(' AND ');
  return `WITH k AS (SELECT ${keyed.join(', ')} FROM ${s.quote(table)} t${rule.where ? ` WHERE (${rule.where})` : ''}) ` +
    `SELECT ${selectKey('a', key, s)} FROM k a WHERE EXISTS (SELECT 1 FROM k b WHERE b.${ROW} <> a.${ROW} AND ${match})`;
}

const ROW = '_dbtide_row';
const KEY = '_dbtide_key';

/** `SELECT <key> FROM table t WHERE <breaks>`: the offenders of a rule, in any order. */
export function offenders(table: string, rule: PrecheckRule, key: string[], s: RuleSpelling): string {
  if (rule.kind === 'unique') return duplicates(table, rule, key, s);
  if (rule.kind === 'exclusion') return conflicts(table, rule, key, s);
  return `SELECT ${selectKey('t', key, s)} FROM ${s.quote(table)} t WHERE ${breaks(rule, s)}`;
}
