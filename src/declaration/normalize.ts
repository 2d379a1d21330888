import { type ColumnType, formatColumnType, SERIAL_TYPES } from '../model/column-type.js';
import { keyColumns, readIndexKey, readIndexKeys } from '../model/index-entry.js';
import { namedObjects } from '../model/named-objects.js';
import type { CheckModel, ColumnModel, DeclaredSchema, DefaultValue, Deferrable, ExclusionModel, ForeignKeyModel, Identity, IndexModel, KeyConstraint, ReferentialAction, ReplicaIdentity, TableModel, Tombstones } from '../model/schema-model.js';
import { DeclarationError, type DeclarationIssue } from './declaration-error.js';
import type { CheckInput, ColumnInput, DeferrableInput, ExclusionElementInput, ExclusionInput, ForeignKeyInput, IndexInput, Schema, TableInput } from './dsl-types.js';
import { checkAgainstPrevious } from './transition-sources.js';
import { normalizeTransitions } from './transitions.js';
import { checkName, exclusionName, foreignKeyName, indexName, MAX_IDENTIFIER_LENGTH, primaryKeyName, uniqueName } from './names.js';
import { OWN_TABLE_PREFIX } from '../model/own-objects.js';
import { identityIndex } from '../model/replica-identity.js';
import { normalizeSchemaObjects, schemaObjectTombstones } from './normalize-schema-objects.js';
import { resolveDefault, resolveType } from './column-values.js';

type Report = (path: string, message: string) => void;

/** Column names as declared, including columns whose type failed to parse, so one bad type does not cascade. */
type DeclaredColumns = Map<string, Set<string>>;

const REFERENTIAL_ACTIONS: readonly ReferentialAction[] = [
  'no action',
  'restrict',
  'cascade',
  'set null',
  'set default',
];
const INTEGER_KINDS = new Set<ColumnType['kind']>(['smallint', 'int', 'bigint']);
const NUMERIC_KINDS = new Set<ColumnType['kind']>([...INTEGER_KINDS, 'real', 'double', 'numeric']);
const NUMBER_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Validates a declaration and turns it into the canonical model: default names filled in, lists in a
 * stable order, plain JSON. Throws a DeclarationError listing every problem found.
 */
export function normalizeSchema(schema: Schema): DeclaredSchema {
  const issues: DeclarationIssue[] = [];
  const report: Report = (path, message) => issues.push({ path, message });
  if (schema.release.trim() === '') report('release', 'must not be empty');

  const declaredColumns: DeclaredColumns = new Map(
    Object.entries(schema.tables).map(([name, table]) => [name, new Set(Object.keys(table.columns ?? {}))]),
  );
  const tables: Record<string, TableModel> = {};
  for (const name of Object.keys(schema.tables).sort(compareText)) {
    tables[name] = normalizeTable(name, schema.tables[name]!, declaredColumns.get(name)!, report);
  }
  const { transitions, retired } = normalizeTransitions(schema.release, schema.transitions, tables, report);
  checkAgainstPrevious(schema, report);
  const removed = normalizeTombstones({ ...schema.removed, columns: [...schema.removed.columns, ...retired] }, report);
  for (const table of Object.values(tables)) checkForeignKeys(table, tables, declaredColumns, removed.tables, report);
  checkObjectNames(tables, report);
  checkTombstones(removed, tables, declaredColumns, report);
  const objects = normalizeSchemaObjects(schema, tables, report);
  Object.assign(removed, schemaObjectTombstones(schema, objects, report));

  const invariants = Object.entries(schema.invariants ?? {}).map(([name, sql]) => ({ name, sql: sql.trim() }));
  for (const i of invariants) if (i.sql === '') report(`invariants.${i.name}`, 'needs an SQL query (one that returns no rows while the rule holds)');

  if (issues.length > 0) throw new DeclarationError(issues, schema.location);
  return { release: schema.release, model: { tables, ...objects }, removed, transitions, ...(invariants.length > 0 ? { invariants } : {}) };
}

