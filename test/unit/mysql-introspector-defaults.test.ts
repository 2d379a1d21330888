import { describe, expect, it } from 'vitest';
import {
  mysqlColumn,
  normalizeMysqlExpression,
  parseMysqlDefault,
  parseMysqlType,
  unwrap,
  withoutDisplayWidth,
  type MysqlColumnSpelling,
} from '../../dialects/mysql/introspector-defaults.js';
import { sameDefault, sameExpression } from '../../src/diff/same-expression.js';
import type { DefaultValue } from '../../src/model/schema-model.js';
import type { ColumnType } from '../../src/model/column-type.js';

const int: ColumnType = { kind: 'int' };
const bigint: ColumnType = { kind: 'bigint' };
const numeric: ColumnType = { kind: 'numeric', precision: 10, scale: 2 };
const double: ColumnType = { kind: 'double' };
const text: ColumnType = { kind: 'text' };
const boolean: ColumnType = { kind: 'boolean' };
const timestamp: ColumnType = { kind: 'timestamp', withTimeZone: false };
const timestamptz: ColumnType = { kind: 'timestamp', withTimeZone: true };
const native = (sql: string): ColumnType => ({ kind: 'native', sql });

const literal = (value: string | number | boolean): DefaultValue => ({ kind: 'literal', value });
const sql = (expression: string): DefaultValue => ({ kind: 'sql', expression });

/** A COLUMNS row with the given COLUMN_TYPE and COLUMN_DEFAULT, nothing in EXTRA. */
const spelled = (columnType: string, value: string | null, extra = ''): MysqlColumnSpelling => ({
  columnType,
  default: value,
  extra,
  generation: null,
  jsonChecked: false,
});

describe('withoutDisplayWidth', () => {
  it.each([
    ['int(11)', 'int'],
    ['int(10) unsigned', 'int unsigned'],
    ['bigint(20)', 'bigint'],
    ['bigint(20) unsigned', 'bigint unsigned'],
    ['smallint(6)', 'smallint'],
    ['smallint(5) unsigned', 'smallint unsigned'],
    ['mediumint(9)', 'mediumint'],
    ['mediumint(8) unsigned', 'mediumint unsigned'],
    ['tinyint(4)', 'tinyint'],
    ['tinyint(3) unsigned', 'tinyint unsigned'],
    ['year(4)', 'year'],
    // Not default widths, or not widths at all: kept.
    ['tinyint(1)', 'tinyint(1)'],
    ['int(5)', 'int(5)'],
    ['int(11) unsigned', 'int(11) unsigned'],
    ['int(10) unsigned zerofill', 'int(10) unsigned zerofill'],
    ['varchar(11)', 'varchar(11)'],
    ['int', 'int'],
  ])('%s is %s', (input, output) => {
    expect(withoutDisplayWidth(input)).toBe(output);
  });
});

describe('parseMysqlType', () => {
  it.each<[string, ColumnType]>([
    // Each portable type as the compiler spells it, MariaDB's and MySQL 8's way.
    ['smallint(6)', { kind: 'smallint' }],
    ['smallint', { kind: 'smallint' }],
    ['int(11)', int],
    ['int', int],
    ['bigint(20)', bigint],
    ['bigint', bigint],
    ['text', text],
    ['tinyint(1)', boolean],
    ['date', { kind: 'date' }],
    ['float', { kind: 'real' }],
    ['double', double],
    ['char(36)', { kind: 'uuid' }],
    ['json', { kind: 'json' }],
    ['longblob', { kind: 'binary' }],
    ['datetime(6)', timestamp],
    ['timestamp(6)', timestamptz],
    ['decimal(10,2)', numeric],
    ['decimal(10,0)', { kind: 'numeric', precision: 10, scale: 0 }],
    ['decimal(65,30)', { kind: 'numeric', precision: null, scale: null }],
    ['varchar(255)', { kind: 'varchar', length: 255 }],
  ])('%s is portable: %j', (input, type) => {
    expect(parseMysqlType(input)).toEqual(type);
  });

  it.each([
    ['int(11) unsigned', 'int(11) unsigned'],
    ['int(10) unsigned', 'int unsigned'],
    ['int unsigned', 'int unsigned'],
    ['bigint(20) unsigned', 'bigint unsigned'],
    ['tinyint(4)', 'tinyint'],
    ['tinyint', 'tinyint'],
    ['tinyint(1) unsigned', 'tinyint(1) unsigned'],
    ['mediumint(9)', 'mediumint'],
    ["enum('a','B')", "enum('a','B')"],
    ["set('x','y')", "set('x','y')"],
    ['mediumtext', 'mediumtext'],
    ['longtext', 'longtext'],
    ['tinytext', 'tinytext'],
    ['blob', 'blob'],
    ['datetime', 'datetime'],
    ['datetime(3)', 'datetime(3)'],
    ['timestamp', 'timestamp'],
    ['time', 'time'],
    ['year(4)', 'year'],
    ['char(3)', 'char(3)'],
    ['binary(16)', 'binary(16)'],
    ['varbinary(20)', 'varbinary(20)'],
    ['decimal(10,2) unsigned', 'decimal(10,2) unsigned'],
    ['float unsigned', 'float unsigned'],
    ['double(10,2)', 'double(10,2)'],
    ['bit(1)', 'bit(1)'],
    ['point', 'point'],
    ['uuid', 'uuid'],
    ['inet6', 'inet6'],
  ])('%s stays native, spelled %s', (input, spelling) => {
    expect(parseMysqlType(input)).toEqual(native(spelling));
  });

  it("reads MariaDB's JSON: a LONGTEXT guarded by json_valid, and only that", () => {
    expect(parseMysqlType('longtext', true)).toEqual({ kind: 'json' });
    expect(parseMysqlType('longtext', false)).toEqual(native('longtext'));
    expect(parseMysqlType('text', true)).toEqual(text);
  });
});

