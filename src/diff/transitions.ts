import type { ColumnModel, DeclaredSchema, SchemaModel, TableModel } from '../model/schema-model.js';
import { sameColumnType } from '../model/column-type.js';
import { noOwnedObjects, type ColumnSync, type OwnedObjects, type SqlStep, type TableRename } from '../model/transition.js';
import type { Change, ObjectRename } from './changes.js';
import { sameExpression } from './same-expression.js';
import { sameForeignKey, sameIndex, sameKey } from './same-object.js';

/**
 * Declared table renames, applied to the live model before it is compared: a table still under its
 * old name gets a rename step (expand), and the live model shows it under the new name so that the
 * rest of the diff compares like with like. Its constraints and indexes keep their old names until
 * contract renames them; meanwhile the live model shows them under the declared names.
 */
export function applyTableRenames(declared: DeclaredSchema, live: SchemaModel): { live: SchemaModel; changes: Change[] } {
  const owned = live.owned ?? noOwnedObjects();
  const tables = { ...live.tables };
  const changes: Change[] = [];
  for (const rename of declared.transitions.filter((t): t is TableRename => t.kind === 'rename-table')) {
    const want = declared.model.tables[rename.to]!;
    const pending = rename.from in tables && !(rename.to in tables);
    const aliased = rename.to in tables && owned.aliases.some((a) => a.name === rename.from && a.table === rename.to);
    // Where DDL cannot share a transaction, a contract can stop after dropping the view and
    // before renaming the objects; they are renamed still (dropping the view again is a no-op).
    const unfinished = !pending && !aliased && rename.to in tables && !(rename.from in tables) &&
      adoptDeclaredNames(want, tables[rename.to]!).renames.length > 0;
    if (!pending && !aliased && !unfinished) continue;
    if (pending) {
      tables[rename.to] = { ...tables[rename.from]!, name: rename.to };
      delete tables[rename.from];
      for (const [name, t] of Object.entries(tables)) {
        tables[name] = {
          ...t,
          foreignKeys: t.foreignKeys.map((f) => (f.referencedTable === rename.from ? { ...f, referencedTable: rename.to } : f)),
        };
      }
      changes.push({ kind: 'rename-table', table: rename.to, from: rename.from });
    }
    const { table, renames } = adoptDeclaredNames(want, tables[rename.to]!);
    tables[rename.to] = table;
    changes.push({ kind: 'drop-alias', table: rename.to, alias: rename.from, renames });
  }
  return { live: { ...live, tables: sortByName(tables) }, changes };
}

