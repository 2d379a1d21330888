import type { Capabilities } from '../dialect.js';
import type { Change, ChangeKind } from './changes.js';
import type { CheckModel, ColumnModel, DeclaredSchema, IndexModel, KeyConstraint, SchemaModel, TableModel } from '../model/schema-model.js';
import type { LeftoverCopy, TableCopy } from '../model/table-copy.js';
import { noOwnedObjects, type ColumnSync, type OwnedObjects } from '../model/transition.js';
import { tableCopyNames } from '../plan/owned-names.js';

/**
 * Where the server rebuilds a table to make a column NOT NULL (MySQL, MariaDB), a large table's
 * rebuild stalls the writers of every table of the server at its end; a fill of a new column
 * grows every row and splits every page, which stalls them as much. A copy of the table, declared
 * with the columns NOT NULL, filled in small batches in key order (pages written once, full) and
 * kept in step by triggers, then swapped in by one atomic rename, does not
 * (src/plan/operations/table-copy.ts).
 *
 * Runs after the diff, on the changes and the live model: the `set-not-null` changes of a table
 * the copy can carry (on a cluster, its `add-unique`, `add-check` and `swap-column` ones too: `cluster`) become one
 * `set-not-null-through-copy`; on a cluster, a large table's new indexes one `index-through-copy`
 * in expand; with how far a stopped run got, read from the live schema. A table the copy cannot carry keeps the rebuild (the reason is in
 * `copyBlocker`), and so does a small table (`rows`, estimates; without them every table counts
 * as large). What a copy leaves while no NOT NULL of its table is pending is taken down; none of
 * its objects is drift.
 */
