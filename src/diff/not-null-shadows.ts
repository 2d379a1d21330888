import type { Change } from './changes.js';
import { formatColumnType, sameColumnType } from '../model/column-type.js';
import type { NotNullShadowSql } from '../dialect.js';
import { keyColumns, readIndexKeys, renderIndexKey } from '../model/index-entry.js';
import type { LeftoverShadow, NotNullShadow, ShadowIndex } from '../model/not-null-shadow.js';
import type { ColumnModel, DeclaredSchema, IndexModel, SchemaModel, TableModel } from '../model/schema-model.js';
import { noOwnedObjects, type OwnedObjects } from '../model/transition.js';
import { notNullShadowNames } from '../plan/owned-names.js';

/**
 * Where the server rebuilds a table to make a column NOT NULL and writers stall at the rebuild's
 * end (MariaDB), the column is made NOT NULL through a shadow instead: a copy declared NOT NULL,
 * added instantly, kept in step by triggers, filled in batches, indexed online, then swapped in
 * under a table lock held for milliseconds (src/plan/operations/not-null-shadow.ts).
 *
 * Runs after the diff, on the changes and the live model: a `set-not-null` the shadow can carry
 * becomes `set-not-null-through-shadow`, with how far a stopped run got, read from the live
 * schema. A column the shadow cannot carry keeps the rebuild (the reason is in `shadowBlocker`), and
 * so does a small table (`rows`, estimates; without them every table counts as large).
 * What a shadow leaves while no NOT NULL is pending is taken down; none of its objects is drift.
 */
export function throughShadows(changes: Change[], live: SchemaModel, sql: Pick<NotNullShadowSql, 'placeholder'>, rows?: Record<string, number>): Change[] {
  const owned = live.owned ?? noOwnedObjects();
  const shadowed: { have: TableModel; column: string }[] = [];
  const result: Change[] = [];
  // A shadow a stopped run left goes on whatever the table's size.
  const large = (have: TableModel, column: string) => (rows?.[have.name] ?? Infinity) >= SHADOW_MIN_ROWS || started(have, column, owned);
  for (const change of changes) {
    const have = change.kind === 'set-not-null' ? live.tables[change.table] : undefined;
    if (change.kind !== 'set-not-null' || !have || !large(have, change.column.name) || shadowBlocker(change.table, change.column, changes, live, sql) !== null) {
      result.push(change);
      continue;
    }
    shadowed.push({ have, column: change.column.name });
    result.push({ kind: 'set-not-null-through-shadow', table: change.table, column: change.column, shadow: shadowOf(have, change.column.name, changes, owned) });
  }
  const isShadowed = (table: string, column: string) => shadowed.some((s) => s.have.name === table && s.column === column);
  const leftovers = Object.values(live.tables).flatMap((t) => leftoverShadows(t, owned, isShadowed));
  const mine = new Set(shadowed.flatMap(({ have, column }) => ownedObjectNames(have, column)).concat(leftovers.flatMap(({ table, shadow }) => [
    ...(shadow.column === null ? [] : [`column ${table}.${shadow.column}`]),
    ...(shadow.trigger === null ? [] : [`trigger ${shadow.trigger}`]),
    ...shadow.indexes.flatMap((i) => [`index ${i}`, `unique ${i}`]),
  ])));
  const absorbed = new Set(result.flatMap((c) => (c.kind === 'set-not-null-through-shadow' ? c.shadow.drops.map((d) => `${c.table}.${d}`) : [])));
  return [
    ...result.filter((c) => !(c.kind === 'drift' && mine.has(c.object)) && !(c.kind === 'drop-index' && absorbed.has(`${c.table}.${c.name}`))),
    ...leftovers.map(({ table, shadow }): Change => ({ kind: 'drop-not-null-shadow', table, shadow })),
  ];
}

