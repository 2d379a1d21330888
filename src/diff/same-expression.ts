import type { DefaultValue } from '../model/schema-model.js';
import { endOfQuoted } from '../model/quoted-text.js';
import type { ColumnType } from '../model/column-type.js';
import { castLength } from './printed-casts.js';
import { expressionGrouping } from './expression-grouping.js';

/**
 * A comparison form of an SQL expression: servers print back what they were given with extra
 * parentheses, casts and different case, so those are removed before two expressions are compared.
 * String literals are kept exactly. Unquoted text is lower-cased, as PostgreSQL folds unquoted
 * identifiers; quoted identifiers (`"a"`, MySQL's `` `a` ``) lose their quotes but keep their case, so
 * `"Status"` differs from `status` while `"status"` equals it.
 *
 * Every parenthesis is dropped, including those that group: sameExpression compares grouping
 * where src/diff/expression-grouping.ts can read it.
 */
export function canonicalExpression(expression: string): string {
  let out = '';
  let i = 0;
  while (i < expression.length) {
    const ch = expression[i]!;
    if (ch === "'") {
      const end = endOfQuoted(expression, i, "'");
      out += expression.slice(i, end);
      i = end;
    } else if (ch === '"' || ch === '`') {
      const end = endOfQuoted(expression, i, ch);
      out += expression.slice(i + 1, end - 1);
      i = end;
    } else if (ch === ':' && expression[i + 1] === ':') {
      i += castLength(expression.slice(i));
    } else {
      if (!/[\s()]/.test(ch)) out += ch.toLowerCase();
      i++;
    }
  }
  return out;
}

/** Equal text once printing differences are gone, and the same grouping where both can be read. */
export function sameExpression(a: string, b: string): boolean {
  if (canonicalExpression(a) !== canonicalExpression(b)) return false;
  const [left, right] = [expressionGrouping(a), expressionGrouping(b)];
  return left === null || right === null || left === right;
}

/** A default as SQL text, so a literal and an equivalent expression compare equal. */
export function defaultAsSql(value: DefaultValue, type: ColumnType): string {
  if (value.kind === 'sql') return value.expression;
  if (typeof value.value === 'string') {
    const numericColumn = ['smallint', 'int', 'bigint', 'real', 'double', 'numeric'].includes(type.kind);
    return numericColumn && value.value.trim() !== '' && !Number.isNaN(Number(value.value))
      ? String(Number(value.value))
      : `'${value.value.replace(/'/g, "''")}'`;
  }
  return String(value.value);
}

export function sameDefault(a: DefaultValue | null, b: DefaultValue | null, type: ColumnType): boolean {
  if (a === null || b === null) return a === b;
  return sameExpression(defaultAsSql(a, type), defaultAsSql(b, type));
}
