import type {
  CheckModel,
  ColumnModel,
  DefaultValue,
  DeclaredSchema,
  Deferrable,
  ExclusionModel,
  SchemaModel,
  TableModel,
} from '../model/schema-model.js';
import { formatColumnType, sameColumnType } from '../model/column-type.js';
import { isOwnedName, notNullCheckName } from '../plan/owned-names.js';
import { KEPT_AS_IS, unsupportedObjectName } from '../model/unsupported.js';
import type { Change } from './changes.js';
import { sameDefault, sameExpression } from './same-expression.js';
import { sameExclusion, sameForeignKey, sameIndex, sameKey } from './same-object.js';
import { applyTableRenames, withTransitions } from './transitions.js';
import { identityColumns } from '../model/replica-identity.js';
import { diffSchemaObjects } from './schema-objects.js';
import { applyObjectRenames } from './object-renames.js';

/**
 * Compares the declared schema with the live one. Pure and deterministic: tables in name order,
 * then columns, keys, indexes, foreign keys, checks. Live objects that are neither declared nor
 * tombstoned become `drift` entries, never drops.
 */
export function diff(declared: DeclaredSchema, live: SchemaModel): Change[] {
  const renamed = applyTableRenames(declared, live);
  const objects = applyObjectRenames(declared, renamed.live);
  return [
    ...renamed.changes,
    ...objects.changes,
    ...diffSchemaObjects(declared, objects.live),
    ...withTransitions(declared, objects.live, diffModels(declared, objects.live)),
    ...unsupportedDrift(live),
  ];
}

/** What dbtide does not model no declaration can name: it is drift on every plan, listed and never dropped. */
const unsupportedDrift = (live: SchemaModel): Change[] =>
  (live.unsupported ?? []).map((u) => drift(u.table ?? '', unsupportedObjectName(u), `${KEPT_AS_IS}: ${u.detail}`));

function diffModels(declared: DeclaredSchema, live: SchemaModel): Change[] {
  const changes: Change[] = [];
  const removed = declared.removed;
  const names = [...new Set([...Object.keys(declared.model.tables), ...Object.keys(live.tables)])].sort();
  for (const name of names) {
    const want = declared.model.tables[name];
    const have = live.tables[name];
    if (want && !have) changes.push({ kind: 'create-table', table: want });
    else if (!want && have) {
      if (removed.tables.includes(name)) changes.push({ kind: 'drop-table', table: name });
      else changes.push({ kind: 'drift', table: name, object: `table ${name}`, detail: 'not in the declaration' });
    } else if (want && have) changes.push(...diffTable(want, have, removed, syncWritten(declared, name)));
  }
  return changes;
}

/** Old columns a dual-write trigger fills from what new code writes: they need no relaxing. */
const syncWritten = (declared: DeclaredSchema, table: string): Set<string> =>
  new Set(declared.transitions.flatMap((t) => (t.kind === 'column-sync' && t.table === table ? Object.keys(t.backward) : [])));

function diffTable(want: TableModel, have: TableModel, removed: DeclaredSchema['removed'], synced: Set<string>): Change[] {
  const table = want.name;
  const isTombstoned = (list: { table: string; name: string }[], name: string) =>
    list.some((t) => t.table === table && t.name === name);
  return [
    ...diffColumns(want, have, removed, synced),
    ...diffPrimaryKey(want, have, (n) => isTombstoned(removed.constraints, n)),
    ...diffUniques(want, have, (n) => isTombstoned(removed.constraints, n)),
    ...diffIndexes(want, have, (n) => isTombstoned(removed.indexes, n)),
    ...diffForeignKeys(want, have, (n) => isTombstoned(removed.constraints, n)),
    ...diffChecks(want, have, (n) => isTombstoned(removed.constraints, n)),
    ...diffExclusions(want, have, (n) => isTombstoned(removed.constraints, n)),
    ...diffComments(want, have),
    ...diffReplicaIdentity(want, have),
  ];
}

/** Comments of the table and of the columns both sides have; a new column carries its own. */
function diffComments(want: TableModel, have: TableModel): Change[] {
  const table = want.name;
  const changes: Change[] = [];
  if ((want.comment ?? null) !== (have.comment ?? null)) changes.push({ kind: 'set-comment', table, comment: want.comment ?? null });
  for (const column of want.columns) {
    const live = have.columns.find((c) => c.name === column.name);
    if (!live || (column.comment ?? null) === (live.comment ?? null)) continue;
    const { comment: _, ...rest } = live;
    changes.push({ kind: 'set-comment', table, column: column.comment === undefined ? rest : { ...rest, comment: column.comment }, comment: column.comment ?? null });
  }
  return changes;
}