/**
 * Below this, a table is rebuilt in place: measured on a 2-core machine under four writers, the
 * rebuild of a 50,000-row table holds them up some 20 ms, where a shadow's fill and index builds
 * cost more; at 500,000 rows the rebuild's end holds them up 200 to 340 ms.
 */
export const SHADOW_MIN_ROWS = 200_000;

/** The live tables whose columns the declaration makes NOT NULL: where a shadow may be worth its size. */
export function notNullCandidates(declared: DeclaredSchema, live: SchemaModel): string[] {
  return Object.values(live.tables)
    .filter((have) => have.columns.some((c) => c.nullable && declared.model.tables[have.name]?.columns.some((d) => d.name === c.name && !d.nullable)))
    .map((t) => t.name);
}

const started = (have: TableModel, column: string, owned: OwnedObjects) => {
  const names = notNullShadowNames(have.name, column);
  return have.columns.some((c) => c.name === names.column) || owned.triggers.some((t) => t.table === have.name && t.name === names.trigger);
};

/** Why the column keeps the in-place rebuild, or null when the shadow can carry it. */
export function shadowBlocker(table: string, column: ColumnModel, changes: Change[], live: SchemaModel, sql: Pick<NotNullShadowSql, 'placeholder'>): string | null {
  const have = live.tables[table];
  const liveColumn = have?.columns.find((c) => c.name === column.name);
  if (!have || !liveColumn) return 'the column is not live yet';
  if (!have.primaryKey) return 'the table has no primary key to fill it by';
  if (!sameColumnType(liveColumn.type, column.type) || liveColumn.identity !== null || column.identity !== null) return 'its type changes too';
  if (sql.placeholder(column.type) === null) return `the shadow cannot carry its type ${formatColumnType(column.type)}`;
  const name = column.name;
  const named = (columns: string[]) => columns.includes(name);
  const inForeignKey = Object.values(live.tables).some((t) =>
    t.foreignKeys.some((fk) => (t.name === table && named(fk.columns)) || (fk.referencedTable === table && named(fk.referencedColumns))));
  if (inForeignKey) return 'a foreign key uses it';
  if (have.checks.some((c) => mentions(c.expression, name))) return 'a check reads it';
  const owned = live.owned ?? noOwnedObjects();
  const names = notNullShadowNames(table, name);
  if (owned.triggers.some((t) => t.table === table && t.name !== names.trigger)) return 'a dual-write trigger of a transition writes the table';
  for (const index of indexesOf(have)) {
    const keys = readIndexKeys(index.columns, have.columns.map((c) => c.name));
    const expression = keys.some((k) => k.kind === 'expression' && mentions(k.expression, name));
    if (expression) return `index ${index.name} reads it in an expression`;
    if (named(keyColumns(keys)) && index.using !== 'btree') return `index ${index.name} is a ${index.using} index, which is not built online`;
  }
  const alsoChanged = changes.some((c) => c.table === table && (c.kind === 'alter-column-type' || c.kind === 'drop-column') && (typeof c.column === 'string' ? c.column : c.column.name) === name);
  if (alsoChanged) return 'the release changes it otherwise too';
  // Renamed in the same contract before the shadow's steps, an index would not be where the swap looks for it.
  if (changes.some((c) => c.table === table && (c.kind === 'rename-object' || (c.kind === 'drop-alias' && c.renames.length > 0)))) return 'the release renames objects of the table';
  if ((live.unsupported ?? []).some((u) => u.table === table && u.name === name)) return 'the server keeps something of it dbtide does not model';
  return null;
}

