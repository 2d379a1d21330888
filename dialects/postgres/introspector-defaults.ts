/**
 * Turns a column default as PostgreSQL prints it (`pg_get_expr(adbin, adrelid)`) into the model's
 * DefaultValue: plain constants become literals so they compare equal to declared ones; anything
 * else stays the server's own text.
 */
import type { DefaultValue } from '../../src/model/schema-model.js';
import type { ColumnType } from '../../src/model/column-type.js';

const NUMERIC_KINDS = new Set<ColumnType['kind']>(['smallint', 'int', 'bigint', 'real', 'double', 'numeric']);

/**
 * An optional cast such as `::double precision` or `::"My Type"[]`. Operators are not allowed, but
 * PostgreSQL parenthesizes a top-level operator anyway: `(1 + 2)`, `('a'::text || 'b'::text)`.
 */
const CAST = String.raw`(?:::[\w\s".,()\[\]]+)?`;

/** `NULL`, `NULL::text`, `NULL::character varying(10)`: a cast of nothing is still no default. */
const NULL_DEFAULT = new RegExp(String.raw`^NULL${CAST}$`);

/** PostgreSQL prints negative and wide constants quoted and cast (`'-1'::integer`), others bare (`0`, `1.50`). */
const NUMBER = String.raw`-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const NUMBER_DEFAULT = new RegExp(String.raw`^(?:'(${NUMBER})'|(${NUMBER}))${CAST}$`);

/** `'it''s'::text`: always cast, since a bare quoted constant would be of type unknown. */
const STRING_DEFAULT = new RegExp(String.raw`^'((?:[^']|'')*)'${CAST}$`);

export function parsePostgresDefault(text: string | null, type: ColumnType): DefaultValue | null {
  if (text === null || NULL_DEFAULT.test(text)) return null;
  if (text === 'true' || text === 'false') return { kind: 'literal', value: text === 'true' };
  const number = NUMERIC_KINDS.has(type.kind) ? numberLiteral(text) : null;
  if (number !== null) return { kind: 'literal', value: number };
  const string = STRING_DEFAULT.exec(text);
  if (string) return { kind: 'literal', value: string[1]!.replaceAll("''", "'") };
  return { kind: 'sql', expression: text };
}

/**
 * The constant a number default denotes, or null when it is no plain number. A value that a JS
 * number would round (a bigint past 2^53, a numeric with 20 digits) stays its exact decimal
 * text, so that no plan ever writes back a rounded default.
 */
function numberLiteral(text: string): number | string | null {
  const match = NUMBER_DEFAULT.exec(stripParentheses(text));
  const literal = match?.[1] ?? match?.[2];
  if (literal === undefined) return null;
  const value = Number(literal);
  return isExact(literal, value) ? value : literal;
}

/** `(-1)` prints a negative constant wrapped once. Only one pair: NUMBER_DEFAULT rejects what is left of `(1) + (2)`. */
function stripParentheses(text: string): string {
  return text.startsWith('(') && text.endsWith(')') ? text.slice(1, -1) : text;
}

/** True when the shortest spelling of the JS number denotes the same decimal as the literal. */
function isExact(literal: string, value: number): boolean {
  return decimalKey(literal) === decimalKey(String(value));
}

/** A decimal as sign, significant digits and exponent (`-1.50` and `-15e-1` both give `-15e1`); null for `Infinity`. */
function decimalKey(decimal: string): string | null {
  const parts = /^(-?)(\d*)\.?(\d*)(?:e([-+]?\d+))?$/i.exec(decimal);
  if (!parts) return null;
  const [, sign, whole = '', fraction = '', exponent = '0'] = parts;
  const digits = whole + fraction;
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  if (significant === '') return '0';
  const leadingZeros = digits.length - digits.replace(/^0+/, '').length;
  return `${sign}${significant}e${whole.length - leadingZeros + Number(exponent)}`;
}