function normalizeTable(name: string, input: TableInput, declared: Set<string>, report: Report): TableModel {
  const path = `tables.${name}`;
  checkIdentifier(path, 'table', name, report);
  if (name.toLowerCase().startsWith(OWN_TABLE_PREFIX)) {
    report(path, `table names starting with "${OWN_TABLE_PREFIX}" are reserved for dbtide's own tables`);
  }
  if (declared.size === 0) report(`${path}.columns`, 'a table needs at least one column');

  const primaryKey = normalizePrimaryKey(name, input.primaryKey);
  const keyColumns = new Set(primaryKey?.columns);
  const columns = Object.entries(input.columns ?? {}).flatMap(
    ([column, raw]) => normalizeColumn(column, raw, keyColumns.has(column), `${path}.columns.${column}`, report) ?? [],
  );
  const table: TableModel = {
    name,
    columns,
    primaryKey,
    uniques: (input.uniques ?? [])
      .map((u) => ({
        name: u.name ?? uniqueName(name, u.columns),
        columns: [...u.columns],
        ...(u.nullsNotDistinct ? { nullsNotDistinct: true } : {}),
        ...(u.include && u.include.length > 0 ? { include: [...u.include] } : {}),
        ...deferrableOf(u.deferrable),
      }))
      .sort(byName),
    indexes: (input.indexes ?? []).map((i) => normalizeIndex(name, i)).sort(byName),
    foreignKeys: (input.foreignKeys ?? []).map((f) => normalizeForeignKey(name, f, report)).sort(byName),
    checks: (input.checks ?? []).map((c) => normalizeCheck(name, c, report)).sort(byName),
    ...commentOf(input.comment, path, report),
    ...(input.exclusions?.length ? { exclusions: input.exclusions.map((x) => normalizeExclusion(name, x, declared, report)).sort(byName) } : {}),
  };
  checkColumnLists(table, declared, report);
  const replicaIdentity = normalizeReplicaIdentity(table, input.replicaIdentity, report);
  return replicaIdentity === null ? table : { ...table, replicaIdentity };
}

/** A comment as the model keeps it: absent when there is none. */
function commentOf(comment: string | null | undefined, path: string, report: Report): { comment?: string } {
  if (comment === undefined || comment === null) return {};
  if (comment === '') report(path, 'an empty comment is no comment: leave `comment` out to have none');
  return comment === '' ? {} : { comment };
}

/**
 * `default` is the server's own and stays absent. An index the server would refuse (PostgreSQL
 * wants a unique, non-partial index over NOT NULL columns, no expressions) is refused here, with
 * the declaration, rather than mid-expand.
 */
function normalizeReplicaIdentity(table: TableModel, input: TableInput['replicaIdentity'], report: Report): ReplicaIdentity | null {
  if (input === undefined || input === 'default') return null;
  if (typeof input === 'string') return input;
  const path = `tables.${table.name}.replicaIdentity`;
  const index = identityIndex(table, input.index);
  if (!index) {
    report(path, `names index "${input.index}", which ${table.name} does not declare; name one of its unique indexes, unique constraints or its primary key`);
    return null;
  }
  const columns = new Map(table.columns.map((c) => [c.name, c]));
  const problems = [
    ...(index.unique ? [] : ['is not unique']),
    ...(index.where === null ? [] : ['is partial (it has a where)']),
    ...(index.deferrable ? ['is deferrable (its uniqueness may be checked only at commit)'] : []),
    ...readIndexKeys(index.columns, [...columns.keys()]).flatMap((key, i) => {
      const column = key.kind === 'column' ? columns.get(key.column) : undefined;
      if (!column) return [`has "${index.columns[i]}" as a key, which is not a plain column`];
      return column.nullable ? [`has the nullable column "${column.name}" as a key`] : [];
    }),
  ];
  for (const problem of problems) {
    report(path, `index "${input.index}" ${problem}: a replica identity index must be unique, not partial, over NOT NULL columns only`);
  }
  return { index: input.index };
}

function normalizePrimaryKey(table: string, key: TableInput['primaryKey']): KeyConstraint | null {
  if (key === undefined) return null;
  if (Array.isArray(key)) return { name: primaryKeyName(table), columns: [...key] };
  return { name: key.name ?? primaryKeyName(table), columns: [...key.columns], ...deferrableOf(key.deferrable) };
}

/** The model's field, present only when the constraint is deferrable. */
const deferrableOf = (value: DeferrableInput | undefined): { deferrable?: Deferrable } => (value ? { deferrable: value } : {});

