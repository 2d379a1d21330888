import { createHash } from 'node:crypto';
import type { VersionSelection } from '../dialect.js';
import { fitName } from '../declaration/names.js';
import type { DeclaredSchema } from '../model/schema-model.js';
import type { ColumnSync } from '../model/transition.js';
import { VERSION_MARKER, type LiveVersionSchema, type VersionSchema, type VersionStage, type VersionView } from '../model/version-schema.js';
import type { Change } from './changes.js';

/**
 * `<base>_<release>`, the release lower-cased with anything but letters, digits and `_` as `_`, so
 * that it can be written unquoted in a search_path or a connection URL; fitted to the identifier limit.
 */
export const versionSchemaName = (base: string, release: string) =>
  fitName(`${base}_${release.toLowerCase().replace(/[^a-z0-9_]+/g, '_')}`);

export interface VersionSchemaSources {
  declared: DeclaredSchema;
  /** The schema (MySQL: database) that holds the tables. */
  base: string;
  selection: VersionSelection;
  /** The base's live version schemas (found by their markers). */
  live: LiveVersionSchema[];
  /** The base's live tables: a view in a version schema is dbtide's only if it is named after one. */
  tables: string[];
}

/**
 * The version schema steps of a release, from the column swaps still to come (`swap-column`
 * changes). While a swap is pending the new version reads and writes the converted column through
 * a view under the declared name: the view reads the shadow column, which the dual-write trigger
 * keeps in step with the old one both ways. Selected by search_path (PostgreSQL), the schema holds
 * only the tables with a pending swap and goes at contract, after which the base's own columns
 * have the declared types. Selected by the connection's database (MySQL), it holds every table and
 * stays, its views reading the swapped columns after contract, until a later release's contract: an
 * application connected to it keeps working, and a fresh install of the release has it too.
 */
export function versionSchemaChanges(changes: Change[], sources: VersionSchemaSources): { changes: Change[]; selected: string | null } {
  const { declared, base, selection, live } = sources;
  const swaps = changes.flatMap((c) => (c.kind === 'swap-column' ? [c.sync] : []));
  const ids = swaps.map((s) => s.id);
  const name = versionSchemaName(base, declared.release);
  const current = live.find((l) => l.name === name);
  const result: Change[] = [];
  const written = (schema: VersionSchema) => current?.marker.signature === schema.signature;
  const declaresSwap = declared.transitions.some((t) => t.kind === 'column-sync' && t.swap !== null);
  const kept = selection === 'database' && declaresSwap;
  if (swaps.length > 0) {
    const window = build(sources, name, 'window', swaps);
    if (!written(window)) result.push({ kind: 'create-version-schema', table: '', schema: window, syncs: ids, afterSwap: false });
    // The final views are written whatever the live marker says: the swap makes the window's stale.
    if (kept) result.push({ kind: 'create-version-schema', table: '', schema: build(sources, name, 'final', []), syncs: ids, afterSwap: true });
    if (selection === 'search-path') {
      const views = [...window.views.map((v) => v.table), VERSION_MARKER];
      result.push(current ? dropOrReport(current, sources, ids) : { kind: 'drop-version-schema', table: '', name, views, after: ids });
    }
  } else if (kept) {
    const final = build(sources, name, 'final', []);
    // Views a contract stopped after the swap left reading the shadow are rewritten in contract.
    if (!written(final)) result.push({ kind: 'create-version-schema', table: '', schema: final, syncs: ids, afterSwap: current?.marker.stage === 'window' });
  }
  for (const schema of live) {
    if (schema.name !== name || (swaps.length === 0 && !kept)) result.push(dropOrReport(schema, sources, []));
  }
  return { changes: result, selected: swaps.length > 0 || kept ? name : null };
}

function build(sources: VersionSchemaSources, name: string, stage: VersionStage, swaps: ColumnSync[]): VersionSchema {
  const { declared, base, selection } = sources;
  const swapped = new Set(swaps.map((s) => s.table));
  const views: VersionView[] = Object.values(declared.model.tables)
    .filter((t) => selection === 'database' || swapped.has(t.name))
    .map((t) => ({
      table: t.name,
      columns: t.columns.map((c) => ({
        name: c.name,
        reads: swaps.find((s) => s.table === t.name && s.swap!.column === c.name)?.swap!.shadow ?? c.name,
      })),
    }));
  const signature = createHash('sha256').update(JSON.stringify([base, declared.release, stage, views])).digest('hex').slice(0, 16);
  return { name, base, release: declared.release, signature, stage, views };
}

/** Dropped only when it holds nothing but dbtide's views; anything else is the operator's to move. */
function dropOrReport(schema: LiveVersionSchema, sources: VersionSchemaSources, after: string[]): Change {
  const foreign = schema.relations.filter((r) => r.name !== VERSION_MARKER && !(r.view && sources.tables.includes(r.name)));
  if (foreign.length > 0) {
    return {
      kind: 'drift',
      table: '',
      object: `version schema ${schema.name}`,
      detail: `release ${schema.marker.release}'s version schema holds ${foreign.map((r) => `${r.view ? 'view' : 'table'} ${r.name}`).join(', ')}, which dbtide did not create; move them out and contract drops the schema`,
    };
  }
  return { kind: 'drop-version-schema', table: '', name: schema.name, views: schema.relations.map((r) => r.name), after };
}
