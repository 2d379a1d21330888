import { withLock, type LockInfo, type Statement } from './locks.js';
import { OWN_TABLE_PREFIX } from './own-objects.js';

/**
 * A release's version schema: views that show the new application version its declared columns
 * under their declared names while a changed type still lives in a shadow column (PostgreSQL: a
 * schema the application puts first on its search_path; MySQL: a database it connects to).
 */

/** The view in a version schema that says whose it is; it is written last, so a half-built schema is redone. */
export const VERSION_MARKER = `${OWN_TABLE_PREFIX}version`;

/** `window`: views read shadow columns; `final`: every view reads the columns under their own names. */
export type VersionStage = 'window' | 'final';

export interface VersionView {
  table: string;
  /** In declared order: the view's column, and the table's column it reads (a shadow, or itself). */
  columns: { name: string; reads: string }[];
}

/** What the marker of a version schema says. */
export interface VersionMarker {
  /** The schema (MySQL: database) holding the tables. */
  base: string;
  release: string;
  /** Identifies the views' shape and stage: a marker with another signature means the views are redone. */
  signature: string;
  stage: VersionStage;
}

export interface VersionSchema extends VersionMarker {
  name: string;
  views: VersionView[];
}

/** A live version schema of the base, found by its marker. */
export interface LiveVersionSchema {
  name: string;
  marker: VersionMarker;
  /** Every table and view in it, the marker included. */
  relations: { name: string; view: boolean }[];
}

/** The marker's columns, in the order dialects write and read them. */
export const MARKER_COLUMNS = ['base_schema', 'release_name', 'signature', 'stage'] as const;

/** How a dialect spells the parts of a version schema's statements. */
export interface VersionSchemaWords {
  quote(identifier: string): string;
  /** Creates the schema (MySQL: database) unless it exists. */
  createSchema(name: string): string;
  /** A text value the marker view selects. */
  text(value: string): string;
  /** What makes the marker's SELECT of constants a query: nothing, or Db2's ` FROM SYSIBM.SYSDUMMY1`. */
  fromNoTable: string;
  /** What writing views takes: no lock on the tables. */
  lock: LockInfo;
}

/**
 * The schema, a marker saying it is unfinished, the views (simple ones, which take writes), then
 * the marker: a run stopped halfway leaves a schema dbtide knows as its own and redoes.
 */
export function versionSchemaStatements(schema: VersionSchema, words: VersionSchemaWords): Statement[] {
  const { quote } = words;
  const at = (relation: string) => `${quote(schema.name)}.${quote(relation)}`;
  const marker = (m: VersionMarker) =>
    `CREATE OR REPLACE VIEW ${at(VERSION_MARKER)} AS SELECT ${[m.base, m.release, m.signature, m.stage].map((v, i) => `${words.text(v)} AS ${MARKER_COLUMNS[i]}`).join(', ')}${words.fromNoTable}`;
  const select = (view: VersionView) =>
    view.columns.map((c) => (c.reads === c.name ? quote(c.name) : `${quote(c.reads)} AS ${quote(c.name)}`)).join(', ');
  return withLock(
    words.lock,
    words.createSchema(schema.name),
    marker({ ...schema, signature: 'unfinished' }),
    ...schema.views.map((v) => `CREATE OR REPLACE VIEW ${at(v.table)} AS SELECT ${select(v)} FROM ${quote(schema.base)}.${quote(v.table)}`),
    marker(schema),
  );
}
