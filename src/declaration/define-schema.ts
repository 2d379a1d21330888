import { callerLocation } from './caller-location.js';
import { DeclarationError, type DeclarationIssue } from './declaration-error.js';
import type { ColumnInput, NativeType, Schema, SchemaInput, SqlExpression, SqlStepInput, TableInput, TransitionInput } from './dsl-types.js';
import { schemaInputShape } from './input-shape.js';
import { checkName, exclusionName, foreignKeyName, indexName, primaryKeyName, uniqueName } from './names.js';

/** An SQL expression, for defaults: `default: sql("CURRENT_TIMESTAMP")`. */
export function sql(expression: string): SqlExpression;
/**
 * A raw SQL step, for `transitions`: what the DSL cannot say (a view, a function, an extension),
 * run once in `phase`, guarded and journaled like every step: `sql({ phase: 'expand', up, description })`.
 */
export function sql(step: SqlStepInput): TransitionInput;
export function sql(input: string | SqlStepInput): SqlExpression | TransitionInput {
  return typeof input === 'string' ? { sql: input } : { kind: 'sql', ...input };
}

/** A database-specific type the DSL does not model: `type: native("inet")`. */
export const native = (type: string): NativeType => ({ native: type });

/**
 * Declares the complete schema of a release. With `extends`, the previous release's tables are
 * merged in: a table named again merges column by column (a column named again replaces the old
 * one) and its keys, indexes and checks merge by name (generated names included). A tombstone
 * removes the inherited object. Tombstones accumulate along the chain, so a database that skipped
 * a release's contract still gets it, except for objects a later release declares again.
 * Throws a DeclarationError, naming the release file, for any key or value it does not know.
 */
export function defineSchema(input: SchemaInput): Schema {
  const issues: DeclarationIssue[] = [];
  schemaInputShape(input, '', (path, message) => issues.push({ path, message }));
  if (input.extends && input.follows !== undefined) {
    issues.push({ path: 'follows', message: '`extends` names the previous release already; give one of them' });
  }
  const location = callerLocation();
  if (issues.length > 0) throw new DeclarationError(issues, location);
  const base = input.extends;
  const tables: Record<string, TableInput> = { ...(base?.tables ?? {}) };
  const removed: Schema['removed'] = {
    tables: [...(base?.removed.tables ?? [])],
    columns: [...(base?.removed.columns ?? [])],
    indexes: [...(base?.removed.indexes ?? [])],
    constraints: [...(base?.removed.constraints ?? [])],
  };
  const own = input.tables ?? {};
  // A renamed table carries its definition over to the new name; the release states what differs.
  for (const t of input.transitions ?? []) {
    if (t.kind !== 'rename-table' || !(t.from in tables) || t.to in tables) continue;
    tables[t.to] = withRenamedDefaults(t.from, t.to, tables[t.from]!);
    delete tables[t.from];
  }

  for (const [name, raw] of Object.entries(own)) {
    const { removed: gone, ...table } = withNames(name, raw);
    const parent = tables[name];
    const merged = parent ? mergeTable(parent, table) : table;
    // Inherited objects this release tombstones leave the merged table; objects the release
    // itself declares stay, so that normalization reports the contradiction.
    tables[name] = parent && gone ? dropInherited(merged, table, gone) : merged;
    removed.tables = removed.tables.filter((t) => t !== name);
    removed.columns = removed.columns.filter((c) => c.table !== name || !(c.column in (table.columns ?? {})));
    const indexes = namesOf(table.indexes);
    const constraints = namesOf([...(table.uniques ?? []), ...(table.foreignKeys ?? []), ...(table.checks ?? []), ...(table.exclusions ?? [])]);
    removed.indexes = removed.indexes.filter((i) => i.table !== name || !indexes.has(i.name));
    removed.constraints = removed.constraints.filter((c) => c.table !== name || !constraints.has(c.name));
    for (const column of removedColumns(gone)) removed.columns.push({ table: name, ...column });
    for (const index of gone?.indexes ?? []) removed.indexes.push({ table: name, name: index });
    for (const constraint of gone?.constraints ?? []) removed.constraints.push({ table: name, name: constraint });
  }
  // Columns a transition retires leave the inherited table; normalization turns them into tombstones.
  for (const t of input.transitions ?? []) {
    if (t.kind !== 'rename-column' && t.kind !== 'derive') continue;
    const retired = t.kind === 'rename-column' ? [t.from] : (t.retires ?? []);
    const table = tables[t.table];
    if (!table?.columns || retired.length === 0) continue;
    const ownColumns = own[t.table]?.columns ?? {};
    tables[t.table] = {
      ...table,
      columns: Object.fromEntries(Object.entries(table.columns).filter(([c]) => c in ownColumns || !retired.includes(c))),
    };
  }
  for (const t of input.transitions ?? []) {
    if ((t.kind === 'rename-constraint' || t.kind === 'rename-index') && tables[t.table]) {
      tables[t.table] = withRenamedObject(tables[t.table]!, own[t.table] ?? {}, t.from, t.to);
    }
  }
  for (const name of input.removed?.tables ?? []) {
    if (!(name in own)) delete tables[name];
    removed.tables.push(name);
  }
  const objects = mergeSchemaObjects(base, input);
  return {
    dbtideSchema: 1,
    release: input.release,
    ...(base ? { previous: { release: base.release, tables: base.tables } } : input.follows ? { previous: { release: input.follows } } : {}),
    ...(location ? { location } : {}),
    tables,
    ...objects.declared,
    removed: { ...removed, ...objects.removed },
    transitions: [...(input.transitions ?? [])],
    invariants: { ...input.invariants },
  };
}

