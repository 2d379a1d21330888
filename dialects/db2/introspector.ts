/**
 * Reads one schema of a Db2 LUW database into the canonical SchemaModel, from the SYSCAT views,
 * with one query per kind of object for the whole schema (this runs on every plan). The catalog
 * stores names folded (a declared `instances` is `INSTANCES`): every name is given back as
 * declared. Columns keep their catalog order; tables and named objects are sorted here, so that
 * the model depends on neither the server's plan nor its collation.
 */
import type { Connection, IntrospectOptions, ReorgState } from '../../src/dialect.js';
import { OWN_TABLE_PREFIX, SHADOW } from '../../src/model/own-objects.js';
import type { SchemaModel, TableModel } from '../../src/model/schema-model.js';
import { isAliasView } from './alias-view.js';
import { db2Column, type ColumnRow } from './introspect-columns.js';
import { readConstraints } from './introspect-constraints.js';
import { declaredName, storedName } from './names.js';
import { byPlainOrder, unsupportedDb2, type RelationRow, type TriggerRow } from './unsupported.js';

/** The schema to read, as the catalog stores it: the one named, or the session's CURRENT SCHEMA. */
async function schemaOf(conn: Connection, options?: IntrospectOptions): Promise<string> {
  if (options?.schema !== undefined) return storedName(options.schema);
  const [row] = await conn.query<{ name: string }>('SELECT CURRENT SCHEMA AS "name" FROM SYSIBM.SYSDUMMY1');
  if (!row) throw new Error('CURRENT SCHEMA returned no row');
  return row.name.trim();
}

/** Every relation but views (SYSCAT.VIEWS has those, with their text): tables, and kinds the model leaves out. */
const RELATIONS_SQL = `
  SELECT TABNAME AS "name", TYPE AS "type", STATUS AS "status", REMARKS AS "comment"
  FROM SYSCAT.TABLES
  WHERE TABSCHEMA = ? AND TYPE <> 'V'`;

/** DEFAULT is a key word: the column is named quoted. */
const COLUMNS_SQL = `
  SELECT TABNAME AS "table_name", COLNAME AS "name", COLNO AS "position", TYPENAME AS "type_name", LENGTH AS "length", SCALE AS "scale",
         NULLS AS "nulls", "DEFAULT" AS "default_text", IDENTITY AS "identity", GENERATED AS "generated", TEXT AS "generation",
         CODEPAGE AS "codepage", REMARKS AS "comment"
  FROM SYSCAT.COLUMNS
  WHERE TABSCHEMA = ?
  ORDER BY TABNAME, COLNO`;

const TRIGGERS_SQL = `
  SELECT TRIGNAME AS "name", TABNAME AS "table_name", TRIGTIME AS "timing", TRIGEVENT AS "event", TEXT AS "text"
  FROM SYSCAT.TRIGGERS
  WHERE TABSCHEMA = ?`;

/** A view with the tables it reads (VIEWDEP, BTYPE `T`): one row per table, or one without for a view over none. */
const VIEWS_SQL = `
  SELECT v.VIEWNAME AS "name", v.TEXT AS "text", d.BSCHEMA AS "base_schema", d.BNAME AS "base_name"
  FROM SYSCAT.VIEWS v
  LEFT JOIN SYSCAT.VIEWDEP d ON d.VIEWSCHEMA = v.VIEWSCHEMA AND d.VIEWNAME = v.VIEWNAME AND d.BTYPE = 'T'
  WHERE v.VIEWSCHEMA = ?`;

interface ViewRow {
  name: string;
  /** The whole CREATE VIEW statement. */
  text: string | null;
  base_schema: string | null;
  base_name: string | null;
}

type Relation = RelationRow & { comment: string | null };