export function throughCopies(changes: Change[], live: SchemaModel, rows: Record<string, number> | undefined, caps: CopyCapabilities, cluster: CopyCluster = SINGLE_SERVER): Change[] {
  const owned = live.owned ?? noOwnedObjects();
  const notNull = new Map<string, ColumnModel[]>();
  const uniques = new Map<string, KeyConstraint[]>();
  const backfills = new Map<string, ColumnSync[]>();
  const swaps = new Map<string, ColumnSync[]>();
  const indexes = new Map<string, IndexModel[]>();
  const checks = new Map<string, CheckModel[]>();
  for (const c of changes) {
    if (c.kind === 'set-not-null' && caps.notNull === 'table-copy') notNull.set(c.table, [...(notNull.get(c.table) ?? []), c.column]);
    if (c.kind === 'add-unique' && cluster.carryKeys && caps.notNull === 'table-copy' && carriable(c, live)) uniques.set(c.table, [...(uniques.get(c.table) ?? []), c.key]);
    if (c.kind === 'backfill' && caps.backfill === 'table-copy') backfills.set(c.table, [...(backfills.get(c.table) ?? []), c.sync]);
    if (c.kind === 'swap-column' && cluster.carrySwaps && caps.notNull === 'table-copy') swaps.set(c.table, [...(swaps.get(c.table) ?? []), c.sync]);
    if (c.kind === 'add-check' && c.existing === 'none' && cluster.carryKeys && caps.notNull === 'table-copy' && c.table in live.tables) checks.set(c.table, [...(checks.get(c.table) ?? []), c.check]);
    if (c.kind === 'add-index' && cluster.carryIndexes && caps.notNull === 'table-copy' && carriableIndex(c.index, caps)) indexes.set(c.table, [...(indexes.get(c.table) ?? []), c.index]);
  }
  // A copy a stopped run left goes on whatever the table's size.
  const large = (table: string) => (rows?.[table] ?? Infinity) >= cluster.minRows || started(table, live, owned);
  const copied = new Map<string, TableCopy>();
  const unlocked = new Map<string, string>();
  // A swap goes through a copy whatever the table's size: the in-place one needs a table lock.
  for (const table of new Set([...notNull.keys(), ...uniques.keys(), ...swaps.keys(), ...checks.keys()])) {
    const have = live.tables[table];
    const swapped = swaps.get(table) ?? [];
    const blocker = have ? copyBlocker(table, changes, live, swapped) : 'the table is not live yet';
    if (have && (large(table) || swapped.length > 0) && blocker === null) copied.set(table, copyOf(have, live, owned, { notNull: notNull.get(table) ?? [], uniques: uniques.get(table) ?? [], checks: checks.get(table) ?? [], swaps: swapped }));
    else if (swapped.length > 0) unlocked.set(table, blocker!);
  }
  const filled = new Map<string, TableCopy>();
  for (const [table, syncs] of backfills) {
    const have = live.tables[table];
    if (have && large(table) && fillBlocker(table, syncs, live) === null) filled.set(table, copyOf(have, live, owned, { fills: syncs }));
  }
  const indexed = new Map<string, TableCopy>();
  for (const [table, built] of indexes) {
    const have = live.tables[table];
    if (have && large(table) && indexBlocker(table, changes, live) === null) indexed.set(table, copyOf(have, live, owned, { indexes: built }));
  }
  const claimed = new Set([...copied.keys(), ...filled.keys(), ...indexed.keys()]);
  const leftovers = leftoverCopies(live, owned, claimed);
  const mine = new Set([...claimed, ...leftovers.map((l) => l.table)].map((t) => `trigger ${tableCopyNames(t).triggers.insert}`));
  const result: Change[] = [];
  for (const c of changes) {
    if (c.kind === 'drift' && mine.has(c.object)) continue;
    const table = 'table' in c && typeof c.table === 'string' ? c.table : undefined;
    const copy = table === undefined ? undefined : copied.get(table);
    const indexCopy = table === undefined ? undefined : indexed.get(table);
    if (table !== undefined && indexCopy && c.kind === 'add-index' && indexCopy.indexes.includes(c.index)) {
      if (c === changes.find((f) => f.kind === 'add-index' && indexCopy.indexes.includes(f.index))) result.push({ kind: 'index-through-copy', table, copy: indexCopy });
    } else if (table !== undefined && copy && carries(c, copy)) {
      // One copy carries every NOT NULL, unique key, check and swap of its table, or every backfill, in place of the first.
      if (c === changes.find((f) => carries(f, copy))) result.push({ kind: 'set-not-null-through-copy', table, copy });
    } else if (c.kind === 'swap-column' && unlocked.has(c.table)) {
      result.push({ ...c, unlocked: unlocked.get(c.table)! });
    } else if (c.kind === 'backfill' && filled.has(c.table)) {
      const copy = filled.get(c.table)!;
      if (copy.fills[0] === c.sync) result.push({ kind: 'backfill-through-copy', table: c.table, copy });
    } else {
      result.push(c);
    }
  }
  return [...result, ...leftovers.map(({ table, leftover }): Change => ({ kind: 'drop-table-copy', table, leftover }))];
}

/**
 * Why a table's backfills keep the in-place UPDATE, or null when a copy can do them: the copy's
 * SELECT computes the new columns as it copies each row (written once, in key order, where the
 * UPDATE grows every row in place), and the syncs' triggers go to the copy before the swap.
 * Besides what keeps a NOT NULL from a copy: a trigger on the table the copy would not take along.
 * (Nothing else of the table runs in migrate: what runs in contract finds the copy in its place.)
 */
export function fillBlocker(table: string, syncs: ColumnSync[], live: SchemaModel): string | null {
  const carried = new Set([tableCopyNames(table).triggers.insert, ...syncs.map((s) => s.trigger)]);
  const other = (live.owned ?? noOwnedObjects()).triggers.find((t) => t.table === table && !carried.has(t.name));
  return uncopiable(table, live, other && `trigger ${other.name} writes the table, and is not a sync the copy fills`);
}

/**
 * What keeps any copy from a table, or `trigger` (a trigger the copy would not take along), or
 * null. A rename takes a table's foreign keys, and those pointing at it, along to the replaced
 * table; the server's objects dbtide does not model would stay with it too.
 */
