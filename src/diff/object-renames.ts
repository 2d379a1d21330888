import { namedObjects, type NamedObjectKind } from '../model/named-objects.js';
import type { DeclaredSchema, SchemaModel, TableModel } from '../model/schema-model.js';
import type { NamedObjectRename } from '../model/transition.js';
import type { Change } from './changes.js';
import { sameExpression } from './same-expression.js';
import { sameExclusion, sameForeignKey, sameIndex, sameKey } from './same-object.js';

const objectRenames = (declared: DeclaredSchema): NamedObjectRename[] =>
  declared.transitions.filter((t): t is NamedObjectRename => t.kind === 'rename-object');

/** The kind of the table's object of that name, or null when it has none. */
export const kindOf = (table: TableModel, name: string): NamedObjectKind | null =>
  namedObjects(table).find((o) => o.name === name)?.kind ?? null;

/** Whether `want`'s object `wanted` and `have`'s object `had`, both of `kind`, are one definition. */
export function sameDefinition(kind: NamedObjectKind, want: TableModel, wanted: string, have: TableModel, had: string): boolean {
  const pick = <T extends { name: string }>(list: T[], name: string) => list.find((x) => x.name === name)!;
  switch (kind) {
    case 'primary-key': return sameKey(want.primaryKey!, have.primaryKey!);
    case 'unique': return sameKey(pick(want.uniques, wanted), pick(have.uniques, had));
    case 'index': return sameIndex(pick(want.indexes, wanted), pick(have.indexes, had));
    case 'foreign-key': return sameForeignKey(pick(want.foreignKeys, wanted), pick(have.foreignKeys, had));
    case 'check': return sameExpression(pick(want.checks, wanted).expression, pick(have.checks, had).expression);
    case 'exclusion': return sameExclusion(pick(want.exclusions ?? [], wanted), pick(have.exclusions ?? [], had));
  }
}

/** The table with its object `from` named `to`. */
function renamed(table: TableModel, from: string, to: string): TableModel {
  const rename = <T extends { name: string }>(x: T): T => (x.name === from ? { ...x, name: to } : x);
  return {
    ...table,
    primaryKey: table.primaryKey && rename(table.primaryKey),
    uniques: table.uniques.map(rename),
    indexes: table.indexes.map(rename),
    foreignKeys: table.foreignKeys.map(rename),
    checks: table.checks.map(rename),
    ...(table.exclusions ? { exclusions: table.exclusions.map(rename) } : {}),
  };
}

/**
 * Declared renames of constraints and indexes, applied to the live model before it is compared
 * (after table renames): an object still under its old name gets a rename step, and the live model
 * shows it under the new name, so that the rest of the diff neither adds it again nor reports the
 * old name as drift. An object already under its new name is done. Every other state (both names,
 * neither, another definition) is refused before planning (src/plan/object-renames.ts).
 */
export function applyObjectRenames(declared: DeclaredSchema, live: SchemaModel): { live: SchemaModel; changes: Change[] } {
  const tables = { ...live.tables };
  const changes: Change[] = [];
  for (const t of objectRenames(declared)) {
    const have = tables[t.table];
    const object = have ? kindOf(have, t.from) : null;
    if (!have || object === null || kindOf(have, t.to) !== null) continue;
    tables[t.table] = renamed(have, t.from, t.to);
    changes.push({ kind: 'rename-object', table: t.table, object, from: t.from, to: t.to });
  }
  return { live: { ...live, tables }, changes };
}