/**
 * An index the identity names that this plan builds again (dropped and created under its name)
 * loses its mark with the old index, so the identity is set again once the new one stands.
 */
function diffReplicaIdentity(want: TableModel, have: TableModel): Change[] {
  const declared = want.replicaIdentity ?? 'default';
  const live = have.replicaIdentity ?? 'default';
  const rebuilt = typeof declared === 'object' && !sameIdentityIndex(want, have, declared.index);
  if (JSON.stringify(declared) === JSON.stringify(live) && !rebuilt) return [];
  return [{ kind: 'set-replica-identity', table: want.name, identity: declared, columns: identityColumns(want) }];
}

function sameIdentityIndex(want: TableModel, have: TableModel, name: string): boolean {
  const declared = want.indexes.find((i) => i.name === name);
  if (declared) {
    const live = have.indexes.find((i) => i.name === name);
    return live !== undefined && live.valid && sameIndex(declared, live);
  }
  const keys = (t: TableModel) => [...(t.primaryKey ? [t.primaryKey] : []), ...t.uniques];
  const [key, live] = [keys(want).find((k) => k.name === name), keys(have).find((k) => k.name === name)];
  return key !== undefined && live !== undefined && sameKey(key, live);
}

function diffColumns(want: TableModel, have: TableModel, removed: DeclaredSchema['removed'], synced: Set<string>): Change[] {
  const table = want.name;
  const changes: Change[] = [];
  const liveColumns = new Map(have.columns.map((c) => [c.name, c]));
  for (const column of want.columns) {
    const live = liveColumns.get(column.name);
    if (!live) {
      changes.push({ kind: 'add-column', table, column });
      continue;
    }
    if (!sameColumnType(column.type, live.type)) {
      changes.push({ kind: 'alter-column-type', table, column, from: live });
    }
    if (!sameDefault(column.default, live.default, column.type)) {
      if (column.default === null) changes.push({ kind: 'drop-default', table, column: column.name });
      else changes.push({ kind: 'set-default', table, column });
    }
    if (column.nullable !== live.nullable) {
      changes.push({ kind: column.nullable ? 'drop-not-null' : 'set-not-null', table, column });
    }
    if (column.identity !== live.identity) {
      changes.push(drift(table, `column ${table}.${column.name}`, `identity is ${live.identity ?? 'none'}, declared ${column.identity ?? 'none'}`));
    }
  }
  const declared = new Set(want.columns.map((c) => c.name));
  for (const live of have.columns) {
    if (declared.has(live.name)) continue;
    const tombstone = removed.columns.find((c) => c.table === table && c.column === live.name);
    if (tombstone) {
      if (!synced.has(live.name)) changes.push(...relaxRemovedColumn(table, live, tombstone.fill));
      changes.push({ kind: 'drop-column', table, column: live.name });
    } else {
      changes.push(drift(table, `column ${table}.${live.name}`, `${formatColumnType(live.type)} not in the declaration`));
    }
  }
  return changes;
}

/**
 * New code no longer writes a column it removes: while the column is NOT NULL without a default,
 * every insert of the new release would fail until contract drops it. The declared fill becomes
 * its default (what old code then reads in new rows); without one, the column accepts NULL.
 */
function relaxRemovedColumn(table: string, live: ColumnModel, fill: DefaultValue | undefined): Change[] {
  if (live.nullable || live.default !== null || live.identity !== null) return [];
  if (fill) return [{ kind: 'set-default', table, column: { ...live, default: fill } }];
  return [{ kind: 'drop-not-null', table, column: { ...live, nullable: true } }];
}