export async function introspectDb2(conn: Connection, options?: IntrospectOptions): Promise<SchemaModel> {
  const schema = await schemaOf(conn, options);
  // One after another: a Connection is one session, which runs one statement at a time anyway.
  const relations = await conn.query<Relation>(RELATIONS_SQL, [schema]);
  const columnRows = await conn.query<ColumnRow>(COLUMNS_SQL, [schema]);
  const constraints = await readConstraints(conn, schema);
  const triggerRows = await conn.query<TriggerRow>(TRIGGERS_SQL, [schema]);
  const viewRows = await conn.query<ViewRow>(VIEWS_SQL, [schema]);

  const tables = new Map<string, TableModel>();
  const modelled = relations
    .filter((r) => r.type === 'T' && !declaredName(r.name).startsWith(OWN_TABLE_PREFIX) && !(r.comment ?? '').startsWith(SHADOW.marker))
    .sort((a, b) => byPlainOrder(declaredName(a.name), declaredName(b.name)));
  for (const row of modelled) {
    const name = declaredName(row.name);
    tables.set(name, { ...emptyTable(name), ...(row.comment ? { comment: row.comment } : {}) });
  }
  // A table created or dropped between two of the queries shows up in some but not all: rows of
  // a table the first query did not find are skipped.
  for (const row of [...columnRows].sort((a, b) => Number(a.position) - Number(b.position))) {
    const table = tables.get(declaredName(row.table_name));
    if (!table) continue;
    const name = declaredName(row.name);
    table.columns.push({ name, nullable: row.nulls === 'Y', ...db2Column(row), ...(row.comment ? { comment: row.comment } : {}) });
  }
  for (const table of tables.values()) {
    table.primaryKey = constraints.primaryKeys.get(table.name) ?? null;
    table.uniques = sortByName(constraints.uniques.get(table.name) ?? []);
    table.foreignKeys = sortByName(constraints.foreignKeys.get(table.name) ?? []);
    table.checks = sortByName(constraints.checks.get(table.name) ?? []);
    table.indexes = sortByName(constraints.indexes.get(table.name) ?? []);
  }

  const triggers = triggerRows.map((t) => ({ ...t, name: declaredName(t.name), table_name: declaredName(t.table_name) }));
  const views = viewsOf(viewRows);
  const aliases = views.flatMap((v) => {
    const base = v.bases.length === 1 ? v.bases[0]! : null;
    return base !== null && base.schema === schema && tables.has(base.table) && v.text !== null && isAliasView(v.text) ? [{ name: v.name, table: base.table }] : [];
  });
  const aliasNames = new Set(aliases.map((a) => a.name));
  const model: SchemaModel = {
    tables: Object.fromEntries(tables),
    owned: {
      // A sync is a trigger per event; the INSERT one, named as the sync, is created last and dropped last, so it stands for the whole.
      triggers: triggers
        .filter((t) => t.name.startsWith(OWN_TABLE_PREFIX) && t.event === 'I' && tables.has(t.table_name))
        .map((t) => ({ table: t.table_name, name: t.name }))
        .sort((a, b) => byPlainOrder(a.table, b.table) || byPlainOrder(a.name, b.name)),
      aliases,
      finishedJobs: [],
    },
  };
  const unsupported = await unsupportedDb2(conn, {
    schema,
    relations,
    tables: new Set(tables.keys()),
    userViews: views.filter((v) => !aliasNames.has(v.name) && !v.name.startsWith(OWN_TABLE_PREFIX)),
    userTriggers: triggers.filter((t) => !t.name.startsWith(OWN_TABLE_PREFIX) && tables.has(t.table_name)),
    foreignKeysElsewhere: constraints.foreignKeysElsewhere,
  });
  return { ...model, unsupported };
}

/** Views by declared name, sorted, with the tables each reads. */
function viewsOf(rows: ViewRow[]): { name: string; text: string | null; bases: { schema: string; table: string }[] }[] {
  const views = new Map<string, { name: string; text: string | null; bases: { schema: string; table: string }[] }>();
  for (const row of rows) {
    const name = declaredName(row.name);
    const view = views.get(name) ?? { name, text: row.text, bases: [] };
    if (row.base_name !== null) view.bases.push({ schema: (row.base_schema ?? '').trim(), table: declaredName(row.base_name) });
    views.set(name, view);
  }
  return sortByName([...views.values()]);
}

/**
 * Estimated rows per table from SYSCAT.TABLES.CARD, the statistics RUNSTATS last gathered, never a
 * scan. A table without statistics (CARD -1), or not found, counts 0.
 */
export async function estimateRowsDb2(conn: Connection, tables: string[], options?: IntrospectOptions): Promise<Record<string, number>> {
  if (tables.length === 0) return {};
  const schema = await schemaOf(conn, options);
  const rows = await conn.query<{ name: string; card: number | string | null }>(
    `SELECT TABNAME AS "name", CARD AS "card" FROM SYSCAT.TABLES WHERE TABSCHEMA = ? AND TABNAME IN (${tables.map(() => '?').join(', ')})`,
    [schema, ...tables.map(storedName)],
  );
  const estimates = new Map(rows.map((row) => [declaredName(row.name), Math.max(0, Number(row.card ?? 0))]));
  return Object.fromEntries(tables.map((table) => [table, estimates.get(table) ?? 0]));
}

/**
 * What Db2 counts toward each table's reorganization: REORG-recommended ALTERs since the last REORG
 * and whether the table is in reorg-pending state. A table not found (not created yet) has none.
 */
export async function reorgStateDb2(conn: Connection, tables: string[], options?: IntrospectOptions): Promise<Record<string, ReorgState>> {
  if (tables.length === 0) return {};
  const schema = await schemaOf(conn, options);
  const rows = await conn.query<{ name: string; alters: number | string | null; pending: string | null }>(
    // The table function over one schema, not the ADMINTABINFO view, which reads every table of the database.
    `SELECT TABNAME AS "name", NUM_REORG_REC_ALTERS AS "alters", REORG_PENDING AS "pending"
     FROM TABLE(SYSPROC.ADMIN_GET_TAB_INFO(CAST(? AS VARCHAR(128)), CAST(NULL AS VARCHAR(128)))) AS T
     WHERE TABNAME IN (${tables.map(() => '?').join(', ')})`,
    [schema, ...tables.map(storedName)],
  );
  // A partitioned table has a row per partition: the most any of them counts is the table's.
  const states = new Map<string, ReorgState>();
  for (const row of rows) {
    const name = declaredName(row.name);
    const before = states.get(name) ?? { alters: 0, pending: false };
    states.set(name, { alters: Math.max(before.alters, Number(row.alters ?? 0)), pending: before.pending || row.pending === 'Y' });
  }
  return Object.fromEntries(tables.map((table) => [table, states.get(table) ?? { alters: 0, pending: false }]));
}

function emptyTable(name: string): TableModel {
  return { name, columns: [], primaryKey: null, uniques: [], indexes: [], foreignKeys: [], checks: [] };
}

function sortByName<T extends { name: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => byPlainOrder(a.name, b.name));
}