/** Returns null when the type is unusable; the issue is already reported. */
function normalizeColumn(
  name: string,
  raw: string | ColumnInput,
  inPrimaryKey: boolean,
  path: string,
  report: Report,
): ColumnModel | null {
  checkIdentifier(path, 'column', name, report);
  const input: ColumnInput = typeof raw === 'string' ? { type: raw } : raw;
  const identity = resolveIdentity(input, path, report);
  const defaultValue = resolveDefault(input.default, path, report);
  // Identity columns are NOT NULL on every dialect (PostgreSQL and Db2 force it), so declare them so.
  const impliedNotNull = inPrimaryKey || identity !== null;
  if (impliedNotNull && input.nullable === true) {
    report(path, inPrimaryKey ? 'primary key column must not be nullable' : 'identity column must not be nullable');
  }
  if (identity !== null && defaultValue !== null) report(path, 'an identity column cannot also have a default');

  const type = resolveType(input.type, path, report);
  if (type === null) return null;
  // A native type (MySQL's `bigint unsigned`) is left for the server to judge.
  if (identity !== null && type.kind !== 'native' && !INTEGER_KINDS.has(type.kind)) {
    report(path, `identity needs a smallint, int or bigint column, not ${formatColumnType(type)}`);
  }
  checkDefaultFitsType(defaultValue, type, path, report);
  return { name, type, nullable: input.nullable ?? !impliedNotNull, default: defaultValue, identity, ...commentOf(input.comment, path, report) };
}

function resolveIdentity(input: ColumnInput, path: string, report: Report): Identity | null {
  const typeName = typeof input.type === 'string' ? input.type.trim().toLowerCase() : '';
  const serial = Object.hasOwn(SERIAL_TYPES, typeName);
  switch (input.identity) {
    case undefined:
      return serial ? 'by-default' : null;
    case false:
      if (serial) report(path, `"${typeName}" is an identity column; use "${SERIAL_TYPES[typeName]}" for a plain one`);
      return null;
    case true:
    case 'by-default':
      return 'by-default';
    case 'always':
      return 'always';
    default:
      report(path, 'identity must be true, false, "always" or "by-default"');
      return null;
  }
}

function checkDefaultFitsType(value: DefaultValue | null, type: ColumnType, path: string, report: Report): void {
  // A native type may well take a boolean or a word (bit, enum): the database is the judge there.
  if (value?.kind !== 'literal' || type.kind === 'native') return;
  const literal = value.value;
  if (typeof literal === 'boolean' && type.kind !== 'boolean') {
    report(path, `default ${literal} is a boolean, but the column is ${formatColumnType(type)}`);
  } else if (NUMERIC_KINDS.has(type.kind) && !isNumeric(literal)) {
    report(path, `default ${JSON.stringify(literal)} is not a number, but the column is ${formatColumnType(type)}`);
  }
}

const isNumeric = (value: string | number | boolean): boolean =>
  typeof value === 'number' ? Number.isFinite(value) : typeof value === 'string' && NUMBER_PATTERN.test(value.trim());

function normalizeIndex(table: string, input: IndexInput): IndexModel {
  const unique = input.unique ?? false;
  return {
    name: input.name ?? indexName(table, input.columns, unique),
    columns: [...input.columns],
    unique,
    where: input.where?.trim() || null,
    using: input.using?.trim().toLowerCase() || 'btree',
    include: [...(input.include ?? [])],
    nullsNotDistinct: input.nullsNotDistinct ?? false,
    valid: true,
  };
}

function normalizeForeignKey(table: string, input: ForeignKeyInput, report: Report): ForeignKeyModel {
  const name = input.name ?? foreignKeyName(table, input.columns);
  const path = `tables.${table}.foreignKeys.${name}`;
  return {
    name,
    columns: [...input.columns],
    referencedTable: input.references.table,
    referencedColumns: [...input.references.columns],
    onDelete: normalizeAction(input.onDelete, path, 'onDelete', report),
    onUpdate: normalizeAction(input.onUpdate, path, 'onUpdate', report),
    validated: true,
    ...deferrableOf(input.deferrable),
  };
}

function normalizeAction(value: string | undefined, path: string, field: string, report: Report): ReferentialAction {
  if (value === undefined) return 'no action';
  const action = value.trim().toLowerCase().replace(/\s+/g, ' ');
  const known = REFERENTIAL_ACTIONS.find((a) => a === action);
  if (known === undefined) report(path, `${field} must be one of ${REFERENTIAL_ACTIONS.join(', ')}; got "${value}"`);
  return known ?? 'no action';
}

/** An element's entry as an index reads it: the column or expression, then the operator class. */
const elementEntry = (e: ExclusionElementInput) => [e.column ?? e.expression ?? '', e.opclass?.trim()].filter(Boolean).join(' ');

