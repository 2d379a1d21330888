/**
 * Sequences, domains and enum types of a declaration, validated and turned into the model: every
 * sequence option filled in with PostgreSQL's default, checks and keys in a stable order.
 */
import type { DomainModel, EnumModel, SequenceModel, TableModel, Tombstones } from '../model/schema-model.js';
import type { DomainInput, Schema, SequenceInput } from './dsl-types.js';
import { MAX_IDENTIFIER_LENGTH } from './names.js';
import { SEQUENCE_RANGES, sequenceDefaults } from '../model/sequence-defaults.js';
import { resolveDefault, resolveType } from './column-values.js';

type Report = (path: string, message: string) => void;

export interface SchemaObjects {
  sequences?: Record<string, SequenceModel>;
  domains?: Record<string, DomainModel>;
  enums?: Record<string, EnumModel>;
}


export function normalizeSchemaObjects(schema: Schema, tables: Record<string, TableModel>, report: Report): SchemaObjects {
  const objects: SchemaObjects = {};
  const sequences = sortedEntries(schema.sequences, (name, input) => normalizeSequence(name, input, tables, report));
  const domains = sortedEntries(schema.domains, (name, input) => normalizeDomain(name, input, report));
  const enums = sortedEntries(schema.enums, (name, values) => normalizeEnum(name, values, report));
  if (sequences) objects.sequences = sequences;
  if (domains) objects.domains = domains;
  if (enums) objects.enums = enums;
  // PostgreSQL keeps types (domains, enums) and relations (tables, sequences) in one namespace each.
  checkSharedNames('sequences', Object.keys(sequences ?? {}), 'tables', Object.keys(tables), report);
  checkSharedNames('domains', Object.keys(domains ?? {}), 'enums', Object.keys(enums ?? {}), report);
  return objects;
}

function sortedEntries<I, M>(input: Record<string, I> | undefined, normalize: (name: string, input: I) => M | null): Record<string, M> | undefined {
  const names = Object.keys(input ?? {}).sort(compareText);
  if (names.length === 0) return undefined;
  return Object.fromEntries(names.flatMap((n) => {
    const model = normalize(n, input![n]!);
    return model === null ? [] : [[n, model]];
  }));
}

function checkName(path: string, name: string, report: Report): void {
  if (name.trim() === '') report(path, 'name must not be empty');
  else if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_LENGTH) report(path, `name is ${Buffer.byteLength(name, 'utf8')} bytes; the limit is ${MAX_IDENTIFIER_LENGTH}`);
}

function checkSharedNames(kindA: string, a: string[], kindB: string, b: string[], report: Report): void {
  for (const name of a) if (b.includes(name)) report(`${kindA}.${name}`, `"${name}" is also declared in ${kindB}; PostgreSQL keeps both in one namespace, so give one another name`);
}

function normalizeSequence(name: string, input: SequenceInput, tables: Record<string, TableModel>, report: Report): SequenceModel | null {
  const path = `sequences.${name}`;
  checkName(path, name, report);
  const type = input.type ?? 'bigint';
  const [low, high] = SEQUENCE_RANGES[type];
  const read = (key: 'start' | 'increment' | 'min' | 'max' | 'cache'): bigint | undefined => {
    const value = input[key];
    if (value === undefined) return undefined;
    try {
      return BigInt(typeof value === 'string' ? value.trim() : value);
    } catch {
      report(`${path}.${key}`, `must be a whole number, got ${JSON.stringify(value)}`);
      return undefined;
    }
  };
  const increment = read('increment') ?? 1n;
  if (increment === 0n) report(`${path}.increment`, 'must not be 0');
  const given = { min: read('min'), max: read('max') };
  const defaults = sequenceDefaults(type, increment, {
    ...(given.min === undefined ? {} : { min: given.min }),
    ...(given.max === undefined ? {} : { max: given.max }),
  });
  const { min, max } = defaults;
  const start = read('start') ?? defaults.start;
  const cache = read('cache') ?? defaults.cache;
  if (min < low || max > high) report(path, `min and max must lie within ${type} (${low} to ${high})`);
  if (min >= max) report(path, `min (${min}) must be less than max (${max})`);
  else if (start < min || start > max) report(`${path}.start`, `${start} is outside min ${min} to max ${max}`);
  if (cache < 1n) report(`${path}.cache`, 'must be at least 1');
  const owner = input.ownedBy;
  if (owner) {
    const table = tables[owner.table];
    if (!table) report(`${path}.ownedBy`, `names unknown table "${owner.table}"`);
    else if (!table.columns.some((c) => c.name === owner.column)) report(`${path}.ownedBy`, `names unknown column "${owner.column}" of table "${owner.table}"`);
  }
  return {
    name,
    type,
    start: String(start),
    increment: String(increment),
    min: String(min),
    max: String(max),
    cache: String(cache),
    cycle: input.cycle ?? false,
    ownedBy: owner ? { table: owner.table, column: owner.column } : null,
  };
}

function normalizeDomain(name: string, input: DomainInput, report: Report): DomainModel | null {
  const path = `domains.${name}`;
  checkName(path, name, report);
  const type = resolveType(input.type, path, report);
  const defaultValue = resolveDefault(input.default, path, report);
  const checks = (input.checks ?? []).map((c) => ({ name: c.name ?? `${name}_check`, expression: c.expression.trim() }));
  checks.forEach((c, i) => {
    if (c.expression === '') report(`${path}.checks[${i}]`, 'expression must not be empty');
    if (checks.findIndex((o) => o.name === c.name) !== i) {
      report(`${path}.checks[${i}]`, `name "${c.name}" is used by another check of the domain; give each check its own name`);
    }
  });
  if (type === null) return null;
  return { name, type, notNull: input.nullable === false, default: defaultValue, checks: checks.sort((a, b) => compareText(a.name, b.name)) };
}

function normalizeEnum(name: string, values: string[], report: Report): EnumModel | null {
  const path = `enums.${name}`;
  checkName(path, name, report);
  values.forEach((v, i) => {
    if (values.indexOf(v) !== i) report(`${path}[${i}]`, `value "${v}" is listed twice`);
    if (v === '') report(`${path}[${i}]`, 'value must not be empty');
  });
  return { name, values: [...values] };
}

/** The removals of schema objects, checked against what the release still declares. */
export function schemaObjectTombstones(schema: Schema, objects: SchemaObjects, report: Report): Partial<Tombstones> {
  const tombstones: Partial<Tombstones> = {};
  for (const kind of ['sequences', 'domains', 'enums'] as const) {
    const names = [...new Set(schema.removed[kind] ?? [])].sort(compareText);
    for (const name of names) if (objects[kind]?.[name]) report(`removed.${kind}`, `"${name}" is still declared`);
    if (names.length > 0) tombstones[kind] = names;
  }
  const values = schema.removed.enumValues ?? [];
  for (const { enum: name, value } of values) {
    const declared = objects.enums?.[name];
    if (!declared) report(`removed.enumValues.${name}`, `enum "${name}" is not declared; to drop the whole type, list it in removed.enums`);
    else if (declared.values.includes(value)) report(`removed.enumValues.${name}`, `"${value}" is still listed in enums.${name}`);
  }
  if (values.length > 0) {
    const unique = new Map(values.map((v) => [`${v.enum}\0${v.value}`, { enum: v.enum, value: v.value }]));
    tombstones.enumValues = [...unique.keys()].sort(compareText).map((k) => unique.get(k)!);
  }
  return tombstones;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