function uncopiable(table: string, live: SchemaModel, trigger: string | undefined): string | null {
  const have = live.tables[table];
  if (!have) return 'the table is not live yet';
  if (!have.primaryKey) return 'the table has no primary key to copy it by';
  const inForeignKey = have.foreignKeys.length > 0 || Object.values(live.tables).some((t) => t.foreignKeys.some((fk) => fk.referencedTable === table));
  if (inForeignKey) return 'a foreign key uses the table';
  if (trigger) return trigger;
  const unmodelled = (live.unsupported ?? []).find((u) => u.table === table);
  if (unmodelled) return `the server keeps ${unmodelled.kind} ${unmodelled.name} on the table, which dbtide does not model and a copy would not carry`;
  return null;
}

/**
 * Below this, a table is rebuilt in place: measured on a 2-core machine under four writers, the
 * rebuild of a 50,000-row table holds them up some 20 ms, where a copy's setup and swap cost
 * about as much; at 500,000 rows the rebuild's end holds them up 200 to 340 ms.
 */
export const COPY_MIN_ROWS = 200_000;

/**
 * What the server being a node of a cluster changes: where DDL replicates in total order, a
 * rebuild or a key's build stops every node's commits for as long as it reads the table, so a
 * copy pays off from a much smaller table, and carries the unique keys as well.
 */
export interface CopyCluster {
  minRows: number;
  carryKeys: boolean;
  /**
   * A type change's swap goes through a copy too: the in-place swap keeps writes off the table
   * with LOCK TABLES between its ALTER and the triggers' drop, which a cluster does not replicate.
   */
  carrySwaps: boolean;
  /** A large table's new indexes are built on a copy, in expand: on the live table the build stops every node's commits while it reads it. */
  carryIndexes: boolean;
}

export const SINGLE_SERVER: CopyCluster = { minRows: COPY_MIN_ROWS, carryKeys: false, carrySwaps: false, carryIndexes: false };

/** Measured on three Galera nodes on 2 cores: a 200,000-row NOT NULL rebuild in total order held every node's writers 1.1 to 1.3 s. */
export const TOTAL_ORDER_CLUSTER: CopyCluster = { minRows: 10_000, carryKeys: true, carrySwaps: true, carryIndexes: true };

/** A unique key on live columns, with no index of its name left: what a copy can be made with. */
const carriable = (c: Extract<Change, { kind: 'add-unique' }>, live: SchemaModel) =>
  c.existingIndex === null && c.table in live.tables && c.key.columns.every((col) => live.tables[c.table]!.columns.some((have) => have.name === col));

/** The change is one of those the copy carries. */
function carries(c: Change, copy: TableCopy): boolean {
  switch (c.kind) {
    case 'set-not-null': return copy.notNull.includes(c.column);
    case 'add-unique': return copy.uniques.includes(c.key);
    case 'add-check': return copy.checks.includes(c.check);
    case 'swap-column': return copy.swaps.includes(c.sync);
    default: return false;
  }
}

type CopyCapabilities = Pick<Capabilities, 'notNull' | 'backfill' | 'blockingIndexMethods'>;

/**
 * An index expand builds online: a unique one on live data is a tightening, built in contract,
 * and one of a method the server builds blocking waits for contract too.
 */
const carriableIndex = (index: IndexModel, caps: CopyCapabilities) => !index.unique && !caps.blockingIndexMethods.includes(index.using);


/** The server takes a NOT NULL or a backfill through a copy of the table. */
export const copies = (caps: CopyCapabilities) => caps.notNull === 'table-copy' || caps.backfill === 'table-copy';

/**
 * The live tables whose columns the declaration makes NOT NULL, whose rows a transition
 * backfills, or (on a cluster) that gain a unique key or an index: where a copy may be worth its size.
 */
export function copyCandidates(declared: DeclaredSchema, live: SchemaModel, caps: CopyCapabilities, cluster: CopyCluster = SINGLE_SERVER): string[] {
  const keyed = (have: TableModel) =>
    cluster.carryKeys &&
    ((declared.model.tables[have.name]?.uniques ?? []).some((u) => !have.uniques.some((h) => h.name === u.name)) ||
      (declared.model.tables[have.name]?.checks ?? []).some((k) => !have.checks.some((h) => h.name === k.name)));
  const tightened = (have: TableModel) =>
    caps.notNull === 'table-copy' &&
    (keyed(have) || have.columns.some((c) => c.nullable && declared.model.tables[have.name]?.columns.some((d) => d.name === c.name && !d.nullable)));
  const synced = new Set(caps.backfill === 'table-copy' ? declared.transitions.flatMap((t) => (t.kind === 'column-sync' ? [t.table] : [])) : []);
  const indexed = (have: TableModel) =>
    cluster.carryIndexes && caps.notNull === 'table-copy' && (declared.model.tables[have.name]?.indexes ?? []).some((i) => carriableIndex(i, caps) && !have.indexes.some((h) => h.name === i.name));
  return Object.values(live.tables).filter((have) => tightened(have) || synced.has(have.name) || indexed(have)).map((t) => t.name);
}

