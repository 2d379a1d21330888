import { describe, expect, it } from 'vitest';
import { canonicalExpression, defaultAsSql, sameDefault, sameExpression } from '../../src/diff/same-expression.js';
import type { DefaultValue } from '../../src/model/schema-model.js';
import type { ColumnType } from '../../src/model/column-type.js';

const text: ColumnType = { kind: 'text' };
const varchar: ColumnType = { kind: 'varchar', length: 32 };
const int: ColumnType = { kind: 'int' };
const bigint: ColumnType = { kind: 'bigint' };
const numeric: ColumnType = { kind: 'numeric', precision: 10, scale: 2 };
const double: ColumnType = { kind: 'double' };
const boolean: ColumnType = { kind: 'boolean' };
const timestamp: ColumnType = { kind: 'timestamp', withTimeZone: false };
const textArray: ColumnType = { kind: 'native', sql: 'text[]' };

const literal = (value: string | number | boolean): DefaultValue => ({ kind: 'literal', value });
const sql = (expression: string): DefaultValue => ({ kind: 'sql', expression });

describe('canonicalExpression', () => {
  it.each([
    // casts PostgreSQL prints back
    ["'active'::character varying", "'active'"],
    ["'active'::character varying(32)", "'active'"],
    ["(status)::text = 'x'::text", "status='x'"],
    ["'2020-01-01 00:00:00'::timestamp without time zone", "'2020-01-01 00:00:00'"],
    ["'12:00'::time with time zone", "'12:00'"],
    ["'{}'::text[]", "'{}'"],
    ["'{a,b}'::character varying[]", "'{a,b}'"],
    ["ARRAY['a'::text, 'b'::text]", "array['a','b']"],
    ["'1'::numeric(10,2)", "'1'"],
    ['(1)::double precision', '1'],
    ["B'101'::bit varying(8)", "b'101'"],
    ['x::"My Type"', 'x'],
    ['x::public.mood', 'x'],
    ['(price > (0)::numeric)', 'price>0'],
    // case and white space outside literals; literals verbatim
    ["LOWER(Email) = 'A b'", "loweremail='A b'"],
    ['  a\n >\t0 ', 'a>0'],
    // quoted identifiers: quotes removed
    ['"status" IS NOT NULL', 'statusisnotnull'],
    // doubled quotes and casts inside literals are kept
    ["'it''s'::text", "'it''s'"],
    ["'x::text'", "'x::text'"],
    ["'say \"Hi\"'", "'say \"Hi\"'"],
    // an unterminated literal runs to the end
    ["'abc", "'abc"],
    // a lone colon is kept; a cast the pattern does not know drops only the ::
    ['a : b', 'a:b'],
    ['x::', 'x'],
  ])('%j -> %j', (input, expected) => {
    expect(canonicalExpression(input)).toBe(expected);
  });
});

describe('sameExpression', () => {
  it.each([
    ["(status)::text = 'x'::text", "status = 'x'"],
    ['(price > (0)::numeric)', 'price > 0'],
    ['((price > 0))', 'price > 0'],
    ["'2020-01-01'::timestamp without time zone", "'2020-01-01'"],
    ['(now())::timestamp without time zone', 'now()'],
    ["'{a,b}'::text[]", "'{a,b}'"],
    ['LOWER(email)', 'lower(Email)'],
    ['"status" IS NOT NULL', 'status is not null'],
    ["'it''s'::text", "'it''s'"],
    ["(kind = ANY (ARRAY['a'::text, 'b'::text]))", "kind = ANY (ARRAY['a', 'b'])"],
  ])('%j equals %j', (a, b) => {
    expect(sameExpression(a, b)).toBe(true);
    expect(sameExpression(b, a)).toBe(true);
  });

  it.each([
    ['now()', 'CURRENT_TIMESTAMP'],
    ["'A'", "'a'"],
    ["status = 'Active'", "status = 'active'"],
    ["'it''s'", "'its'"],
    ["'x::text'", "'x'"],
    ['price > 0', 'price >= 0'],
    ['price > 0', 'price > 1'],
    ["'a b'", "'ab'"],
  ])('%j differs from %j', (a, b) => {
    expect(sameExpression(a, b)).toBe(false);
    expect(sameExpression(b, a)).toBe(false);
  });

  // Servers print every group; people write the fewest parentheses. Grouping is compared where the
  // expression stays within the subset both servers parse alike (src/diff/expression-grouping.ts).
  it.each([
    ['((a + b) * c) > 0', '((a + (b * c)) > 0)'],
    ['(a + b) * c > 0', 'a + b * c > 0'],
    ['a - (b - c) > 0', 'a - b - c > 0'],
    ['((a > 0) AND ((b > 0) OR (c > 0)))', 'a > 0 AND b > 0 OR c > 0'],
    ['NOT (a > 0 AND b > 0)', 'NOT a > 0 AND b > 0'],
    ['(a = b) IS NULL', 'a = (b IS NULL)'],
    ['-(a + b) > 0', '-a + b > 0'],
    ['f((a + b) * 2) > 0', 'f(a + b * 2) > 0'],
  ])('grouping: %j differs from %j', (a, b) => {
    expect(sameExpression(a, b)).toBe(false);
    expect(sameExpression(b, a)).toBe(false);
  });

  it.each([
    ['(((a + b) * c) > (0)::numeric)', '(a + b) * c > 0'],
    ['((a - b) - c)', 'a - b - c'],
    ['(((a > 0) AND (b > 0)) OR (c > 0))', 'a > 0 AND b > 0 OR c > 0'],
    ['((a > 0) OR ((b > 0) AND (c > 0)))', 'a > 0 OR b > 0 AND c > 0'],
    ['(NOT (a > 0))', 'NOT a > 0'],
    ['((a = b) IS NOT NULL)', 'a = b IS NOT NULL'],
    ['((length((name)::text) > 0) AND (name IS NOT NULL))', "length(name) > 0 AND name IS NOT NULL"],
    ['(("Total" * 2) <> "t"."x")', '"Total" * 2 <> t.x'],
    ['(lower(email) = lower((x)::text))', 'LOWER(email) = LOWER(x)'],
    ['((- a) > 0)', '-a > 0'],
    ['(price >= (0.5)::double precision)', 'price >= 0.5'],
  ])('grouping: %j equals %j', (a, b) => {
    expect(sameExpression(a, b)).toBe(true);
    expect(sameExpression(b, a)).toBe(true);
  });

  // Outside the subset grouping is not compared (nor guessed), as before: equal text is equal.
  it.each([
    ["(kind IN ('a', 'b')) AND x > 0", "kind IN ('a', 'b') AND (x > 0)"],
    ['(a BETWEEN 1 AND 5)', 'a BETWEEN 1 AND 5'],
    ["(a || b) = 'x'", "a || (b = 'x')"],
    ['(CASE WHEN a > 0 THEN 1 ELSE 2 END) > 0', 'CASE WHEN a > 0 THEN 1 ELSE 2 END > 0'],
    ['a = b = c', '(a = b) = c'],
  ])('outside the subset: %j and %j compare without grouping', (a, b) => {
    expect(sameExpression(a, b)).toBe(true);
  });

  // `"Status"` is a case-sensitive name; the unquoted `status` folds to lower case.
  it('a quoted mixed-case identifier differs from the folded unquoted name', () => {
    expect(sameExpression('"Status" IS NOT NULL', 'status IS NOT NULL')).toBe(false);
    expect(sameExpression('"Status" IS NOT NULL', 'STATUS IS NOT NULL')).toBe(false);
    expect(sameExpression('"Status" IS NOT NULL', '"Status" is not null')).toBe(true);
    expect(sameExpression('"status" IS NOT NULL', 'Status IS NOT NULL')).toBe(true);
  });

  // The precision of timestamp and time comes before `with(out) time zone`.
  it('a cast to timestamp(3) without time zone is removed whole', () => {
    expect(canonicalExpression('(now())::timestamp(3) without time zone')).toBe('now');
    expect(sameExpression('(now())::timestamp(3) without time zone', 'now()')).toBe(true);
    expect(canonicalExpression("'12:00'::time(6) with time zone")).toBe("'12:00'");
    expect(canonicalExpression("'{}'::timestamp(3) with time zone[]")).toBe("'{}'");
  });
});