describe('parseMysqlDefault on MariaDB', () => {
  const mariadb = (columnType: string, value: string | null, type = parseMysqlType(columnType)) =>
    parseMysqlDefault(spelled(columnType, value), type, 'mariadb');

  it('reads SQL NULL and the word NULL as no default, the string NULL as a string', () => {
    expect(mariadb('int(11)', null)).toBeNull();
    expect(mariadb('varchar(20)', 'NULL')).toBeNull();
    expect(mariadb('varchar(20)', "'NULL'")).toEqual(literal('NULL'));
  });

  it.each([
    ["'abc'", 'abc'],
    ["''", ''],
    ["'it''s'", "it's"],
    ["'it\\'s'", "it's"],
    ["'back\\\\slash'", 'back\\slash'],
    ["'line\\nbreak'", 'line\nbreak'],
    ["'100\\%'", '100\\%'],
    ["'0'", '0'],
    ["'{}'", '{}'],
    ["'x,y'", 'x,y'],
  ])('reads the quoted literal %s as the string %j', (input, value) => {
    expect(mariadb('varchar(20)', input)).toEqual(literal(value));
  });

  it.each<[string, string, string | number | boolean]>([
    ['int(11)', '0', 0],
    ['int(11)', '-1', -1],
    ['smallint(6)', '-1', -1],
    ['bigint(20)', '42', 42],
    ['bigint(20)', '9007199254740993', '9007199254740993'],
    ['decimal(10,2)', '0.00', 0],
    ['decimal(10,2)', '-1.50', -1.5],
    ['decimal(20,0)', '12345678901234567890', '12345678901234567890'],
    ['double', '10000000000', 10000000000],
    ['double', '1e-5', 0.00001],
    ['float', '1.5', 1.5],
    ['int(10) unsigned', '3', 3],
    ['tinyint(4)', '7', 7],
    ['year(4)', '2024', 2024],
    ['tinyint(1)', '1', true],
    ['tinyint(1)', '0', false],
    ['enum(\'a\',\'b\')', "'a'", 'a'],
    ['char(36)', "'00000000-0000-0000-0000-000000000000'", '00000000-0000-0000-0000-000000000000'],
    ['date', "'2024-01-01'", '2024-01-01'],
    ['time', "'10:00:00'", '10:00:00'],
    ['binary(2)', "'AB'", 'AB'],
  ])('reads %s DEFAULT %s as the literal %j', (columnType, input, value) => {
    expect(mariadb(columnType, input)).toEqual(literal(value));
  });

  it('reads a JSON default as its text', () => {
    expect(mariadb('longtext', "'{}'", { kind: 'json' })).toEqual(literal('{}'));
  });

  it.each([
    ['datetime(6)', 'current_timestamp(6)', 'CURRENT_TIMESTAMP'],
    ['timestamp(6)', 'current_timestamp(6)', 'CURRENT_TIMESTAMP'],
    ['datetime', 'current_timestamp()', 'CURRENT_TIMESTAMP'],
    ['timestamp', 'current_timestamp()', 'CURRENT_TIMESTAMP'],
    // A native type's precision is its own: the compiler adds none, so it stays.
    ['datetime(3)', 'current_timestamp(3)', 'CURRENT_TIMESTAMP(3)'],
    ['date', 'curdate()', 'curdate()'],
    ['char(36)', 'uuid()', 'uuid()'],
    ['int(11)', '(1 + 2)', '(1 + 2)'],
    ['text', "concat('a','b')", "concat('a','b')"],
    ['text', "concat('it\\'s','b')", "concat('it''s','b')"],
    ['bit(1)', "b'1'", "b'1'"],
    ['varchar(10)', "lcase('X')", "lower('X')"],
  ])('reads %s DEFAULT %s as the expression %s', (columnType, input, expression) => {
    expect(mariadb(columnType, input)).toEqual(sql(expression));
  });

  it("makes sql('CURRENT_TIMESTAMP') and now() round-trip on the portable timestamps", () => {
    for (const [columnType, type] of [['datetime(6)', timestamp], ['timestamp(6)', timestamptz]] as const) {
      const live = mariadb(columnType, 'current_timestamp(6)', type);
      expect(sameDefault(sql('CURRENT_TIMESTAMP'), live, type)).toBe(true);
      expect(sameDefault(sql('current_timestamp()'), live, type)).toBe(true);
    }
  });
});

