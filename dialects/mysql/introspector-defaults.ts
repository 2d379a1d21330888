/**
 * Turns what information_schema prints on MySQL 8 and MariaDB (column types, defaults, check and
 * generation expressions) into the model, in the shapes normalization gives a declaration, so that
 * a declared schema diffs empty against what expand created from it. The two servers disagree on
 * almost every spelling; each difference is handled here, where the flavour is known.
 */
import type { ColumnModel, DefaultValue } from '../../src/model/schema-model.js';
import type { Flavour } from './capabilities.js';
import { endOfQuoted } from '../../src/model/quoted-text.js';
import type { ColumnType } from '../../src/model/column-type.js';

/** One row of information_schema.COLUMNS, as the server spells it. */
export interface MysqlColumnSpelling {
  /** COLUMN_TYPE: `int(11) unsigned`, `varchar(20)`, `enum('a','b')`. */
  columnType: string;
  /** COLUMN_DEFAULT. */
  default: string | null;
  /** EXTRA: `auto_increment`, `DEFAULT_GENERATED`, `on update ...`, `VIRTUAL GENERATED`. */
  extra: string;
  /** GENERATION_EXPRESSION; null or empty for a plain column. */
  generation: string | null;
  /** MariaDB's automatic CHECK (json_valid(c)) guards the column: it was declared JSON. */
  jsonChecked: boolean;
}

export function mysqlColumn(spelling: MysqlColumnSpelling, flavour: Flavour): Pick<ColumnModel, 'type' | 'default' | 'identity'> {
  const identity = /\bauto_increment\b/i.test(spelling.extra) ? 'by-default' : null;
  const generated = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.exec(spelling.extra);
  if (generated && spelling.generation) {
    // Kept as the column's whole definition, so that `<name> <native sql>` creates it again.
    const storage = generated[1]!.toUpperCase() === 'VIRTUAL' ? 'VIRTUAL' : 'STORED';
    const expression = unwrap(normalizeMysqlExpression(spelling.generation, flavour));
    const sql = `${withoutDisplayWidth(spelling.columnType)} GENERATED ALWAYS AS (${expression}) ${storage}`;
    return { type: { kind: 'native', sql }, default: null, identity };
  }
  const onUpdate = /\bon update (.+)$/i.exec(spelling.extra)?.[1]!.trim();
  // The model has no ON UPDATE: the clause goes into a native type, which recreates it.
  const type: ColumnType = onUpdate
    ? { kind: 'native', sql: `${withoutDisplayWidth(spelling.columnType)} ON UPDATE ${currentTimestamp(onUpdate, 0) ?? onUpdate}` }
    : parseMysqlType(spelling.columnType, spelling.jsonChecked);
  return { type, default: identity ? null : parseMysqlDefault(spelling, type, flavour), identity };
}

/** Default display widths of the integer types: signed, unsigned. */
const DEFAULT_WIDTHS: Record<string, [number, number]> = {
  tinyint: [4, 3],
  smallint: [6, 5],
  mediumint: [9, 8],
  int: [11, 10],
  bigint: [20, 20],
};

/**
 * MariaDB prints display widths (`int(11)`, `int(10) unsigned`, `year(4)`), MySQL 8 does not
 * (`int`, `int unsigned`, `year`): default widths are dropped so both read alike. `tinyint(1)` is
 * how both spell a boolean, and zerofill columns keep their width, as MySQL 8 does.
 */
export function withoutDisplayWidth(columnType: string): string {
  if (columnType === 'year(4)') return 'year';
  const integer = /^(tinyint|smallint|mediumint|int|bigint)\((\d+)\)( unsigned)?$/.exec(columnType);
  if (!integer || columnType === 'tinyint(1)') return columnType;
  const [, name, width, unsigned] = integer;
  return Number(width) === DEFAULT_WIDTHS[name!]![unsigned ? 1 : 0] ? `${name}${unsigned ?? ''}` : columnType;
}