describe('defaultAsSql', () => {
  it.each<[DefaultValue, ColumnType, string]>([
    [sql('now()'), timestamp, 'now()'],
    [sql("'x'::text"), text, "'x'::text"],
    [literal('active'), varchar, "'active'"],
    [literal("it's"), text, "'it''s'"],
    [literal("''"), text, "''''''"],
    [literal('42'), int, '42'],
    [literal(' 42 '), bigint, '42'],
    [literal('1.50'), numeric, '1.5'],
    [literal('1e3'), double, '1000'],
    [literal(''), int, "''"],
    [literal('abc'), numeric, "'abc'"],
    [literal('007'), text, "'007'"],
    [literal(0), int, '0'],
    [literal(-1.5), numeric, '-1.5'],
    [literal(true), boolean, 'true'],
    [literal(false), boolean, 'false'],
    [literal('{a,b}'), textArray, "'{a,b}'"],
  ])('%j on %j -> %s', (value, type, expected) => {
    expect(defaultAsSql(value, type)).toBe(expected);
  });
});

describe('sameDefault', () => {
  it('null only equals null', () => {
    expect(sameDefault(null, null, text)).toBe(true);
    expect(sameDefault(null, literal(''), text)).toBe(false);
    expect(sameDefault(literal(0), null, int)).toBe(false);
    expect(sameDefault(null, sql('NULL'), text)).toBe(false);
  });

  it.each<[DefaultValue, DefaultValue, ColumnType]>([
    [literal(0), sql('0'), int],
    [literal(0), sql('(0)'), int],
    [literal('0'), literal(0), int],
    [literal('42'), sql('42'), bigint],
    [literal(1.5), literal('1.50'), numeric],
    [literal('active'), sql("'active'::character varying"), varchar],
    [literal("it's"), sql("'it''s'::text"), text],
    [literal(true), sql('true'), boolean],
    [literal(true), sql('TRUE'), boolean],
    [literal(false), sql('false'), boolean],
    [sql('now()'), sql('now()'), timestamp],
    [sql('CURRENT_TIMESTAMP'), sql('current_timestamp'), timestamp],
    [literal('{}'), sql("'{}'::text[]"), textArray],
    [literal('2020-01-01 00:00:00'), sql("'2020-01-01 00:00:00'::timestamp without time zone"), timestamp],
  ])('%j equals %j', (a, b, type) => {
    expect(sameDefault(a, b, type)).toBe(true);
    expect(sameDefault(b, a, type)).toBe(true);
  });

  it.each<[DefaultValue, DefaultValue, ColumnType]>([
    [sql('now()'), sql('CURRENT_TIMESTAMP'), timestamp],
    [literal('A'), literal('a'), text],
    [literal('Active'), sql("'active'::character varying"), varchar],
    [literal(true), literal(false), boolean],
    [literal(true), sql('false'), boolean],
    [literal(0), sql('1'), int],
    [literal(0), literal(''), text],
    [literal('x'), sql("'x'::text || ''"), text],
  ])('%j differs from %j', (a, b, type) => {
    expect(sameDefault(a, b, type)).toBe(false);
    expect(sameDefault(b, a, type)).toBe(false);
  });
});