function diffPrimaryKey(want: TableModel, have: TableModel, tombstoned: (name: string) => boolean): Change[] {
  const live = have.primaryKey;
  const declared = want.primaryKey;
  if (!declared) {
    if (!live) return [];
    return [tombstoned(live.name)
      ? { kind: 'drop-constraint', table: want.name, name: live.name, constraint: 'primary-key' }
      : drift(want.name, `primary key ${live.name}`, `(${live.columns.join(', ')}) not in the declaration`)];
  }
  if (!live) {
    // An index left by an interrupted run is adopted, as for unique constraints.
    const index = have.indexes.find((i) => i.name === declared.name);
    return [{ kind: 'add-primary-key', table: want.name, key: declared, existingIndex: index ? { valid: index.valid } : null }];
  }
  if (sameKey({ ...declared, deferrable: live.deferrable }, live) && !sameKey(declared, live)) {
    return [deferrabilityDrift(want.name, `primary key ${live.name}`, live.deferrable, declared.deferrable)];
  }
  if (!sameKey(declared, live)) {
    return [
      drift(
        want.name,
        `primary key ${live.name}`,
        `live (${live.columns.join(', ')}), declared (${declared.columns.join(', ')}); changing a primary key is not done online`,
      ),
    ];
  }
  return [];
}

function diffUniques(want: TableModel, have: TableModel, tombstoned: (name: string) => boolean): Change[] {
  const table = want.name;
  const changes: Change[] = [];
  for (const key of want.uniques) {
    const live = have.uniques.find((u) => u.name === key.name);
    if (live && sameKey(key, live)) continue;
    if (live && sameKey({ ...key, deferrable: live.deferrable }, live)) {
      changes.push(deferrabilityDrift(table, `unique ${live.name}`, live.deferrable, key.deferrable));
      continue;
    }
    if (live) changes.push({ kind: 'drop-constraint', table, name: key.name, constraint: 'unique' });
    const index = live ? undefined : have.indexes.find((i) => i.name === key.name);
    changes.push({ kind: 'add-unique', table, key, existingIndex: index ? { valid: index.valid } : null });
  }
  for (const live of have.uniques) {
    if (want.uniques.some((u) => u.name === live.name)) continue;
    changes.push(tombstoned(live.name)
      ? { kind: 'drop-constraint', table, name: live.name, constraint: 'unique', relaxes: true }
      : drift(table, `unique ${live.name}`, `(${live.columns.join(', ')}) not in the declaration`));
  }
  return changes;
}

function diffIndexes(want: TableModel, have: TableModel, tombstoned: (name: string) => boolean): Change[] {
  const table = want.name;
  const changes: Change[] = [];
  for (const index of want.indexes) {
    const live = have.indexes.find((i) => i.name === index.name);
    if (!live) changes.push({ kind: 'add-index', table, index });
    else if (!sameIndex(index, live)) {
      changes.push({ kind: 'drop-index', table, name: live.name }, { kind: 'add-index', table, index });
    } else if (!live.valid) changes.push({ kind: 'rebuild-index', table, index });
  }
  // A unique constraint's own index, left behind by an interrupted run, is handled by add-unique.
  const claimed = new Set([...want.indexes, ...want.uniques, ...(want.primaryKey ? [want.primaryKey] : [])].map((x) => x.name));
  for (const live of have.indexes) {
    if (claimed.has(live.name)) continue;
    changes.push(tombstoned(live.name)
      ? { kind: 'drop-index', table, name: live.name, ...(live.unique ? { relaxes: true as const } : {}) }
      : drift(table, `index ${live.name}`, `(${live.columns.join(', ')}) not in the declaration`));
  }
  return changes;
}

function diffForeignKeys(want: TableModel, have: TableModel, tombstoned: (name: string) => boolean): Change[] {
  const table = want.name;
  const changes: Change[] = [];
  for (const fk of want.foreignKeys) {
    const live = have.foreignKeys.find((f) => f.name === fk.name);
    if (live && sameForeignKey({ ...fk, deferrable: live.deferrable }, live)) {
      if (fk.deferrable !== live.deferrable) {
        const relaxes = DEFERRAL.indexOf(fk.deferrable ?? null) > DEFERRAL.indexOf(live.deferrable ?? null);
        changes.push({ kind: 'set-deferrable', table, name: fk.name, deferrable: fk.deferrable ?? null, relaxes });
      }
      if (!live.validated) changes.push({ kind: 'add-foreign-key', table, foreignKey: fk, existing: 'unvalidated' });
      continue;
    }
    if (live) changes.push({ kind: 'drop-constraint', table, name: fk.name, constraint: 'foreign-key' });
    changes.push({ kind: 'add-foreign-key', table, foreignKey: fk, existing: 'none' });
  }
  for (const live of have.foreignKeys) {
    if (want.foreignKeys.some((f) => f.name === live.name)) continue;
    changes.push(tombstoned(live.name)
      ? { kind: 'drop-constraint', table, name: live.name, constraint: 'foreign-key', relaxes: true }
      : drift(table, `foreign key ${live.name}`, `(${live.columns.join(', ')}) -> ${live.referencedTable} not in the declaration`));
  }
  return changes;
}

