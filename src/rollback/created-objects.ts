import { namedObjects, type ConstraintKind } from '../model/named-objects.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';

/**
 * What a rollback removes: an object the withdrawn release's expand (or migrate) created, as its
 * journal names it, that the live database still holds and the release rolled back to does not
 * declare. Nothing else: not drift, not an object the earlier release declares, not rows of a
 * column or table it keeps.
 */
export type Removal =
  | { kind: 'sync'; table: string; trigger: string }
  | { kind: 'version-schema'; name: string }
  /** What a backfill through a copy of the table left when it stopped before its swap (MySQL). */
  | { kind: 'table-copy'; table: string }
  /** The renamed table `table` takes its old name `alias` back from the view that kept it. */
  | { kind: 'table-name'; table: string; alias: string }
  | { kind: 'constraint'; table: string; name: string; constraint: ConstraintKind }
  | { kind: 'index'; table: string; name: string }
  /** `table` once a renamed table has its old name back; `live`, its name now. */
  | { kind: 'column'; table: string; column: string; live: string }
  | { kind: 'table'; table: string }
  | { kind: 'sequence' | 'domain' | 'enum'; name: string };

/**
 * The way back, in the order it runs: the dual writes stop first (nothing writes the new columns
 * any more), the new version's views go before the columns they read, a renamed table takes its
 * name back before anything on it is dropped, and what is built on a column or table goes before
 * it. Foreign keys go before the keys they reference.
 */
const ORDER: Record<Removal['kind'] | `constraint:${ConstraintKind}`, number> = {
  sync: 0,
  'version-schema': 1,
  'table-copy': 1,
  'table-name': 2,
  'constraint:foreign-key': 3,
  'constraint:check': 4,
  'constraint:exclusion': 4,
  'constraint:unique': 5,
  'constraint:primary-key': 5,
  constraint: 5,
  index: 6,
  column: 7,
  table: 8,
  sequence: 9,
  domain: 10,
  enum: 11,
};

const rank = (r: Removal) => (r.kind === 'constraint' ? ORDER[`constraint:${r.constraint}`] : ORDER[r.kind]);

/** The step operations of an expand that create something a rollback can remove. */
const UNDONE_OPERATIONS = new Set([
  'create-table',
  'rename-table',
  'add-column',
  'add-index',
  'add-unique',
  'add-primary-key',
  'add-foreign-key',
  'add-check',
  'add-exclusion',
  'install-sync',
  'create-version-schema',
  'create-table-copy',
  'create-sequence',
  'create-domain',
  'create-enum',
]);

/** Steps that change no object of their own (data work, validation): nothing to undo or report. */
const DATA_ONLY = new Set(['backfill', 'data-move', 'validate-constraint', 'copy-table', 'swap-table-copy', 'drop-replaced-table']);

/** What dbtide made for the withdrawn release that the earlier release's own plan drops: its version schemas, a stopped copy's leftovers. */
export interface Leftovers {
  versionSchemas: string[];
  /** Tables whose copy the plan drops. */
  tableCopies: string[];
}

export interface CreatedObjects {
  removals: Removal[];
  /**
   * Journaled steps of the withdrawn release a rollback does not undo (a relaxation, a comment, a
   * raw SQL step): what the release rolled back to may still plan, or what stays.
   */
  notUndone: string[];
}

/**
 * `created`: the ids of the steps the withdrawn release's expand and migrate runs journaled, in
 * the order they ran (`operation:name`). Removals of one kind run newest first: a table made later may reference
 * one made before it.
 */
