import { describe, expect, it } from 'vitest';
import { parsePostgresDefault } from '../../dialects/postgres/introspector-defaults.js';
import type { ColumnType } from '../../src/model/column-type.js';

const int: ColumnType = { kind: 'int' };
const bigint: ColumnType = { kind: 'bigint' };
const numeric: ColumnType = { kind: 'numeric', precision: 10, scale: 2 };
const double: ColumnType = { kind: 'double' };
const text: ColumnType = { kind: 'text' };
const varchar: ColumnType = { kind: 'varchar', length: 10 };
const boolean: ColumnType = { kind: 'boolean' };
const timestamptz: ColumnType = { kind: 'timestamp', withTimeZone: true };
const enumType: ColumnType = { kind: 'native', sql: 'mood' };

const literal = (value: string | number | boolean) => ({ kind: 'literal', value });
const sql = (expression: string) => ({ kind: 'sql', expression });

describe('parsePostgresDefault', () => {
  it.each([
    [null, text],
    ['NULL', text],
    ['NULL::text', text],
    ['NULL::character varying', varchar],
    ['NULL::numeric(10,2)', numeric],
    ['NULL::integer[]', { kind: 'native', sql: 'integer[]' } as ColumnType],
    ['NULL::"My Type"', enumType],
    ['NULL::timestamp(3) without time zone', { kind: 'native', sql: 'timestamp(3) without time zone' } as ColumnType],
  ])('%j on %j is no default', (input, type) => {
    expect(parsePostgresDefault(input, type)).toBeNull();
  });

  it.each([
    ['true', true],
    ['false', false],
  ])('%s is a boolean literal', (input, value) => {
    expect(parsePostgresDefault(input, boolean)).toEqual(literal(value));
  });

  it.each([
    ['0', int, 0],
    ['42', bigint, 42],
    ['(-1)', int, -1],
    ["'-1'::integer", int, -1],
    ["'-1'::integer", { kind: 'smallint' } as ColumnType, -1],
    ["'-1'::integer", { kind: 'real' } as ColumnType, -1],
    ["'-5'::integer", double, -5],
    ['1.5', double, 1.5],
    ['1.50', numeric, 1.5],
    ["'1.50'::numeric", numeric, 1.5],
    ["'-1.5'::numeric", numeric, -1.5],
    ['(-1.5)', numeric, -1.5],
    ['0.00001', numeric, 0.00001],
    ["'10000000000'::numeric", double, 10_000_000_000],
    ["'2147483648'::bigint", bigint, 2_147_483_648],
    ["'9007199254740991'::bigint", bigint, 9_007_199_254_740_991],
    ['1e10', double, 1e10],
    ["'1.5e-3'::double precision", double, 0.0015],
    ['.5', numeric, 0.5],
  ])('%s on %j is the number %d', (input, type, value) => {
    expect(parsePostgresDefault(input, type)).toEqual(literal(value));
  });

  it.each([
    ["'9007199254740993'::bigint", bigint, '9007199254740993'],
    ['9007199254740993', bigint, '9007199254740993'],
    ["'-9223372036854775808'::bigint", bigint, '-9223372036854775808'],
    ["'12345678901234567.89'::numeric", numeric, '12345678901234567.89'],
    ['0.1234567890123456789', numeric, '0.1234567890123456789'],
    [`1${'0'.repeat(400)}`, numeric, `1${'0'.repeat(400)}`],
    [`0.${'0'.repeat(400)}1`, numeric, `0.${'0'.repeat(400)}1`],
    ['1e400', numeric, '1e400'],
  ])('keeps %s exact as the string %j, since a JS number would round it', (input, type, value) => {
    expect(parsePostgresDefault(input, type)).toEqual(literal(value));
  });

  it('treats a long run of zeros as exact: only significant digits count', () => {
    expect(parsePostgresDefault(`'1${'0'.repeat(30)}'::numeric`, double)).toEqual(literal(1e30));
    expect(parsePostgresDefault('0.000000000000000000001', numeric)).toEqual(literal(1e-21));
    expect(parsePostgresDefault('0.0', numeric)).toEqual(literal(0));
    expect(parsePostgresDefault("'-2.50e3'::double precision", double)).toEqual(literal(-2500));
  });

  it.each([
    ["'0'::text", text, '0'],
    ["'-1'::text", text, '-1'],
    ["'abc'::character varying", varchar, 'abc'],
    ["'it''s me'::text", text, "it's me"],
    ["''''::text", text, "'"],
    ["''::text", text, ''],
    ["'x'::bpchar", { kind: 'native', sql: 'character(3)' } as ColumnType, 'x'],
    ["'happy'::mood", enumType, 'happy'],
    ["'{}'::jsonb", { kind: 'json' } as ColumnType, '{}'],
    ["'a\\b'::text", text, 'a\\b'],
    ["'2024-01-01'::date", { kind: 'date' } as ColumnType, '2024-01-01'],
    ["'NaN'::numeric", numeric, 'NaN'],
    ["'Infinity'::double precision", double, 'Infinity'],
    ["'line one\nline two'::text", text, 'line one\nline two'],
    ["'with ::cast inside'::text", text, 'with ::cast inside'],
  ])('%s on %j is the string %j', (input, type, value) => {
    expect(parsePostgresDefault(input, type)).toEqual(literal(value));
  });

  it('reads a bare number on a non-numeric column as SQL, not as a string or number', () => {
    expect(parsePostgresDefault('0', enumType)).toEqual(sql('0'));
  });

  it.each([
    ['now()', timestamptz],
    ['CURRENT_TIMESTAMP', timestamptz],
    ["nextval('accounts_seq_seq'::regclass)", int],
    ["nextval('\"Odd\"\"Name_seq\"'::regclass)", bigint],
    ['gen_random_uuid()', { kind: 'uuid' } as ColumnType],
    ['(1 + 2)', int],
    ['(+ 3)', int],
    ['((1))', int],
    ["lower('X'::text)", text],
    ["('a'::text || 'b'::text)", text],
    ["'a'::text || 'b'::text", text],
    ["(CURRENT_DATE + '1 day'::interval)", timestamptz],
    ["E'a\\\\b'::text", text],
    ["'1'::integer + 1", int],
    ["'5'::integer * '2'::integer", int],
    ["'1'::text || '2'::text", text],
    ['(1) + (2)', int],
    ['true AND false', boolean],
  ])('%s on %j is SQL kept verbatim', (input, type) => {
    expect(parsePostgresDefault(input, type)).toEqual(sql(input));
  });
});