function diffChecks(want: TableModel, have: TableModel, tombstoned: (name: string) => boolean): Change[] {
  const table = want.name;
  const changes: Change[] = [];
  for (const check of want.checks) {
    const live = have.checks.find((c) => c.name === check.name);
    if (live && sameExpression(check.expression, live.expression)) {
      if (!live.validated) changes.push({ kind: 'add-check', table, check, existing: 'unvalidated' });
      continue;
    }
    if (live) changes.push({ kind: 'drop-constraint', table, name: check.name, constraint: 'check' });
    changes.push({ kind: 'add-check', table, check, existing: 'none' });
  }
  for (const live of have.checks) {
    if (want.checks.some((c) => c.name === live.name)) continue;
    if (isOwnedName(live.name)) {
      changes.push(...leftoverNotNullCheck(want, have, live));
      continue;
    }
    changes.push(tombstoned(live.name)
      ? { kind: 'drop-constraint', table, name: live.name, constraint: 'check', relaxes: true }
      : drift(table, `check ${live.name}`, `${live.expression} not in the declaration`));
  }
  return changes;
}

/** As indexes: a changed definition is dropped and added again; a tombstoned one only relaxes. */
function diffExclusions(want: TableModel, have: TableModel, tombstoned: (name: string) => boolean): Change[] {
  const table = want.name;
  const changes: Change[] = [];
  const declared = want.exclusions ?? [];
  for (const exclusion of declared) {
    const live = have.exclusions?.find((x) => x.name === exclusion.name);
    if (live && sameExclusion(exclusion, live)) continue;
    if (live) changes.push({ kind: 'drop-constraint', table, name: live.name, constraint: 'exclusion' });
    changes.push({ kind: 'add-exclusion', table, exclusion });
  }
  for (const live of have.exclusions ?? []) {
    if (declared.some((x) => x.name === live.name)) continue;
    changes.push(tombstoned(live.name)
      ? { kind: 'drop-constraint', table, name: live.name, constraint: 'exclusion', relaxes: true }
      : drift(table, `exclusion ${live.name}`, `${exclusionText(live)} not in the declaration`));
  }
  return changes;
}

const exclusionText = (x: ExclusionModel) =>
  `USING ${x.using} (${x.columns.map((c, i) => `${c} WITH ${x.operators[i]}`).join(', ')})${x.where ? ` WHERE ${x.where}` : ''}`;

/**
 * dbtide's NOT NULL helper check outlives its step only when a run stopped inside it. While the
 * column is still nullable, the pending set-not-null step replaces it; once the column is NOT NULL
 * it is only left to drop.
 */
function leftoverNotNullCheck(want: TableModel, have: TableModel, check: CheckModel): Change[] {
  const column = have.columns.find((c) => notNullCheckName(have.name, c.name) === check.name);
  if (column && !column.nullable) return [{ kind: 'drop-constraint', table: want.name, name: check.name, constraint: 'check' }];
  return [];
}

/** From checked at once to checked as late as possible: a later place relaxes. */
const DEFERRAL: (Deferrable | null)[] = [null, 'immediate', 'deferred'];

const deferrableText = (d: Deferrable | undefined) => (d ? `DEFERRABLE INITIALLY ${d.toUpperCase()}` : 'not deferrable');

/**
 * PostgreSQL alters the deferrability of foreign keys only: a key's would be dropped and built
 * again under the same name, leaving rows unchecked in between. Declaring the new key under
 * another name builds it online next to the old one, which the release after can tombstone.
 */
const deferrabilityDrift = (table: string, object: string, live: Deferrable | undefined, declared: Deferrable | undefined): Change =>
  drift(
    table,
    object,
    `live ${deferrableText(live)}, declared ${deferrableText(declared)}; a key's deferrability cannot change in place: ` +
      'declare it again under a new name with the deferrability wanted (built online), and tombstone this one in the release after, so rows stay checked throughout',
  );

const drift = (table: string, object: string, detail: string): Change => ({ kind: 'drift', table, object, detail });
