/**
 * Turns what SYSCAT.COLUMNS says of a column (TYPENAME, LENGTH, SCALE, CODEPAGE, DEFAULT, IDENTITY,
 * GENERATED, TEXT) into the model, in the shapes normalization gives a declaration, so that a
 * declared schema diffs empty against what expand created from it.
 */
import type { ColumnType } from '../../src/model/column-type.js';
import type { ColumnModel, DefaultValue } from '../../src/model/schema-model.js';

/** One row of SYSCAT.COLUMNS, under the aliases the introspector gives its columns. */
export interface ColumnRow {
  table_name: string;
  name: string;
  position: number | string;
  type_name: string;
  length: number | string;
  scale: number | string;
  /** `Y` or `N`. */
  nulls: string;
  default_text: string | null;
  /** `Y` for an identity column. */
  identity: string;
  /** `A` generated always, `D` by default, blank for neither. */
  generated: string;
  /** A generated column's expression, from the keyword AS. */
  generation: string | null;
  /** 0 for binary strings (FOR BIT DATA). */
  codepage: number | string;
  comment: string | null;
}

const K = 1024;

/** LOB lengths are bytes; the server's syntax takes K, M and G, which a native type reads better with. */
function lobSize(bytes: number): string {
  for (const [unit, size] of [['G', K ** 3], ['M', K ** 2], ['K', K]] as const) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** The type as a column definition spells it: `VARCHAR(255)`, `TIMESTAMP(6)`, `CLOB(1M)`. */
export function db2TypeSpelling(row: Pick<ColumnRow, 'type_name' | 'length' | 'scale' | 'codepage'>): string {
  const name = row.type_name.trim();
  const length = Number(row.length);
  const scale = Number(row.scale);
  const bits = Number(row.codepage) === 0 ? ' FOR BIT DATA' : '';
  switch (name) {
    case 'VARCHAR':
      return `VARCHAR(${length})${bits}`;
    case 'CHARACTER':
      return `CHAR(${length})${bits}`;
    case 'GRAPHIC':
    case 'VARGRAPHIC':
    case 'BINARY':
    case 'VARBINARY':
      return `${name}(${length})`;
    case 'DECIMAL':
      return `DECIMAL(${length},${scale})`;
    // LENGTH is the storage: 8 bytes for DECFLOAT(16), 16 for DECFLOAT(34).
    case 'DECFLOAT':
      return `DECFLOAT(${length === 8 ? 16 : 34})`;
    // The fractional digits are in SCALE.
    case 'TIMESTAMP':
      return `TIMESTAMP(${scale})`;
    case 'CLOB':
    case 'BLOB':
    case 'DBCLOB':
      return `${name}(${lobSize(length)})`;
    default:
      return name;
  }
}

/** How the compiler spells each portable type; read back, each must give that type again. */
const PORTABLE: Record<string, ColumnType> = {
  SMALLINT: { kind: 'smallint' },
  INTEGER: { kind: 'int' },
  BIGINT: { kind: 'bigint' },
  REAL: { kind: 'real' },
  DOUBLE: { kind: 'double' },
  DATE: { kind: 'date' },
  BOOLEAN: { kind: 'boolean' },
  'TIMESTAMP(6)': { kind: 'timestamp', withTimeZone: false },
  'CLOB(1M)': { kind: 'text' },
  'BLOB(1M)': { kind: 'binary' },
};

/** The model's type for a Db2 spelling; anything the portable types do not cover exactly stays native, verbatim. */
export function db2ColumnType(spelling: string): ColumnType {
  const portable = PORTABLE[spelling];
  if (portable) return { ...portable };
  const varchar = /^VARCHAR\((\d+)\)$/.exec(spelling);
  if (varchar) return { kind: 'varchar', length: Number(varchar[1]) };
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(spelling);
  if (decimal) return { kind: 'numeric', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  return { kind: 'native', sql: spelling };
}

/**
 * The column's type, default and identity. A generated column (GENERATED set, not an identity)
 * keeps its expression in a native type, so that `<name> <native sql>` creates it again.
 */
export function db2Column(row: ColumnRow): Pick<ColumnModel, 'type' | 'default' | 'identity'> {
  const spelling = db2TypeSpelling(row);
  if (row.identity === 'Y') {
    return { type: db2ColumnType(spelling), default: null, identity: row.generated === 'A' ? 'always' : 'by-default' };
  }
  if (row.generated.trim() !== '' && row.generation) {
    return { type: { kind: 'native', sql: `${spelling} GENERATED ALWAYS ${row.generation.trim()}` }, default: null, identity: null };
  }
  const type = db2ColumnType(spelling);
  return { type, default: db2Default(row.default_text, type), identity: null };
}

const NUMERIC_KINDS = new Set<ColumnType['kind']>(['smallint', 'int', 'bigint', 'real', 'double', 'numeric']);

/** Special registers Db2 prints with a space, where the declaration writes the standard underscore. */
const SPECIAL_REGISTER = /^CURRENT[ _](TIMESTAMP|DATE|TIME)(?:\s*\(\s*(\d+)\s*\))?$/i;

/**
 * Reads SYSCAT.COLUMNS.DEFAULT: "a constant, special register, or cast-function ... or the keyword
 * NULL" (SQL text), null when the column has no DEFAULT clause. A DEFAULT NULL is no default.
 */
export function db2Default(text: string | null, type: ColumnType): DefaultValue | null {
  const sql = text?.trim() ?? '';
  if (sql === '' || /^NULL$/i.test(sql)) return null;
  const string = /^'((?:[^']|'')*)'$/.exec(sql);
  if (string) return { kind: 'literal', value: string[1]!.replace(/''/g, "'") };
  if (type.kind === 'boolean') {
    if (/^(?:TRUE|1)$/i.test(sql)) return { kind: 'literal', value: true };
    if (/^(?:FALSE|0)$/i.test(sql)) return { kind: 'literal', value: false };
  }
  const number = NUMERIC_KINDS.has(type.kind) ? numberLiteral(sql) : null;
  if (number !== null) return { kind: 'literal', value: number };
  const register = SPECIAL_REGISTER.exec(sql);
  if (register) {
    // The portable timestamp is TIMESTAMP(6), whose CURRENT TIMESTAMP has those digits anyway.
    const digits = register[2] === undefined || (type.kind === 'timestamp' && register[2] === '6') ? '' : `(${register[2]})`;
    return { kind: 'sql', expression: `CURRENT_${register[1]!.toUpperCase()}${digits}` };
  }
  return { kind: 'sql', expression: sql };
}

/** The number a literal denotes; its exact text where a JavaScript number would round it (a bigint past 2^53, 20 digits). */
function numberLiteral(text: string): number | string | null {
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:E[-+]?\d+)?$/i.test(text)) return null;
  const value = Number(text);
  const canonical = (t: string) => t.replace(/^\+/, '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return Number.isFinite(value) && canonical(String(value)) === canonical(text) ? value : text;
}