function shadowOf(have: TableModel, column: string, changes: Change[], owned: OwnedObjects): NotNullShadow {
  const names = notNullShadowNames(have.name, column);
  const live = new Set(indexesOf(have).map((i) => i.name));
  // An index dropped to be created again under its name keeps its own drop, which the creation waits for.
  const created = (c: Change) => (c.kind === 'add-index' ? [c.index.name] : c.kind === 'add-unique' ? [c.key.name] : []);
  const recreated = new Set(changes.flatMap((c) => (c.table === have.name ? created(c) : [])));
  const removed = new Set(changes.flatMap((c) => (c.kind === 'drop-index' && c.table === have.name && !c.relaxes && !recreated.has(c.name) ? [c.name] : [])));
  const onColumn = indexesOf(have).filter((i) => !i.name.startsWith(names.index('')) && keyColumns(readIndexKeys(i.columns, have.columns.map((c) => c.name))).includes(column));
  const indexes = onColumn.filter((i) => !removed.has(i.name)).map((i): ShadowIndex => {
    const copy = copyOn(have, i, column, names.column, names.index(i.name));
    return { name: i.name, copy, built: live.has(copy.name) };
  });
  const added = have.columns.some((c) => c.name === names.column);
  const copying = owned.triggers.some((t) => t.table === have.name && t.name === names.trigger);
  return {
    column: names.column,
    trigger: names.trigger,
    job: names.job,
    key: have.primaryKey!.columns,
    indexes,
    drops: onColumn.filter((i) => removed.has(i.name)).map((i) => i.name),
    added,
    copying,
    filled: copying && owned.finishedJobs.includes(names.job),
  };
}

/** The index over the shadow instead of the column, each entry as the live one writes it. */
function copyOn(have: TableModel, index: IndexModel, column: string, shadow: string, name: string): IndexModel {
  const keys = readIndexKeys(index.columns, have.columns.map((c) => c.name));
  const entries = keys.map((k) => (k.kind === 'column' && k.column === column ? renderIndexKey({ ...k, column: shadow }, (n) => n, (e) => e) : renderIndexKey(k, (n) => n, (e) => e)));
  return { ...index, name, columns: entries };
}

/** A table's indexes and unique keys alike: on MySQL a unique key is an index. */
function indexesOf(have: TableModel): IndexModel[] {
  return [
    ...have.indexes,
    ...have.uniques.map((u): IndexModel => ({ name: u.name, columns: u.columns, unique: true, where: null, using: 'btree', include: [], nullsNotDistinct: false, valid: true })),
  ];
}

/** The drift entries a pending shadow's own objects would otherwise raise. */
function ownedObjectNames(have: TableModel, column: string): string[] {
  const names = notNullShadowNames(have.name, column);
  const prefix = names.index('');
  return [
    `column ${have.name}.${names.column}`,
    `trigger ${names.trigger}`,
    ...indexesOf(have).filter((i) => i.name.startsWith(prefix)).flatMap((i) => [`index ${i.name}`, `unique ${i.name}`]),
  ];
}

/** Shadows of the table's columns that no pending NOT NULL explains. */
function leftoverShadows(have: TableModel, owned: OwnedObjects, shadowed: (table: string, column: string) => boolean): { table: string; shadow: LeftoverShadow }[] {
  const found: { table: string; shadow: LeftoverShadow }[] = [];
  const columns = new Set(have.columns.map((c) => c.name));
  for (const c of have.columns) {
    if (shadowed(have.name, c.name)) continue;
    const names = notNullShadowNames(have.name, c.name);
    const column = columns.has(names.column) ? names.column : null;
    const trigger = owned.triggers.some((t) => t.table === have.name && t.name === names.trigger) ? names.trigger : null;
    if (column === null && trigger === null) continue;
    const indexes = column === null ? [] : indexesOf(have).filter((i) => i.name.startsWith(names.index('')) && i.columns.some((e) => e === column || e.startsWith(`${column}(`))).map((i) => i.name);
    found.push({ table: have.name, shadow: { column, trigger, indexes } });
  }
  return found;
}

/** The expression names the column: as a word, or quoted. Erring towards yes only keeps the rebuild. */
function mentions(expression: string, column: string): boolean {
  const escaped = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^\\w$])${escaped}(?:$|[^\\w$])`, 'i').test(expression);
}