describe('parseMysqlDefault on MySQL 8', () => {
  const mysql = (columnType: string, value: string | null, extra = '', type = parseMysqlType(columnType)) =>
    parseMysqlDefault(spelled(columnType, value, extra), type, 'mysql');

  it('reads SQL NULL as no default, and NULL as the string it is', () => {
    expect(mysql('varchar(20)', null)).toBeNull();
    expect(mysql('varchar(20)', 'NULL')).toEqual(literal('NULL'));
  });

  it.each<[string, string, string | number | boolean]>([
    ['varchar(20)', 'abc', 'abc'],
    ['varchar(20)', '', ''],
    ['varchar(20)', "it's", "it's"],
    ['varchar(20)', 'back\\slash', 'back\\slash'],
    ['text', '0', '0'],
    ['int', '0', 0],
    ['int', '-1', -1],
    ['int unsigned', '3', 3],
    ['bigint', '9007199254740993', '9007199254740993'],
    ['decimal(10,2)', '0.00', 0],
    ['double', '1.5', 1.5],
    ['tinyint(1)', '1', true],
    ['tinyint(1)', '0', false],
    ['year', '2024', 2024],
    ["enum('a','b')", 'a', 'a'],
    ['date', '2024-01-01', '2024-01-01'],
  ])('reads %s DEFAULT %j (unquoted) as the literal %j', (columnType, input, value) => {
    expect(mysql(columnType, input)).toEqual(literal(value));
  });

  it.each([
    ['bit(1)', "b'1'"],
    ['binary(2)', '0x4142'],
  ])('reads %s DEFAULT %s as the bit or hex literal it is', (columnType, input) => {
    expect(mysql(columnType, input)).toEqual(sql(input));
  });

  it.each([
    ['datetime(6)', 'CURRENT_TIMESTAMP(6)', 'DEFAULT_GENERATED', 'CURRENT_TIMESTAMP'],
    ['timestamp(6)', 'CURRENT_TIMESTAMP(6)', 'DEFAULT_GENERATED on update CURRENT_TIMESTAMP(6)', 'CURRENT_TIMESTAMP'],
    ['datetime', 'CURRENT_TIMESTAMP', 'DEFAULT_GENERATED', 'CURRENT_TIMESTAMP'],
    // Before DEFAULT_GENERATED existed.
    ['datetime(6)', 'CURRENT_TIMESTAMP(6)', '', 'CURRENT_TIMESTAMP'],
    ['datetime(3)', 'CURRENT_TIMESTAMP(3)', 'DEFAULT_GENERATED', 'CURRENT_TIMESTAMP(3)'],
    ['char(36)', 'uuid()', 'DEFAULT_GENERATED', 'uuid()'],
    ['int', '(1 + 2)', 'DEFAULT_GENERATED', '(1 + 2)'],
    ['text', "concat(_utf8mb4\\'a\\',_utf8mb4\\'b\\')", 'DEFAULT_GENERATED', "concat('a','b')"],
    ['text', "concat(_utf8mb4\\'it\\\\\\'s\\',`a`)", 'DEFAULT_GENERATED', "concat('it''s',a)"],
  ])('reads %s DEFAULT %s (%s) as the expression %s', (columnType, input, extra, expression) => {
    expect(mysql(columnType, input, extra)).toEqual(sql(expression));
  });

  it.each<[string, string, string | number]>([
    // TEXT, BLOB and JSON take only expression defaults on MySQL: a literal in parentheses.
    ['text', "_utf8mb4\\'abc\\'", 'abc'],
    ['json', "_utf8mb4\\'{}\\'", '{}'],
    ['text', "(_utf8mb4\\'x\\')", 'x'],
    ['int', '(42)', 42],
  ])('reads %s DEFAULT %s, a literal as an expression, as the literal %j', (columnType, input, value) => {
    expect(mysql(columnType, input, 'DEFAULT_GENERATED')).toEqual(literal(value));
  });
});

