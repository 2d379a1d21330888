/** A column's type as dbtide models it on every dialect. */
export type ColumnType =
  | { kind: 'smallint' | 'int' | 'bigint' | 'text' | 'boolean' | 'date' | 'real' | 'double' | 'uuid' | 'json' | 'binary' }
  | { kind: 'varchar'; length: number }
  | { kind: 'timestamp'; withTimeZone: boolean }
  | { kind: 'numeric'; precision: number | null; scale: number | null }
  /** A native type the DSL does not model, kept verbatim so a pulled schema round-trips. */
  | { kind: 'native'; sql: string };

const SIMPLE = {
  smallint: 'smallint',
  int: 'int',
  integer: 'int',
  bigint: 'bigint',
  text: 'text',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  real: 'real',
  float: 'double',
  double: 'double',
  uuid: 'uuid',
  json: 'json',
  binary: 'binary',
} as const;

/** Types that imply an identity column. */
export const SERIAL_TYPES: Record<string, 'int' | 'bigint'> = { serial: 'int', bigserial: 'bigint' };

export const PORTABLE_TYPE_NAMES = [
  ...Object.keys(SIMPLE),
  ...Object.keys(SERIAL_TYPES),
  'varchar(n)',
  'timestamp',
  'timestamptz',
  'numeric(p,s)',
];

/** Parses a portable type name such as `varchar(255)`; returns an error message when unknown. */
export function parseColumnType(text: string): ColumnType | { error: string } {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (Object.hasOwn(SIMPLE, t)) return { kind: SIMPLE[t as keyof typeof SIMPLE] };
  if (Object.hasOwn(SERIAL_TYPES, t)) return { kind: SERIAL_TYPES[t]! };
  if (t === 'timestamp' || t === 'timestamp without time zone') return { kind: 'timestamp', withTimeZone: false };
  if (t === 'timestamptz' || t === 'timestamp with time zone') return { kind: 'timestamp', withTimeZone: true };
  const varchar = /^varchar\s*\(\s*(\d+)\s*\)$/.exec(t);
  if (varchar) {
    const length = Number(varchar[1]);
    if (length < 1) return { error: `varchar length must be at least 1, got ${length}` };
    return { kind: 'varchar', length };
  }
  if (t === 'varchar') return { error: 'varchar needs a length, e.g. "varchar(255)" (or use "text")' };
  const numeric = /^(?:numeric|decimal)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(t);
  if (numeric) {
    const precision = numeric[1] === undefined ? null : Number(numeric[1]);
    const scale = numeric[2] === undefined ? (precision === null ? null : 0) : Number(numeric[2]);
    if (precision !== null && (precision < 1 || (scale ?? 0) > precision)) {
      return { error: `numeric(${precision},${scale}) needs 1 <= precision and scale <= precision` };
    }
    return { kind: 'numeric', precision, scale };
  }
  return { error: `unknown type "${text}" (portable types: ${PORTABLE_TYPE_NAMES.join(', ')}; use native("...") for others)` };
}

/** The portable spelling of a type, as the DSL accepts it. */
export function formatColumnType(type: ColumnType): string {
  switch (type.kind) {
    case 'varchar':
      return `varchar(${type.length})`;
    case 'timestamp':
      return type.withTimeZone ? 'timestamptz' : 'timestamp';
    case 'numeric':
      if (type.precision === null) return 'numeric';
      return `numeric(${type.precision},${type.scale ?? 0})`;
    case 'native':
      return `native(${type.sql})`;
    default:
      return type.kind;
  }
}

export function sameColumnType(a: ColumnType, b: ColumnType): boolean {
  if (a.kind === 'native' && b.kind === 'native') return normalizeNative(a.sql) === normalizeNative(b.sql);
  return formatColumnType(a) === formatColumnType(b);
}

/** Case and spacing of the type's words do not matter; its quoted parts (ENUM and SET members, quoted names) are kept exactly. */
function normalizeNative(sql: string): string {
  return sql
    .trim()
    .split(/('(?:[^'\\]|''|\\.)*'|"(?:[^"]|"")*")/)
    .map((part, i) => (i % 2 === 1 ? part : part.toLowerCase().replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1')))
    .join('');
}