export function createdObjects(created: string[], live: SchemaModel, to: DeclaredSchema, leftovers: Leftovers): CreatedObjects {
  const ids = [...new Set(created)];
  const declared = to.model.tables;
  const aliases = live.owned?.aliases ?? [];
  // A renamed table goes back to its old name first: what else is removed on it is named so.
  const restored = new Map<string, string>();
  for (const id of ids) {
    const [operation, name] = split(id);
    const alias = operation === 'rename-table' ? aliases.find((a) => a.table === name) : undefined;
    if (alias && name in live.tables && alias.name in declared && !(name in declared)) restored.set(name, alias.name);
  }
  const nameNow = (table: string) => restored.get(table) ?? table;
  const dropped = new Set(ids.flatMap((id) => {
    const [operation, table] = split(id);
    return operation === 'create-table' && table in live.tables && !(table in declared) && !restored.has(table) ? [table] : [];
  }));
  const removals: Removal[] = [];
  const notUndone: string[] = [];
  for (const id of ids) {
    const [operation, name] = split(id);
    if (!UNDONE_OPERATIONS.has(operation)) {
      if (!DATA_ONLY.has(operation)) notUndone.push(id);
      continue;
    }
    const removal = removalOf(operation, name);
    if (removal) removals.push(removal);
  }
  const position = new Map(removals.map((r, i) => [r, i]));
  removals.sort((a, b) => rank(a) - rank(b) || position.get(b)! - position.get(a)!);
  return { removals, notUndone };

  function removalOf(operation: string, name: string): Removal | null {
    switch (operation) {
      case 'create-table':
        return dropped.has(name) ? { kind: 'table', table: name } : null;
      case 'rename-table':
        return restored.has(name) ? { kind: 'table-name', table: name, alias: restored.get(name)! } : null;
      case 'install-sync': {
        const trigger = live.owned?.triggers.find((t) => name === `${t.table}.${t.name}`);
        const declaredSync = to.transitions.some((t) => t.kind === 'column-sync' && t.trigger === trigger?.name);
        return trigger && !declaredSync ? { kind: 'sync', table: trigger.table, trigger: trigger.name } : null;
      }
      case 'create-version-schema': {
        const schema = leftovers.versionSchemas.find((s) => name.startsWith(`${s}.`));
        return schema ? { kind: 'version-schema', name: schema } : null;
      }
      case 'create-table-copy': {
        const table = leftovers.tableCopies.find((t) => name === t || name.startsWith(`${t}.`));
        return table ? { kind: 'table-copy', table } : null;
      }
      case 'create-sequence':
      case 'create-domain':
      case 'create-enum': {
        const kind = operation.slice('create-'.length) as 'sequence' | 'domain' | 'enum';
        const { live: have, declared: want } = schemaObjects(kind);
        return name in have && !(name in want) ? { kind, name } : null;
      }
      default:
        return onTable(operation, name);
    }
  }

  /** A column, index or constraint: `table.name`, on a table that stays. */
  function onTable(operation: string, name: string): Removal | null {
    // The longest name that fits: a table's name may hold a dot.
    const table = Object.values(live.tables).filter((t) => name.startsWith(`${t.name}.`)).sort((a, b) => b.name.length - a.name.length)[0];
    if (!table || dropped.has(table.name)) return null;
    const object = name.slice(table.name.length + 1);
    const kept = declared[nameNow(table.name)];
    if (!kept) return null;
    const at = nameNow(table.name);
    if (operation === 'add-column') {
      const has = table.columns.some((c) => c.name === object);
      return has && !kept.columns.some((c) => c.name === object) ? { kind: 'column', table: at, column: object, live: table.name } : null;
    }
    if (namedObjects(kept).some((o) => o.name === object)) return null;
    const found = namedObjects(table).find((o) => o.name === object);
    if (!found) return null;
    return found.kind === 'index' ? { kind: 'index', table: at, name: object } : { kind: 'constraint', table: at, name: object, constraint: found.kind };
  }

  function schemaObjects(kind: 'sequence' | 'domain' | 'enum'): { live: Record<string, unknown>; declared: Record<string, unknown> } {
    const key = kind === 'sequence' ? 'sequences' : kind === 'domain' ? 'domains' : 'enums';
    return { live: live[key] ?? {}, declared: to.model[key] ?? {} };
  }
}

/** `operation:name`: operations hold no colon, names may. */
function split(id: string): [string, string] {
  const at = id.indexOf(':');
  return at < 0 ? [id, ''] : [id.slice(0, at), id.slice(at + 1)];
}

