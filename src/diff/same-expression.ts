import type { DefaultValue } from '../model/schema-model.js';
import { endOfQuoted } from '../model/quoted-text.js';
import type { ColumnType } from '../model/column-type.js';

/**
 * Casts as servers print them back (`'a'::character varying`, `x::timestamp(3) without time zone`).
 * The precision of timestamp and time comes before `with(out) time zone`, so it has its own place.
 */
const CAST =
  /^::(?:character varying|timestamp(?:\(\d+\))? with(?:out)? time zone|time(?:\(\d+\))? with(?:out)? time zone|double precision|bit varying|"[^"]+"|[a-z_][a-z0-9_.]*)(?:\(\d+(?:,\d+)?\))?(?:\[\])*/i;

/**
 * A comparison form of an SQL expression: servers print back what they were given with extra
 * parentheses, casts and different case, so those are removed before two expressions are compared.
 * String literals are kept exactly. Unquoted text is lower-cased, as PostgreSQL folds unquoted
 * identifiers; quoted identifiers (`"a"`, MySQL's `` `a` ``) lose their quotes but keep their case, so
 * `"Status"` differs from `status` while `"status"` equals it.
 *
 * Known limitation: every parenthesis is dropped, including those that only group, so `(a + b) * c`
 * and `a + (b * c)` compare equal. Servers print expressions back fully parenthesized, and telling
 * redundant parentheses from grouping ones needs an expression parser, so grouping is not compared.
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
      const cast = CAST.exec(expression.slice(i));
      i += cast ? cast[0].length : 2;
    } else {
      if (!/[\s()]/.test(ch)) out += ch.toLowerCase();
      i++;
    }
  }
  return out;
}

export const sameExpression = (a: string, b: string) => canonicalExpression(a) === canonicalExpression(b);

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