/** How the compiler spells each portable type; read back, each must give that type again. */
const PORTABLE_TYPES: Record<string, ColumnType> = {
  smallint: { kind: 'smallint' },
  int: { kind: 'int' },
  bigint: { kind: 'bigint' },
  text: { kind: 'text' },
  'tinyint(1)': { kind: 'boolean' },
  date: { kind: 'date' },
  float: { kind: 'real' },
  double: { kind: 'double' },
  'char(36)': { kind: 'uuid' },
  json: { kind: 'json' },
  longblob: { kind: 'binary' },
  'datetime(6)': { kind: 'timestamp', withTimeZone: false },
  'timestamp(6)': { kind: 'timestamp', withTimeZone: true },
  'decimal(65,30)': { kind: 'numeric', precision: null, scale: null },
};

/**
 * Maps COLUMN_TYPE to the model. Anything the portable types do not cover exactly (`int unsigned`,
 * `enum(...)`, `mediumtext`, `datetime`, `tinyint`) stays native, spelled as the server prints it.
 * MariaDB's JSON is a LONGTEXT guarded by a json_valid check.
 */
export function parseMysqlType(columnType: string, jsonChecked = false): ColumnType {
  const spelling = withoutDisplayWidth(columnType);
  if (jsonChecked && spelling === 'longtext') return { kind: 'json' };
  const portable = PORTABLE_TYPES[spelling];
  if (portable) return { ...portable };
  const varchar = /^varchar\((\d+)\)$/.exec(spelling);
  if (varchar) return { kind: 'varchar', length: Number(varchar[1]) };
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(spelling);
  if (decimal) return { kind: 'numeric', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  return { kind: 'native', sql: spelling };
}

const NUMERIC_KINDS = new Set<ColumnType['kind']>(['smallint', 'int', 'bigint', 'real', 'double', 'numeric']);
/** Native types whose defaults are numbers: `int unsigned`, `tinyint`, `decimal(10,2) unsigned`, `year`. */
const NUMERIC_NATIVE = /^(?:(?:tiny|small|medium|big)?int|decimal|float|double|year)\b/;

const isNumeric = (type: ColumnType) => NUMERIC_KINDS.has(type.kind) || (type.kind === 'native' && NUMERIC_NATIVE.test(type.sql));

/**
 * Reads COLUMN_DEFAULT. MariaDB prints SQL: quoted literals (`'abc'`), bare numbers and
 * expressions (`current_timestamp()`), and the word NULL for no default. MySQL 8 prints literals
 * unquoted (`abc`) and marks expressions with DEFAULT_GENERATED in EXTRA; SQL NULL is no default.
 */
export function parseMysqlDefault(
  spelling: Pick<MysqlColumnSpelling, 'default' | 'extra'>,
  type: ColumnType,
  flavour: Flavour,
): DefaultValue | null {
  const text = spelling.default;
  if (text === null || (flavour === 'mariadb' && text === 'NULL')) return null;
  // Early MySQL 8 releases did not mark CURRENT_TIMESTAMP as DEFAULT_GENERATED.
  const isSql = flavour === 'mariadb' || /\bDEFAULT_GENERATED\b/i.test(spelling.extra) || /^current_timestamp\b/i.test(text);
  return isSql ? sqlDefault(text, type, flavour) : literalDefault(text, type);
}

/** A MySQL 8 literal default: the value itself, unquoted. */
function literalDefault(text: string, type: ColumnType): DefaultValue {
  // Bit and binary values print as literals of their own (b'101', 0x4142), not as strings.
  if (type.kind === 'native' && /^(?:b'[01]*'|0x[0-9a-f]+)$/i.test(text) && /^(?:bit|binary|varbinary)\b/.test(type.sql)) {
    return { kind: 'sql', expression: text };
  }
  return literal(text, type);
}

function sqlDefault(text: string, type: ColumnType, flavour: Flavour): DefaultValue {
  const expression = normalizeMysqlExpression(text, flavour);
  const inner = unwrap(expression);
  if (inner.startsWith("'")) {
    const string = readString(inner, 0);
    if (string.end === inner.length) return literal(string.value, type);
  }
  if (type.kind === 'boolean' && (inner === '0' || inner === '1')) return { kind: 'literal', value: inner === '1' };
  const number = isNumeric(type) ? numberLiteral(inner) : null;
  if (number !== null) return { kind: 'literal', value: number };
  // The compiler gives a portable timestamp its microseconds; a native type states its own.
  const now = currentTimestamp(inner, type.kind === 'timestamp' ? 6 : 0);
  return { kind: 'sql', expression: now ?? expression };
}

function literal(value: string, type: ColumnType): DefaultValue {
  if (type.kind === 'boolean' && (value === '0' || value === '1')) return { kind: 'literal', value: value === '1' };
  return { kind: 'literal', value: (isNumeric(type) ? numberLiteral(value) : null) ?? value };
}

/**
 * `current_timestamp()`, `current_timestamp(6)`, `now()` in the declaration's spelling:
 * `CURRENT_TIMESTAMP`, with the fractional digits unless they are the ones the compiler adds
 * anyway (`implied`), since MySQL refuses a precision other than the column's. Null when the text
 * is something else.
 */
function currentTimestamp(text: string, implied: number): string | null {
  const now = /^(?:current_timestamp|now)(?:\((\d*)\))?$/i.exec(text);
  if (!now) return null;
  const digits = now[1] ?? '';
  return digits === '' || Number(digits) === implied ? 'CURRENT_TIMESTAMP' : `CURRENT_TIMESTAMP(${digits})`;
}

const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;

/**
 * The number a literal denotes, or null when it is none. A value that a JS number would round (a
 * bigint past 2^53, a decimal with 20 digits) stays its exact decimal text.
 */
function numberLiteral(text: string): number | string | null {
  if (!NUMBER.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) && decimalKey(text) === decimalKey(String(value)) ? value : text;
}

/** A decimal as sign, significant digits and exponent, so `0.00`, `0` and `-1.50`, `-1.5` compare equal. */
function decimalKey(decimal: string): string {
  const [, sign, whole = '', fraction = '', exponent = '0'] = /^(-?)(\d*)\.?(\d*)(?:e([-+]?\d+))?$/i.exec(decimal)!;
  const digits = whole + fraction;
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  if (significant === '') return '0';
  const leadingZeros = digits.length - digits.replace(/^0+/, '').length;
  return `${sign}${significant}e${whole.length - leadingZeros + Number(exponent)}`;
}

/**
 * An expression as the declaration side would write it, so that the diff's comparison (which
 * ignores case, spacing and parentheses) sees what was declared:
 * - MySQL 8 escapes the quotes of the expressions it prints once too often (`_utf8mb4\'a\'`) and
 *   puts a character set introducer before every string: both are undone;
 * - strings are requoted the standard way (`'it''s'`, where MariaDB prints `'it\'s'`);
 * - backquotes go around identifiers that need them only (reserved words, odd characters);
 * - `lcase`, `ucase` and `MOD`, which MariaDB prints for `lower`, `upper` and `%`, are turned back.
 * Other rewrites by the server (`!=` printed as `<>`, `TRUE` as `1`) are not undone.
 */
export function normalizeMysqlExpression(text: string, flavour: Flavour): string {
  const source = flavour === 'mysql' ? text.replace(/\\(.)/gs, '$1') : text;
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === "'") {
      const string = readString(source, i);
      out += quoteString(string.value);
      i = string.end;
    } else if (ch === '`') {
      const end = endOfQuoted(source, i, '`');
      out += identifier(source.slice(i + 1, end - 1).replaceAll('``', '`'));
      i = end;
    } else if (/[\w$]/.test(ch)) {
      const word = /^[\w$]+/.exec(source.slice(i))![0];
      i += word.length;
      out += rewriteWord(word, source[i], flavour);
    } else {
      out += ch;
      i++;
    }
  }
  return out.trim();
}