/** Fills in the generated name of every unnamed key, index and check. */
function withNames(table: string, t: TableInput): TableInput {
  const pk = Array.isArray(t.primaryKey) ? { columns: t.primaryKey } : t.primaryKey;
  return {
    ...t,
    ...(pk ? { primaryKey: { ...pk, name: pk.name ?? primaryKeyName(table) } } : {}),
    ...(t.uniques ? { uniques: t.uniques.map((u) => ({ ...u, name: u.name ?? uniqueName(table, u.columns) })) } : {}),
    ...(t.indexes
      ? { indexes: t.indexes.map((i) => ({ ...i, name: i.name ?? indexName(table, i.columns, i.unique ?? false) })) }
      : {}),
    ...(t.foreignKeys
      ? { foreignKeys: t.foreignKeys.map((f) => ({ ...f, name: f.name ?? foreignKeyName(table, f.columns) })) }
      : {}),
    ...(t.checks ? { checks: t.checks.map((c) => ({ ...c, name: c.name ?? checkName(table, c.expression) })) } : {}),
    ...(t.exclusions
      ? { exclusions: t.exclusions.map((x) => ({ ...x, name: x.name ?? exclusionName(table, x.elements.map((e) => e.column ?? e.expression ?? '')) })) }
      : {}),
  };
}

/**
 * Generated names follow the table: a key or index named by default for the old name takes the
 * default for the new one (contract renames the live object), so a release that states the table
 * again merges with it by name. Names the team chose stay.
 */
function withRenamedDefaults(from: string, to: string, t: TableInput): TableInput {
  const follow = <T extends { name?: string }>(list: T[] | undefined, old: (x: T) => string, renamed: (x: T) => string) =>
    list?.map((x) => (x.name === old(x) ? { ...x, name: renamed(x) } : x));
  const pk = t.primaryKey && !Array.isArray(t.primaryKey) ? t.primaryKey : undefined;
  return {
    ...t,
    ...(pk ? { primaryKey: { ...pk, name: pk.name === primaryKeyName(from) ? primaryKeyName(to) : pk.name } } : {}),
    ...(t.uniques ? { uniques: follow(t.uniques, (u) => uniqueName(from, u.columns), (u) => uniqueName(to, u.columns)) } : {}),
    ...(t.indexes
      ? { indexes: follow(t.indexes, (i) => indexName(from, i.columns, i.unique ?? false), (i) => indexName(to, i.columns, i.unique ?? false)) }
      : {}),
    ...(t.foreignKeys
      ? { foreignKeys: follow(t.foreignKeys, (f) => foreignKeyName(from, f.columns), (f) => foreignKeyName(to, f.columns)) }
      : {}),
    ...(t.checks ? { checks: follow(t.checks, (c) => checkName(from, c.expression), (c) => checkName(to, c.expression)) } : {}),
  };
}

/**
 * A renamed constraint or index the release does not state again is carried over under its new
 * name; one it states again under the new name replaces the inherited one.
 */
function withRenamedObject(t: TableInput, own: TableInput, from: string, to: string): TableInput {
  const ownNames = new Set([...namesOf(own.uniques), ...namesOf(own.indexes), ...namesOf(own.foreignKeys), ...namesOf(own.checks), ...namesOf(own.exclusions)]);
  const ownPk = own.primaryKey && !Array.isArray(own.primaryKey) ? own.primaryKey.name : undefined;
  if (ownNames.has(from) || ownPk === from) return t;
  const restated = ownNames.has(to) || ownPk === to;
  const follow = <T extends { name?: string }>(list: T[] | undefined) =>
    list && (restated ? list.filter((x) => x.name !== from) : list.map((x) => (x.name === from ? { ...x, name: to } : x)));
  const pk = t.primaryKey && !Array.isArray(t.primaryKey) && t.primaryKey.name === from && !restated ? { primaryKey: { ...t.primaryKey, name: to } } : {};
  const lists = { uniques: follow(t.uniques), indexes: follow(t.indexes), foreignKeys: follow(t.foreignKeys), checks: follow(t.checks), exclusions: follow(t.exclusions) };
  return { ...t, ...pk, ...Object.fromEntries(Object.entries(lists).filter(([, v]) => v !== undefined)) };
}