describe('mysqlColumn', () => {
  it('reads AUTO_INCREMENT as an identity by default, without a default', () => {
    expect(mysqlColumn(spelled('int(11)', null, 'auto_increment'), 'mariadb')).toEqual({ type: int, default: null, identity: 'by-default' });
    expect(mysqlColumn(spelled('bigint unsigned', null, 'auto_increment'), 'mysql')).toEqual({
      type: native('bigint unsigned'),
      default: null,
      identity: 'by-default',
    });
  });

  it('keeps a generated column as a native type that recreates it, on both servers', () => {
    const mariadb = mysqlColumn({ ...spelled('varchar(41)', 'NULL', 'VIRTUAL GENERATED'), generation: "concat(`first`,' ',`last`)" }, 'mariadb');
    const mysql = mysqlColumn({ ...spelled('varchar(41)', null, 'VIRTUAL GENERATED'), generation: "concat(`first`,_utf8mb4\\' \\',`last`)" }, 'mysql');
    const type = native("varchar(41) GENERATED ALWAYS AS (concat(first,' ',last)) VIRTUAL");
    expect(mariadb).toEqual({ type, default: null, identity: null });
    expect(mysql).toEqual({ type, default: null, identity: null });
    expect(mysqlColumn({ ...spelled('int(11)', 'NULL', 'STORED GENERATED'), generation: '`a` * 2' }, 'mariadb').type).toEqual(
      native('int GENERATED ALWAYS AS (a * 2) STORED'),
    );
    expect(mysqlColumn({ ...spelled('int', null, 'STORED GENERATED'), generation: '(`a` * 2)' }, 'mysql').type).toEqual(
      native('int GENERATED ALWAYS AS (a * 2) STORED'),
    );
  });

  it('keeps ON UPDATE in a native type, spelled alike on both servers', () => {
    const mariadb = mysqlColumn(spelled('timestamp(6)', 'current_timestamp(6)', 'on update current_timestamp(6)'), 'mariadb');
    const mysql = mysqlColumn(spelled('timestamp(6)', 'CURRENT_TIMESTAMP(6)', 'DEFAULT_GENERATED on update CURRENT_TIMESTAMP(6)'), 'mysql');
    const expected = { type: native('timestamp(6) ON UPDATE CURRENT_TIMESTAMP(6)'), default: sql('CURRENT_TIMESTAMP(6)'), identity: null };
    expect(mariadb).toEqual(expected);
    expect(mysql).toEqual(expected);
    expect(mysqlColumn(spelled('timestamp', 'current_timestamp()', 'on update current_timestamp()'), 'mariadb')).toEqual({
      type: native('timestamp ON UPDATE CURRENT_TIMESTAMP'),
      default: sql('CURRENT_TIMESTAMP'),
      identity: null,
    });
  });

  it("reads MariaDB's JSON with its default", () => {
    expect(mysqlColumn({ ...spelled('longtext', "'{}'"), jsonChecked: true }, 'mariadb')).toEqual({
      type: { kind: 'json' },
      default: literal('{}'),
      identity: null,
    });
  });
});