const sortByName = (tables: Record<string, TableModel>) =>
  Object.fromEntries(Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Live objects of a renamed table that match a declared one in all but name take the declared name. */
function adoptDeclaredNames(want: TableModel, have: TableModel): { table: TableModel; renames: ObjectRename[] } {
  const renames: ObjectRename[] = [];
  const adopt = <T extends { name: string }>(object: ObjectRename['object'], declared: T[], live: T[], same: (a: T, b: T) => boolean): T[] =>
    live.map((l) => {
      if (declared.some((d) => d.name === l.name)) return l;
      const match = declared.find((d) => same(d, l) && !live.some((x) => x.name === d.name));
      if (!match) return l;
      renames.push({ object, from: l.name, to: match.name });
      return { ...l, name: match.name };
    });
  const pk = want.primaryKey && have.primaryKey ? adopt('primary-key', [want.primaryKey], [have.primaryKey], sameKey)[0]! : have.primaryKey;
  const table: TableModel = {
    ...have,
    primaryKey: pk,
    uniques: adopt('unique', want.uniques, have.uniques, sameKey),
    indexes: adopt('index', want.indexes, have.indexes, sameIndex),
    foreignKeys: adopt('foreign-key', want.foreignKeys, have.foreignKeys, sameForeignKey),
    checks: adopt('check', want.checks, have.checks, (a, b) => sameExpression(a.expression, b.expression)),
  };
  return { table, renames };
}

/**
 * Adds the steps of the release's column syncs, data moves and raw SQL steps to the plain diff,
 * and reports dbtide triggers that no declared transition explains.
 */
export function withTransitions(declared: DeclaredSchema, live: SchemaModel, changes: Change[]): Change[] {
  const owned = live.owned ?? noOwnedObjects();
  let result = changes;
  const explained = new Set<string>();
  for (const t of declared.transitions) {
    if (t.kind === 'data-move') {
      if (!owned.finishedJobs.includes(t.id)) result = [...result, { kind: 'data-move', table: '', move: t }];
    } else if (t.kind === 'sql') {
      result = [...result, ...sqlStepChanges(declared.release, t, owned)];
    } else if (t.kind === 'column-sync') {
      explained.add(`${t.table}.${t.trigger}`);
      const have = live.tables[t.table];
      const want = declared.model.tables[t.table]!;
      if (have && isActive(t, want, have, owned)) result = syncChanges(withOldType(t, have), want, have, owned, result);
    }
  }
  const stray = owned.triggers.filter((tr) => !explained.has(`${tr.table}.${tr.name}`));
  return [
    ...result,
    ...stray.map((tr): Change => ({
      kind: 'drift',
      table: tr.table,
      object: `trigger ${tr.name}`,
      detail: 'a dual-write trigger of a transition this release does not declare; run the contract of the release that declared it',
    })),
  ];
}

/**
 * A raw step runs until the ledger records it for this release. Its SQL cannot be read back from
 * the database, so a recorded step whose statements changed since is reported rather than run
 * again: what the old ones made is still there.
 */
function sqlStepChanges(release: string, step: SqlStep, owned: OwnedObjects): Change[] {
  const ran = (owned.ranSqlSteps ?? []).find((r) => r.release === release && r.id === step.id);
  if (!ran) return [{ kind: 'sql', table: '', step }];
  if (ran.hash === step.hash) return [];
  return [{
    kind: 'drift',
    table: '',
    object: `raw step ${step.id}`,
    detail: 'ran with different SQL; it is not run again: undo what it made by hand if need be, and declare the new SQL as a step with a name of its own',
  }];
}

/** A change-type learns the live column's type, which new code's writes are cast back to. */
function withOldType(s: ColumnSync, have: TableModel): ColumnSync {
  const from = s.swap && have.columns.find((c) => c.name === s.swap!.column)?.type;
  return from ? { ...s, swap: { ...s.swap!, from } } : s;
}

const hasTrigger = (s: ColumnSync, owned: OwnedObjects) => owned.triggers.some((t) => t.table === s.table && t.name === s.trigger);

/** A sync is active from expand until its contract is done; the live schema tells where it stands. */
function isActive(s: ColumnSync, want: TableModel, have: TableModel, owned: OwnedObjects): boolean {
  const liveColumn = (name: string) => have.columns.find((c) => c.name === name);
  if (hasTrigger(s, owned)) return true;
  if (s.swap) {
    const current = liveColumn(s.swap.column);
    return liveColumn(s.swap.shadow) !== undefined || (current !== undefined && !sameColumnType(current.type, s.swap.type));
  }
  const targets = Object.keys(s.forward);
  if (targets.some((c) => !liveColumn(c))) return true;
  if (s.fillOnly) return targets.some((c) => liveColumn(c)!.nullable && !declaredColumn(want, c).nullable);
  if (s.retires.length > 0) return s.retires.some((c) => liveColumn(c));
  return !owned.finishedJobs.includes(s.id);
}

const declaredColumn = (table: TableModel, name: string) => table.columns.find((c) => c.name === name)!;

function syncChanges(s: ColumnSync, want: TableModel, have: TableModel, owned: OwnedObjects, changes: Change[]): Change[] {
  const table = s.table;
  const steps: Change[] = [];
  let result = changes;
  if (s.swap) {
    const { column, shadow, type } = s.swap;
    const touchesColumn = (c: Change) =>
      ('column' in c && (c.column === column || (typeof c.column === 'object' && c.column.name === column))) ||
      (c.kind === 'drift' && c.object === `column ${table}.${shadow}`);
    result = result.filter((c) => c.table !== table || !touchesColumn(c));
    if (!have.columns.some((c) => c.name === shadow)) {
      // The column swapped in keeps the declared comment.
      const comment = declaredColumn(want, column).comment;
      const shadowColumn: ColumnModel = { name: shadow, type, nullable: true, default: null, identity: null, ...(comment === undefined ? {} : { comment }) };
      steps.push({ kind: 'add-column', table, column: shadowColumn });
    }
  }
  // The backfill ran with the trigger in place, so a finished job without its trigger is a sync
  // a contract already removed (a run that stopped after that step): contract goes on from there.
  const removed = !hasTrigger(s, owned) && owned.finishedJobs.includes(s.id);
  const key = (have.primaryKey ?? want.primaryKey!).columns;
  if (!hasTrigger(s, owned) && !removed) steps.push({ kind: 'install-sync', table, sync: s, key });
  if (!owned.finishedJobs.includes(s.id)) steps.push({ kind: 'backfill', table, sync: s, key });
  if (s.swap) {
    const declared = declaredColumn(want, s.swap.column);
    steps.push({ kind: 'swap-column', table, sync: s });
    // The column swapped in is new: it gets the declared default and NOT NULL afterwards.
    if (declared.default !== null) steps.push({ kind: 'set-default', table, column: declared });
    if (!declared.nullable) steps.push({ kind: 'set-not-null', table, column: declared });
  } else if (!removed) {
    steps.push({ kind: 'remove-sync', table, sync: s });
    result = withDefaultsAfterSync(s, result);
  }
  return [...result, ...steps];
}

/**
 * The trigger tells old code's inserts by new columns left empty, and the backfill fills only empty
 * ones; a default would fill them first. So a column the sync fills is added without its default,
 * which it gets once the trigger is gone.
 */
function withDefaultsAfterSync(s: ColumnSync, changes: Change[]): Change[] {
  const targets = Object.keys(s.forward);
  const target = (c: Change) => c.table === s.table && 'column' in c && typeof c.column === 'object' && targets.includes(c.column.name);
  return changes.flatMap((c): Change[] => {
    if (!target(c)) return [c];
    if (c.kind === 'set-default') return [{ ...c, afterSync: s.id }];
    if (c.kind !== 'add-column' || c.column.default === null) return [c];
    return [{ ...c, column: { ...c.column, default: null } }, { kind: 'set-default', table: c.table, column: c.column, afterSync: s.id }];
  });
}