function normalizeExclusion(table: string, input: ExclusionInput, declared: Set<string>, report: Report): ExclusionModel {
  const name = input.name ?? exclusionName(table, input.elements.map((e) => e.column ?? e.expression ?? ''));
  const path = `tables.${table}.exclusions.${name}`;
  input.elements.forEach((e, i) => {
    const at = `${path}.elements[${i}]`;
    if ((e.column === undefined) === (e.expression === undefined)) return report(at, 'give either `column` or `expression`');
    if (e.column === undefined) return;
    const key = readIndexKey(elementEntry(e), [...declared]);
    if (key.kind !== 'column' || !declared.has(key.column)) report(at, `unknown column "${e.column}"; an expression goes in \`expression\``);
  });
  return {
    name,
    using: input.using?.trim().toLowerCase() || 'gist',
    columns: input.elements.map(elementEntry),
    operators: input.elements.map((e) => e.operator.trim()),
    where: input.where?.trim() || null,
    ...deferrableOf(input.deferrable),
  };
}

function normalizeCheck(table: string, input: CheckInput, report: Report): CheckModel {
  const name = input.name ?? checkName(table, input.expression);
  const expression = input.expression.trim();
  if (expression === '') report(`tables.${table}.checks.${name}`, 'expression must not be empty');
  return { name, expression, validated: true };
}

/** Every key, index and foreign key names columns of its own table. */
function checkColumnLists(table: TableModel, declared: Set<string>, report: Report): void {
  const path = `tables.${table.name}`;
  const isColumn = (entry: string) => declared.has(entry);
  const isColumnOrExpression = (entry: string) => {
    const key = readIndexKey(entry, [...declared]);
    return key.kind === 'expression' || declared.has(key.column);
  };
  if (table.primaryKey) checkColumnList(`${path}.primaryKey`, table.primaryKey.columns, isColumn, report);
  for (const u of table.uniques) {
    checkColumnList(`${path}.uniques.${u.name}`, u.columns, isColumn, report);
    if (u.include) checkIncludeColumns(`${path}.uniques.${u.name}`, u.include, new Set(u.columns), declared, report);
  }
  for (const i of table.indexes) {
    checkColumnList(`${path}.indexes.${i.name}`, i.columns, isColumnOrExpression, report);
    checkIndexOptions(`${path}.indexes.${i.name}`, i, declared, report);
  }
  for (const f of table.foreignKeys) checkColumnList(`${path}.foreignKeys.${f.name}`, f.columns, isColumn, report);
}

/**
 * PostgreSQL accepts a covering column that is a key column already, and NULLS NOT DISTINCT on an
 * index that is not unique, though neither changes what the index does: a declaration saying so
 * is a mistake, caught here rather than silently built.
 */
function checkIndexOptions(path: string, index: IndexModel, declared: Set<string>, report: Report): void {
  if (index.include.length > 0) {
    checkIncludeColumns(path, index.include, new Set(keyColumns(readIndexKeys(index.columns, [...declared]))), declared, report);
  }
  if (index.nullsNotDistinct && !index.unique) report(path, 'nullsNotDistinct needs a unique index (`unique: true`)');
}

function checkIncludeColumns(path: string, include: string[], keys: Set<string>, declared: Set<string>, report: Report): void {
  if (!checkColumnList(path, include, (c) => declared.has(c), report, 'include column')) return;
  for (const column of include) if (keys.has(column)) report(path, `include column "${column}" is already a key column of the index`);
}

/** Reports an empty list, unknown or repeated entries; returns whether the list was fine. */
function checkColumnList(
  path: string,
  columns: string[],
  isKnown: (entry: string) => boolean,
  report: Report,
  what = 'column',
): boolean {
  const problems =
    columns.length === 0
      ? [`${what} list is empty`]
      : columns.flatMap((column, i) => {
          if (!isKnown(column)) return [`unknown ${what} "${column}"`];
          return columns.indexOf(column) === i ? [] : [`${what} "${column}" is listed twice`];
        });
  for (const problem of problems) report(path, problem);
  return problems.length === 0;
}

function checkForeignKeys(
  table: TableModel,
  tables: Record<string, TableModel>,
  declaredColumns: DeclaredColumns,
  removedTables: string[],
  report: Report,
): void {
  for (const fk of table.foreignKeys) {
    const path = `tables.${table.name}.foreignKeys.${fk.name}`;
    const target = tables[fk.referencedTable];
    if (removedTables.includes(fk.referencedTable)) {
      report(path, `references table "${fk.referencedTable}", which is removed`);
      continue;
    }
    if (target === undefined) {
      report(path, `references unknown table "${fk.referencedTable}"`);
      continue;
    }
    const known = declaredColumns.get(target.name)!;
    if (!checkColumnList(path, fk.referencedColumns, (c) => known.has(c), report, 'referenced column')) continue;
    if (fk.columns.length !== fk.referencedColumns.length) {
      report(path, `${fk.columns.length} column(s) reference ${fk.referencedColumns.length} column(s)`);
      continue;
    }
    // What the referenced key may be and which types may meet are the server's rules: the planner
    // checks them against its capability table (src/plan/foreign-key-rules.ts).
  }
}