describe('normalizeMysqlExpression', () => {
  it.each([
    // MariaDB's spellings of checks, and what was declared.
    ['`a` <> 0', 'a <> 0', 'a <> 0'],
    ['`a` <> 0 and `b` is not null', 'a <> 0 AND b IS NOT NULL', 'a <> 0 and b is not null'],
    ["`b` in ('x','y')", "b IN ('x', 'y')", "b in ('x','y')"],
    ['`a` between 1 and 10', 'a BETWEEN 1 AND 10', 'a between 1 and 10'],
    ['lcase(`b`) = `b`', 'LOWER(b) = b', 'lower(b) = b'],
    ['ucase(`b`) = `b`', 'UPPER(b) = b', 'upper(b) = b'],
    ["`b` like '%@%'", "b LIKE '%@%'", "b like '%@%'"],
    ["`b` <> 'it\\'s'", "b <> 'it''s'", "b <> 'it''s'"],
    ["`b` <> 'back\\\\slash'", "b <> 'back\\\\slash'", "b <> 'back\\\\slash'"],
    ['`Mixed` > 0', 'Mixed > 0', 'Mixed > 0'],
    ['`a` MOD 2 = 0', 'a % 2 = 0', 'a % 2 = 0'],
    ['`a` DIV 2 >= 0', 'a DIV 2 >= 0', 'a DIV 2 >= 0'],
    ['-`a` < 5', '-a < 5', '-a < 5'],
    ['coalesce(`a`,0) >= 0', 'COALESCE(a, 0) >= 0', 'coalesce(a,0) >= 0'],
    ['mod(`a`,2) = 0', 'MOD(a, 2) = 0', 'mod(a,2) = 0'],
    ['json_valid(`doc`)', 'json_valid(doc)', 'json_valid(doc)'],
    // Identifiers that need their quotes keep them.
    ['`order` > 0', '`order` > 0', '`order` > 0'],
    ['`Display Name` <> \'\'', "`Display Name` <> ''", "`Display Name` <> ''"],
    ['`we``ird` > 0', '`we``ird` > 0', '`we``ird` > 0'],
    // An introducer the user wrote stays on MariaDB.
    ["`b` = _utf8mb4'x'", "b = _utf8mb4'x'", "b = _utf8mb4'x'"],
  ])('MariaDB %s equals the declared %s (as %s)', (live, declared, normalized) => {
    expect(normalizeMysqlExpression(live, 'mariadb')).toBe(normalized);
    expect(sameExpression(declared, normalizeMysqlExpression(live, 'mariadb'))).toBe(true);
  });

  it.each([
    // MySQL 8's spellings: every clause in parentheses, introducers, quotes escaped once too often.
    ['(`a` <> 0)', 'a <> 0'],
    ['((`a` <> 0) and (`b` is not null))', 'a <> 0 AND b IS NOT NULL'],
    ["(`b` in (_utf8mb4\\'x\\',_utf8mb4\\'y\\'))", "b IN ('x', 'y')"],
    ["(`b` <> _utf8mb4\\'it\\\\\\'s\\')", "b <> 'it''s'"],
    ["(`b` like _utf8mb4\\'%@%\\')", "b LIKE '%@%'"],
    ["(json_type(`paths`) = _utf8mb4\\'ARRAY\\')", "JSON_TYPE(paths) = 'ARRAY'"],
    ["(`b` = _latin1\\'x\\')", "b = 'x'"],
    ['((`a` % 2) = 0)', 'a % 2 = 0'],
    ['(`order` > 0)', '`order` > 0'],
  ])('MySQL 8 %s equals the declared %s', (live, declared) => {
    expect(sameExpression(declared, unwrap(normalizeMysqlExpression(live, 'mysql')))).toBe(true);
  });

  it('keeps the text of strings exactly, quotes and case included', () => {
    expect(normalizeMysqlExpression("`b` = 'A `b` MOD lcase(x)'", 'mariadb')).toBe("b = 'A `b` MOD lcase(x)'");
    expect(normalizeMysqlExpression("`b` = 'a''b\\\"c'", 'mariadb')).toBe("b = 'a''b\"c'");
  });
});

describe('unwrap', () => {
  it.each([
    ['(a > 0)', 'a > 0'],
    ['((a > 0) and (b > 0))', '(a > 0) and (b > 0)'],
    ['(a > 0) and (b > 0)', '(a > 0) and (b > 0)'],
    ["(a = ')(')", "a = ')('"],
    ["(a = '(') or (b = ')')", "(a = '(') or (b = ')')"],
    ['(`x)` > 0)', '`x)` > 0'],
    ['a > 0', 'a > 0'],
    ['lower(a)', 'lower(a)'],
  ])('%s is %s', (input, output) => {
    expect(unwrap(input)).toBe(output);
  });
});
