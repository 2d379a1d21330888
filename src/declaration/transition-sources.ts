import { type ColumnType, formatColumnType, parseColumnType, sameColumnType } from '../model/column-type.js';
import { builtOnTheOldColumn, columnUsers, type KeyedTable } from '../model/column-users.js';
import type { Schema, TableInput, TransitionInput } from './dsl-types.js';
import { checkName, exclusionName, foreignKeyName, indexName, primaryKeyName, uniqueName } from './names.js';

type Report = (path: string, message: string) => void;

/**
 * A transition's old side must exist in the release it extends: a rename of a column that exists
 * nowhere installs a trigger reading a missing column, after which every write to the table
 * fails. Without `extends` the live schema is the judge (see diff/transition-sources.ts).
 */
export function checkAgainstPrevious(schema: Schema, report: Report): void {
  const previous = schema.previous?.tables ? { release: schema.previous.release, tables: schema.previous.tables } : null;
  if (!previous) return;
  const renamedFrom = new Map(
    schema.transitions.flatMap((t) => (t.kind === 'rename-table' ? [[t.to, t.from] as const] : [])),
  );
  const before = (table: string): TableInput | undefined => previous.tables[renamedFrom.get(table) ?? table];
  const where = `in the previous release ${previous.release}`;

  schema.transitions.forEach((t, i) => {
    const path = `transitions[${i}] (${t.kind})`;
    if (t.kind === 'data-move' || t.kind === 'fill' || t.kind === 'sql') return;
    if (t.kind === 'rename-table') {
      if (!(t.from in previous.tables)) report(path, `table "${t.from}" does not exist ${where} (its tables: ${list(Object.keys(previous.tables))})`);
      if (t.to in previous.tables) report(path, `table "${t.to}" already exists ${where}; a rename needs a new name`);
      return;
    }
    // A table the release does not declare is reported by normalization already.
    if (!(t.table in schema.tables)) return;
    if (t.kind === 'rename-constraint' || t.kind === 'rename-index') {
      const old = renamedFrom.get(t.table) ?? t.table;
      const table = previous.tables[old];
      if (!table) return report(path, `table "${t.table}" does not exist ${where}, so it has no ${t.kind === 'rename-index' ? 'index' : 'constraint'} to rename`);
      const names = previousNames(old, table, t.kind === 'rename-index' ? 'index' : 'constraint');
      if (!names.includes(t.from)) {
        report(path, `"${t.from}" is not ${t.kind === 'rename-index' ? 'an index' : 'a constraint'} of ${t.table} ${where} (its ${t.kind === 'rename-index' ? 'indexes' : 'constraints'}: ${list(names)})`);
      }
      if (names.includes(t.to)) report(path, `"${t.to}" already names ${t.kind === 'rename-index' ? 'an index' : 'a constraint'} of ${t.table} ${where}; a rename needs a new name`);
      return;
    }
    const table = before(t.table);
    if (!table) {
      report(path, `table "${t.table}" does not exist ${where}, so it has no old columns to move data from`);
      return;
    }
    const columns = table.columns ?? {};
    const need = (column: string, role: string) => {
      if (!(column in columns)) report(path, `${role} "${column}" is not a column of ${t.table} ${where} (its columns: ${list(Object.keys(columns))})`);
    };
    for (const [column, role] of oldColumns(t)) need(column, role);
    if (t.kind === 'rename-column' && t.to in columns) report(path, `"${t.to}" is already a column of ${t.table} ${where}; a rename needs a new name`);
    if (t.kind === 'change-type' && t.column in columns) {
      const old = typeOf(columns[t.column]!);
      const now = typeOf(schema.tables[t.table]?.columns?.[t.column]);
      if (old && now && sameColumnType(old, now)) {
        report(path, `${t.table}.${t.column} is ${formatColumnType(now)} ${where} too: changeType would change nothing; declare the new type in tables.${t.table}.columns.${t.column}, or remove the transition`);
      }
      const keyed = (name: string) => keyedInput(name, previous.tables[name]!);
      for (const u of columnUsers(keyed(renamedFrom.get(t.table) ?? t.table), t.column, Object.keys(previous.tables).map(keyed))) {
        if (u.kind === 'unique' || u.kind === 'index' || u.kind === 'exclusion') report(path, builtOnTheOldColumn(t.table, t.column, `${u.label} ${where}`));
      }
    }
  });
}

/** A previous release's table as src/model/column-users.ts sees it, with the names normalization gives. */
function keyedInput(name: string, t: TableInput): KeyedTable {
  const key = t.primaryKey === undefined ? null : Array.isArray(t.primaryKey) ? { columns: t.primaryKey } : t.primaryKey;
  return {
    name,
    columns: Object.keys(t.columns ?? {}),
    primaryKey: key && { name: key.name ?? primaryKeyName(name), columns: key.columns },
    uniques: (t.uniques ?? []).map((u) => ({ name: u.name ?? uniqueName(name, u.columns), columns: u.columns })),
    indexes: (t.indexes ?? []).map((i) => ({
      name: i.name ?? indexName(name, i.columns, i.unique ?? false),
      columns: i.columns,
      unique: i.unique ?? false,
      where: i.where ?? null,
      include: i.include ?? [],
    })),
    foreignKeys: (t.foreignKeys ?? []).map((f) => ({
      name: f.name ?? foreignKeyName(name, f.columns),
      columns: f.columns,
      referencedTable: f.references.table,
      referencedColumns: f.references.columns,
    })),
    exclusions: (t.exclusions ?? []).map((x) => ({
      name: x.name ?? exclusionName(name, x.elements.map((e) => e.column ?? e.expression ?? '')),
      columns: x.elements.map((e) => e.column ?? e.expression ?? ''),
      where: x.where ?? null,
    })),
  };
}

/** The names a previous release's table gives its constraints, or its indexes. */
function previousNames(name: string, t: TableInput, object: 'constraint' | 'index'): string[] {
  const keyed = keyedInput(name, t);
  if (object === 'index') return keyed.indexes.map((i) => i.name);
  const checks = (t.checks ?? []).map((c) => c.name ?? checkName(name, c.expression));
  const exclusions = (keyed.exclusions ?? []).map((x) => x.name);
  return [...(keyed.primaryKey ? [keyed.primaryKey.name] : []), ...keyed.uniques.map((u) => u.name), ...keyed.foreignKeys.map((f) => f.name), ...checks, ...exclusions];
}

/** The columns of the previous release a transition reads, each with its role for messages. */
function oldColumns(t: Exclude<TransitionInput, { kind: 'data-move' | 'fill' | 'rename-table' | 'rename-constraint' | 'rename-index' | 'sql' }>): [string, string][] {
  switch (t.kind) {
    case 'rename-column':
      return [[t.from, 'the old column']];
    case 'change-type':
      return [[t.column, 'the column']];
    case 'derive':
      return [
        ...(t.retires ?? []).map((c): [string, string] => [c, 'the retired column']),
        ...(t.reads ?? []).map((c): [string, string] => [c, 'the column it reads']),
      ];
  }
}

function typeOf(column: TableInput['columns'] extends Record<string, infer C> | undefined ? C | undefined : never): ColumnType | null {
  if (column === undefined) return null;
  const type = typeof column === 'string' ? column : column.type;
  if (typeof type !== 'string') return { kind: 'native', sql: type.native.trim() };
  const parsed = parseColumnType(type);
  return 'error' in parsed ? null : parsed;
}

const list = (names: string[]) => (names.length === 0 ? 'none' : names.join(', '));