function rewriteWord(word: string, next: string | undefined, flavour: Flavour): string {
  const lower = word.toLowerCase();
  if (flavour === 'mysql' && next === "'" && /^_[a-z0-9]+$/.test(lower)) return '';
  if (next === '(' && (lower === 'lcase' || lower === 'ucase')) return lower === 'lcase' ? 'lower' : 'upper';
  if (lower === 'mod' && next !== '(') return '%';
  return word;
}

/** Reads a MySQL string literal starting at `start` (a quote): backslash escapes and doubled quotes. */
function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      value += unescape(text[i + 1]!);
      i += 2;
    } else if (ch === "'") {
      if (text[i + 1] !== "'") return { value, end: i + 1 };
      value += "'";
      i += 2;
    } else {
      value += ch;
      i++;
    }
  }
  return { value, end: text.length };
}

const ESCAPES: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };

/** `\%` and `\_` keep their backslash (they are LIKE escapes); any other escaped character is itself. */
const unescape = (ch: string): string => ESCAPES[ch] ?? (ch === '%' || ch === '_' ? `\\${ch}` : ch);

const quoteString = (value: string): string => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;


function identifier(name: string): string {
  if (/^[A-Za-z_][\w$]*$/.test(name) && !RESERVED_WORDS.has(name.toLowerCase())) return name;
  return `\`${name.replaceAll('`', '``')}\``;
}