const namesOf = (list: { name?: string }[] | undefined) => new Set((list ?? []).map((x) => x.name));

function mergeTable(parent: TableInput, child: TableInput): TableInput {
  const merged: TableInput = { columns: { ...parent.columns, ...child.columns } };
  const pk = child.primaryKey ?? parent.primaryKey;
  if (pk) merged.primaryKey = pk;
  const uniques = byName(parent.uniques, child.uniques);
  const indexes = byName(parent.indexes, child.indexes);
  const foreignKeys = byName(parent.foreignKeys, child.foreignKeys);
  const checks = byName(parent.checks, child.checks);
  const exclusions = byName(parent.exclusions, child.exclusions);
  if (uniques) merged.uniques = uniques;
  if (indexes) merged.indexes = indexes;
  if (foreignKeys) merged.foreignKeys = foreignKeys;
  if (checks) merged.checks = checks;
  // Stated again, they replace the parent's (a null comment drops it); left out, they are inherited.
  for (const key of ['comment', 'replicaIdentity'] as const) {
    const value = key in child ? child[key] : parent[key];
    if (value !== undefined) Object.assign(merged, { [key]: value });
  }
  if (exclusions) merged.exclusions = exclusions;
  return merged;
}

function byName<T extends { name?: string }>(parent: T[] | undefined, child: T[] | undefined): T[] | undefined {
  if (!parent || !child) return child ?? parent;
  const names = new Set(child.map((c) => c.name));
  return [...parent.filter((p) => !names.has(p.name)), ...child];
}

function dropInherited(
  merged: TableInput,
  own: TableInput,
  gone: NonNullable<TableInput['removed']>,
): TableInput {
  const ownColumns = own.columns ?? {};
  const columns = Object.fromEntries(
    Object.entries(merged.columns ?? {}).filter(([c]) => c in ownColumns || !removedColumns(gone).some((r) => r.column === c)),
  );
  const isGone = (names: string[] | undefined, ownList: { name?: string }[] | undefined) => (x: { name?: string }) =>
    !(names ?? []).includes(x.name ?? '') || (ownList ?? []).some((o) => o.name === x.name);
  const result: TableInput = { ...merged, columns };
  if (merged.indexes) result.indexes = merged.indexes.filter(isGone(gone.indexes, own.indexes));
  if (merged.uniques) result.uniques = merged.uniques.filter(isGone(gone.constraints, own.uniques));
  if (merged.foreignKeys) result.foreignKeys = merged.foreignKeys.filter(isGone(gone.constraints, own.foreignKeys));
  if (merged.checks) result.checks = merged.checks.filter(isGone(gone.constraints, own.checks));
  if (merged.exclusions) result.exclusions = merged.exclusions.filter(isGone(gone.constraints, own.exclusions));
  return result;
}

/** `removed.columns` as a list, whichever of its two forms was written. */
function removedColumns(gone: TableInput['removed']): { column: string; fill?: ColumnInput['default'] }[] {
  const columns = gone?.columns ?? [];
  if (Array.isArray(columns)) return columns.map((column) => ({ column }));
  return Object.entries(columns).map(([column, { fill }]) => (fill === undefined ? { column } : { column, fill }));
}

type SchemaObjectKind = 'sequences' | 'domains' | 'enums';
const SCHEMA_OBJECT_KINDS: SchemaObjectKind[] = ['sequences', 'domains', 'enums'];

/**
 * Sequences, domains and enum types merge by name as tables do: one named again replaces the
 * inherited one, a removed one leaves, and removals accumulate along the chain unless a later
 * release declares the object (or the enum value) again. Kinds without any are left out.
 */
function mergeSchemaObjects(base: Schema | undefined, input: SchemaInput): { declared: Partial<Schema>; removed: Partial<Schema['removed']> } {
  const declared: Partial<Schema> = {};
  const removed: Partial<Schema['removed']> = {};
  for (const kind of SCHEMA_OBJECT_KINDS) {
    const own = input[kind] ?? {};
    const gone = input.removed?.[kind] ?? [];
    const merged: Record<string, unknown> = { ...(base?.[kind] ?? {}), ...own };
    for (const name of gone) if (!(name in own)) delete merged[name];
    const tombstones = [...(base?.removed[kind] ?? []).filter((n) => !(n in own)), ...gone];
    if (Object.keys(merged).length > 0) Object.assign(declared, { [kind]: merged });
    if (tombstones.length > 0) removed[kind] = tombstones;
  }
  const ownEnums = input.enums ?? {};
  const values = [
    ...(base?.removed.enumValues ?? []).filter((v) => !(ownEnums[v.enum] ?? []).includes(v.value)),
    ...Object.entries(input.removed?.enumValues ?? {}).flatMap(([name, list]) => list.map((value) => ({ enum: name, value }))),
  ];
  if (values.length > 0) removed.enumValues = values;
  return { declared, removed };
}