/**
 * Names must differ within a table on every server (and dbtide finds objects by table and name).
 * Across tables the rule is the server's: the planner checks it against the dialect's capability
 * table (src/plan/name-scopes.ts), so a pulled schema whose tables share a CHECK name loads.
 */
function checkObjectNames(tables: Record<string, TableModel>, report: Report): void {
  for (const table of Object.values(tables)) {
    const firstUse = new Map<string, string>();
    for (const { path, name } of namedObjects(table)) {
      if (name === '') report(path, 'name must not be empty');
      else if (byteLength(name) > MAX_IDENTIFIER_LENGTH) {
        report(path, `name "${name}" is ${byteLength(name)} bytes; the limit is ${MAX_IDENTIFIER_LENGTH}`);
      }
      const first = firstUse.get(name);
      if (first === undefined) firstUse.set(name, path);
      else if (first === path) report(path, `name "${name}" is declared twice in this list; give one of them another name`);
      else report(path, `name "${name}" is already used by ${first} in the same table; give one of them another name`);
    }
  }
}

const constraintNames = (table: TableModel): string[] =>
  [table.primaryKey, ...table.uniques, ...table.foreignKeys, ...table.checks, ...(table.exclusions ?? [])].flatMap((c) => (c ? [c.name] : []));

function normalizeTombstones(removed: Schema['removed'], report: Report): Tombstones {
  const withFill = ({ table, column, fill }: Schema['removed']['columns'][number]) => {
    const value = resolveDefault(fill, `tables.${table}.removed.columns.${column}.fill`, report);
    return value === null ? { table, column } : { table, column, fill: value };
  };
  return {
    tables: sortedUnique(removed.tables, (t) => [t]),
    columns: sortedUnique(
      removed.columns.map(withFill),
      (c) => [c.table, c.column],
    ),
    indexes: sortedUnique(
      removed.indexes.map(({ table, name }) => ({ table, name })),
      (i) => [i.table, i.name],
    ),
    constraints: sortedUnique(
      removed.constraints.map(({ table, name }) => ({ table, name })),
      (c) => [c.table, c.name],
    ),
  };
}

/** A tombstone contradicts a declaration that still has the object; contract would drop it. */
function checkTombstones(
  removed: Tombstones,
  tables: Record<string, TableModel>,
  declaredColumns: DeclaredColumns,
  report: Report,
): void {
  for (const table of removed.tables) {
    if (table in tables) report('removed.tables', `"${table}" is still declared`);
  }
  // Tombstones of a removed table's objects are fine: dropping the table drops them too.
  const live = (table: string) => (removed.tables.includes(table) ? undefined : tables[table]);
  for (const { table, column } of removed.columns) {
    if (live(table) && declaredColumns.get(table)!.has(column)) {
      report(`tables.${table}.removed.columns`, `"${column}" is still declared`);
    }
  }
  for (const { table, name } of removed.indexes) {
    if (live(table)?.indexes.some((i) => i.name === name)) {
      report(`tables.${table}.removed.indexes`, `"${name}" is still declared`);
    }
  }
  for (const { table, name } of removed.constraints) {
    const model = live(table);
    if (model && constraintNames(model).includes(name)) {
      report(`tables.${table}.removed.constraints`, `"${name}" is still declared`);
    }
  }
}

function checkIdentifier(path: string, what: string, name: string, report: Report): void {
  if (name === '') report(path, `${what} name must not be empty`);
  else if (byteLength(name) > MAX_IDENTIFIER_LENGTH) {
    report(path, `${what} name is ${byteLength(name)} bytes; the limit is ${MAX_IDENTIFIER_LENGTH}`);
  }
}

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const byName = (a: { name: string }, b: { name: string }): number => compareText(a.name, b.name);

function sortedUnique<T>(items: T[], key: (item: T) => string[]): T[] {
  const byKey = new Map(items.map((item) => [key(item).join('\0'), item]));
  return [...byKey.keys()].sort(compareText).map((k) => byKey.get(k)!);
}