/** Drops one pair of parentheses around the whole expression: MySQL 8 wraps every check in one. */
export function unwrap(expression: string): string {
  if (!expression.startsWith('(') || !expression.endsWith(')')) return expression;
  let depth = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i]!;
    if (ch === "'" || ch === '`') {
      i = (ch === "'" ? readString(expression, i).end : endOfQuoted(expression, i, '`')) - 1;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0 && i < expression.length - 1) return expression;
  }
  return expression.slice(1, -1).trim();
}

/** Reserved words of MySQL 8.0 and MariaDB 10.11: as column names they must stay quoted. */
const RESERVED_WORDS = new Set(
  `accessible add all alter analyze and as asc asensitive before between bigint binary blob both by call
  cascade case change char character check collate column condition constraint continue convert create
  cross cube cume_dist current_date current_role current_time current_timestamp current_user cursor
  database databases day_hour day_microsecond day_minute day_second dec decimal declare default delayed
  delete delete_domain_id dense_rank desc describe deterministic distinct distinctrow div do_domain_ids
  double drop dual each else elseif empty enclosed escaped except exists exit explain false fetch
  first_value float float4 float8 for force foreign from fulltext function general generated get grant
  group grouping groups having high_priority hour_microsecond hour_minute hour_second if ignore
  ignore_domain_ids ignore_server_ids in index infile inner inout insensitive insert int int1 int2 int3
  int4 int8 integer intersect interval into io_after_gtids io_before_gtids is iterate join json_table key
  keys kill lag last_value lateral lead leading leave left like limit linear lines load localtime
  localtimestamp lock long longblob longtext loop low_priority master_bind master_heartbeat_period
  master_ssl_verify_server_cert match maxvalue mediumblob mediumint mediumtext middleint
  minute_microsecond minute_second mod modifies natural no_write_to_binlog not nth_value ntile null
  numeric of offset on optimize optimizer_costs option optionally or order out outer outfile over
  page_checksum parse_vcol_expr partition percent_rank position precision primary procedure purge range
  rank read read_write reads real recursive ref_system_id references regexp release rename repeat replace
  require resignal restrict return returning revoke right rlike row row_number rows schema schemas
  second_microsecond select sensitive separator set show signal slow smallint spatial specific sql
  sql_big_result sql_calc_found_rows sql_small_result sqlexception sqlstate sqlwarning ssl starting
  stats_auto_recalc stats_persistent stats_sample_pages stored straight_join system table terminated
  then tinyblob tinyint tinytext to trailing trigger true undo union unique unlock unsigned update usage
  use using utc_date utc_time utc_timestamp values varbinary varchar varcharacter varying virtual when
  where while window with write xor year_month zerofill`.split(/\s+/),
);