const started = (table: string, live: SchemaModel, owned: OwnedObjects) => {
  const names = tableCopyNames(table);
  return names.copy in (live.copies ?? {}) || owned.triggers.some((t) => t.table === table && t.name === names.triggers.insert);
};

/**
 * Changes of the table that run after the swap in contract (src/plan/planner.ts RANK): they find
 * the copy in the table's place. One that runs before would change the table the copy was taken
 * from, and the swap would drop it.
 */
const AFTER_SWAP = new Set<ChangeKind>([
  'set-not-null', 'add-unique', 'add-index', 'add-check', 'add-foreign-key', 'drop-default', 'drop-constraint', 'drop-index', 'drop-column', 'drift',
]);

/**
 * Why the table keeps the in-place rebuild, or null when a copy can carry its NOT NULLs (and
 * `swapped`, the type changes it would swap in: their triggers go with the replaced table, and
 * their columns' defaults are set after the swap, which gives them their new columns).
 */
export function copyBlocker(table: string, changes: Change[], live: SchemaModel, swapped: ColumnSync[] = []): string | null {
  const blocked = unsyncedBlocker(table, live, swapped);
  if (blocked) return blocked;
  const swappedColumns = new Set(swapped.map((s) => s.swap?.column));
  const afterSwap = (c: Change) =>
    AFTER_SWAP.has(c.kind) || c.kind === 'drop-table-copy' || (c.kind === 'swap-column' && swapped.includes(c.sync)) || (c.kind === 'set-default' && swappedColumns.has(c.column.name));
  const before = changes.find((c) => 'table' in c && c.table === table && !afterSwap(c));
  if (before) return `the release also changes the table before its NOT NULL (${before.kind})`;
  return null;
}

/**
 * What keeps a copy without syncs from the table (`uncopiable`), a dual-write trigger included:
 * the copy would not carry it, but for those of `swapped`, which go with the replaced table.
 */
function unsyncedBlocker(table: string, live: SchemaModel, swapped: ColumnSync[]): string | null {
  const carried = new Set([tableCopyNames(table).triggers.insert, ...swapped.map((s) => s.trigger)]);
  const synced = (live.owned ?? noOwnedObjects()).triggers.some((t) => t.table === table && !carried.has(t.name));
  return uncopiable(table, live, synced ? 'a dual-write trigger of a transition writes the table' : undefined);
}

/**
 * Kinds of change that leave an index copy in expand alone: they run in later phases (on the
 * swapped-in table), or after the copy's swap in expand itself. Anything else of the table in
 * expand (a new column, a sync's triggers, a default) changes the table the copy is taken from.
 */
const BESIDE_INDEX_COPY = new Set<ChangeKind>([
  ...AFTER_SWAP, 'backfill', 'remove-sync', 'swap-column', 'data-move', 'drop-table-copy',
]);

/** Why a table's new indexes are built in place in expand, or null when a copy can carry them. */
export function indexBlocker(table: string, changes: Change[], live: SchemaModel): string | null {
  const blocked = unsyncedBlocker(table, live, []);
  if (blocked) return blocked;
  const other = changes.find((c) => 'table' in c && c.table === table && !BESIDE_INDEX_COPY.has(c.kind));
  return other ? `the release also changes the table in expand (${other.kind})` : null;
}

/** What a copy carries besides the table's rows: each a field of TableCopy of the same name. */
type Carried = Pick<TableCopy, 'notNull' | 'uniques' | 'checks' | 'swaps' | 'indexes' | 'fills'>;

