import type { Capabilities } from '../dialect.js';
import { kindOf, sameDefinition } from '../diff/object-renames.js';
import type { NamedObjectKind } from '../model/named-objects.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';
import type { Change } from '../diff/changes.js';

const LABEL: Record<NamedObjectKind, string> = {
  'primary-key': 'primary key',
  unique: 'unique constraint',
  index: 'index',
  'foreign-key': 'foreign key',
  check: 'check constraint',
  exclusion: 'exclusion constraint',
};

/**
 * Renames the live database cannot take as declared: the server cannot rename that kind of object
 * in place (a drop and add under the new name would rebuild it, which is what the transition
 * avoids), the live object is not the declared one, or the names are in an unexpected state. A
 * table this plan creates gets the new name at once and is not checked.
 */
export function objectRenameProblems(declared: DeclaredSchema, live: SchemaModel, caps: Capabilities): string[] {
  const renamedFrom = new Map(declared.transitions.flatMap((t) => (t.kind === 'rename-table' ? [[t.to, t.from] as const] : [])));
  return declared.transitions.flatMap((t, i) => {
    if (t.kind !== 'rename-object') return [];
    const path = `transitions[${i}] (rename-${t.object}) on ${t.table}`;
    const have = live.tables[t.table] ?? live.tables[renamedFrom.get(t.table) ?? ''];
    const want = declared.model.tables[t.table];
    if (!have || !want) return [];
    const from = kindOf(have, t.from);
    const to = kindOf(have, t.to);
    if (from !== null && to !== null) {
      return [`${path}: the live table has both "${t.from}" (${LABEL[from]}) and "${t.to}" (${LABEL[to]}); drop the one that is not in use by hand, or remove the transition`];
    }
    if (to !== null) return [];
    if (from === null) {
      return [`${path}: the live table has neither "${t.from}" nor "${t.to}"; run the previous release's contract first, or declare the ${t.object} without the transition`];
    }
    const wanted = kindOf(want, t.to)!;
    if (!caps.renameInPlace.includes(from)) {
      return [`${path}: ${caps.server} cannot rename a ${LABEL[from]} in place ("${t.from}" to "${t.to}"); keep the name "${t.from}" in the release, or drop and add the ${LABEL[from]} by declaring it anew (a rebuild)`];
    }
    if (wanted !== from || !sameDefinition(from, want, t.to, have, t.from)) {
      return [`${path}: the live ${LABEL[from]} "${t.from}" is not what the release declares as "${t.to}" (${LABEL[wanted]}); a rename keeps the definition: declare it unchanged here and change it in the next release`];
    }
    return [];
  });
}

/**
 * A renamed table's constraints and indexes keep their old names until contract gives them the
 * declared ones (drop-alias): where the server cannot rename that kind in place, the release must
 * keep the live name, or contract would fail half done. A primary key is the exception: where it
 * cannot be renamed it has no name of its own (MySQL's is PRIMARY, read under the table's name),
 * so it follows the table.
 */
export function keptNameProblems(changes: Change[], caps: Capabilities): string[] {
  const renamesInPlace = (kind: NamedObjectKind) => kind === 'primary-key' || caps.renameInPlace.includes(kind);
  return changes.flatMap((c) =>
    c.kind !== 'drop-alias' ? [] : c.renames.flatMap((r) => (renamesInPlace(r.object) ? [] : [
      `tables.${c.table}: ${caps.server} cannot rename a ${LABEL[r.object]} in place, and the release names "${r.from}" (kept when ${c.alias} was renamed to ${c.table}) "${r.to}"; declare it as "${r.from}"`,
    ])),
  );
}