function copyOf(have: TableModel, { copies }: SchemaModel, owned: OwnedObjects, carrying: Partial<Carried>): TableCopy {
  const carried: Carried = { notNull: [], uniques: [], checks: [], swaps: [], indexes: [], fills: [], ...carrying };
  const { fills, swaps, indexes } = carried;
  const names = tableCopyNames(have.name);
  // A table may have a copy in each phase of one plan: an index's in expand, a backfill's in migrate, a NOT NULL's in contract.
  const job = fills.length > 0 ? names.fillJob : indexes.length > 0 ? names.indexJob : names.job;
  const live = copies?.[names.copy];
  const shaped = shapedCopy(have, carried);
  const copying = live !== undefined && sameShape(live, shaped) && owned.triggers.some((t) => t.table === have.name && t.name === names.triggers.insert);
  return {
    name: names.copy,
    old: names.old,
    triggers: names.triggers,
    job,
    key: have.primaryKey!.columns,
    columns: swaps.length === 0 ? have.columns : shaped.columns,
    ...carried,
    copying,
    copied: copying && owned.finishedJobs.includes(job),
  };
}

/**
 * The table as its copy should read: the same but for the swapped columns (the old one dropped,
 * the shadow renamed to its name, where the shadow stood), the columns made NOT NULL and the
 * unique keys it gains.
 */
function shapedCopy(have: TableModel, { notNull, uniques, checks, swaps, indexes }: Carried): TableModel {
  const tight = new Map(notNull.map((c) => [c.name, c]));
  const retired = new Set(swaps.map((s) => s.swap!.column));
  const renamed = new Map(swaps.map((s) => [s.swap!.shadow, s.swap!.column]));
  const columns = have.columns
    .filter((c) => !retired.has(c.name))
    .map((c) => ({ ...c, name: renamed.get(c.name) ?? c.name }))
    // A swapped column made NOT NULL takes its declared definition on the copy, default included.
    .map((c) => (tight.has(c.name) ? { ...c, nullable: false, ...(retired.has(c.name) ? { default: tight.get(c.name)!.default } : {}) } : c));
  // Introspection lists indexes by name.
  const built = [...have.indexes, ...indexes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...have, columns, uniques: [...have.uniques, ...uniques], checks: [...have.checks, ...checks], indexes: built };
}

/** A copy shaped otherwise (the table changed since, or the release asks for other columns) is made again. */
function sameShape(a: TableModel, b: TableModel): boolean {
  // MySQL's primary key has no name of its own: introspection names it after the table. Keys
  // compare by name and columns: a declared key and the one the server reads back differ in
  // what neither sets.
  const keys = (t: TableModel) => t.uniques.map((u) => `${u.name}(${u.columns.join(',')})`).sort();
  const shape = (t: TableModel) => JSON.stringify([t.columns, t.primaryKey?.columns, keys(t), t.indexes, t.checks, t.foreignKeys]);
  return shape(a) === shape(b);
}

/** What copies left that no pending NOT NULL explains: a copy, its triggers, a replaced table not dropped yet. */
function leftoverCopies(live: SchemaModel, owned: OwnedObjects, claimed: Set<string>): { table: string; leftover: LeftoverCopy }[] {
  const copies = live.copies ?? {};
  const found: { table: string; leftover: LeftoverCopy }[] = [];
  const named = new Set<string>();
  for (const table of Object.keys(live.tables)) {
    const names = tableCopyNames(table);
    named.add(names.copy).add(names.old);
    // A pending copy's creation takes down what an earlier one left.
    if (claimed.has(table)) continue;
    const copy = names.copy in copies ? names.copy : null;
    const old = names.old in copies ? names.old : null;
    // Triggers, some maybe, whenever the copy they write exists (the INSERT one is created last).
    const triggers = copy !== null || owned.triggers.some((t) => t.table === table && t.name === names.triggers.insert) ? names.triggers : null;
    if (copy !== null || old !== null || triggers !== null) found.push({ table, leftover: { copy, old, triggers } });
  }
  // A copy or replaced table whose table is gone.
  for (const name of Object.keys(copies).filter((n) => !named.has(n))) found.push({ table: name, leftover: { copy: name, old: null, triggers: null } });
  return found;
}
