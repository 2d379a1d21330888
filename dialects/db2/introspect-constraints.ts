/**
 * Keys, foreign keys, checks and indexes from SYSCAT.TABCONST, KEYCOLUSE, REFERENCES, CHECKS,
 * INDEXES and INDEXCOLUSE. Every name the catalog stores is given back as declared (`declaredName`).
 */
import type { Connection } from '../../src/dialect.js';
import type { CheckModel, ForeignKeyModel, IndexModel, KeyConstraint, ReferentialAction } from '../../src/model/schema-model.js';
import { declaredName } from './names.js';

/** One key column of a primary key (`P`), unique constraint (`U`) or foreign key (`F`). */
export interface KeyColumnRow {
  table_name: string;
  name: string;
  type: string;
  column_name: string;
  position: number | string;
}

const KEY_COLUMNS_SQL = `
  SELECT c.TABNAME AS "table_name", c.CONSTNAME AS "name", c.TYPE AS "type", k.COLNAME AS "column_name", k.COLSEQ AS "position"
  FROM SYSCAT.TABCONST c
  JOIN SYSCAT.KEYCOLUSE k ON k.TABSCHEMA = c.TABSCHEMA AND k.TABNAME = c.TABNAME AND k.CONSTNAME = c.CONSTNAME
  WHERE c.TABSCHEMA = ? AND c.TYPE IN ('P', 'U', 'F')
  ORDER BY 1, 2, 5`;

interface ReferenceRow {
  table_name: string;
  name: string;
  referenced_schema: string;
  referenced_table: string;
  referenced_key: string;
  on_delete: string;
  on_update: string;
  enforced: string;
}

/** A foreign key NOT ENFORCED (dbtide's pending one, NOT TRUSTED) is read as not validated yet. */
const REFERENCES_SQL = `
  SELECT r.TABNAME AS "table_name", r.CONSTNAME AS "name", r.REFTABSCHEMA AS "referenced_schema", r.REFTABNAME AS "referenced_table",
         r.REFKEYNAME AS "referenced_key", r.DELETERULE AS "on_delete", r.UPDATERULE AS "on_update", c.ENFORCED AS "enforced"
  FROM SYSCAT.REFERENCES r
  JOIN SYSCAT.TABCONST c ON c.TABSCHEMA = r.TABSCHEMA AND c.TABNAME = r.TABNAME AND c.CONSTNAME = r.CONSTNAME
  WHERE r.TABSCHEMA = ?`;

export interface CheckRow {
  table_name: string;
  name: string;
  expression: string;
  /** `C` a check constraint; `A` the server's own check of a GENERATED ALWAYS column, `F` a functional dependency. */
  type: string;
  enforced: string;
}

const CHECKS_SQL = `
  SELECT k.TABNAME AS "table_name", k.CONSTNAME AS "name", k.TEXT AS "expression", k.TYPE AS "type", c.ENFORCED AS "enforced"
  FROM SYSCAT.CHECKS k
  LEFT JOIN SYSCAT.TABCONST c ON c.TABSCHEMA = k.TABSCHEMA AND c.TABNAME = k.TABNAME AND c.CONSTNAME = k.CONSTNAME
  WHERE k.TABSCHEMA = ?`;

interface IndexRow {
  table_name: string;
  name: string;
  /** `D` duplicates allowed, `U` unique, `P` the primary key's. */
  unique_rule: string;
  /** Above 0: the index enforces a primary key or unique constraint. */
  system_required: number | string;
  /** `REG`, `CLUS`; XML (`XRGN`, `XPTH`, `XVIL`, `XVIP`) and MDC block (`BLOK`, `DIM`) indexes are the server's. */
  index_type: string;
  column_name: string;
  position: number | string;
  /** `A` ascending, `D` descending, `I` an INCLUDE column. */
  column_order: string;
}

const INDEXES_SQL = `
  SELECT i.TABNAME AS "table_name", i.INDNAME AS "name", i.UNIQUERULE AS "unique_rule", i.SYSTEM_REQUIRED AS "system_required",
         i.INDEXTYPE AS "index_type", u.COLNAME AS "column_name", u.COLSEQ AS "position", u.COLORDER AS "column_order"
  FROM SYSCAT.INDEXES i
  JOIN SYSCAT.INDEXCOLUSE u ON u.INDSCHEMA = i.INDSCHEMA AND u.INDNAME = i.INDNAME
  WHERE i.TABSCHEMA = ?
  ORDER BY 1, 2, 7`;

const SERVER_INDEX_TYPES = new Set(['XRGN', 'XPTH', 'XVIL', 'XVIP', 'BLOK', 'DIM']);

/** SYSCAT.REFERENCES' rule codes; ON UPDATE is only ever A or R. */
const ACTIONS: Record<string, ReferentialAction> = { A: 'no action', R: 'restrict', C: 'cascade', N: 'set null' };

function action(code: string): ReferentialAction {
  const found = ACTIONS[code.trim()];
  if (!found) throw new Error(`unknown referential action "${code}" in SYSCAT.REFERENCES`);
  return found;
}

/** What the constraint and index queries found, by declared table name. */
export interface TableConstraints {
  primaryKeys: Map<string, KeyConstraint>;
  uniques: Map<string, KeyConstraint[]>;
  foreignKeys: Map<string, ForeignKeyModel[]>;
  /** Foreign keys whose parent is in another schema, which the model cannot name. */
  foreignKeysElsewhere: { table: string; name: string; parent: string }[];
  checks: Map<string, CheckModel[]>;
  indexes: Map<string, IndexModel[]>;
}

const push = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);

/** Rows of one object, in the catalog's order of its columns. */
function byObject<T extends { table_name: string; name: string; position: number | string }>(rows: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) push(groups, `${row.table_name}\0${row.name}`, row);
  return [...groups.values()].map((parts) => [...parts].sort((a, b) => Number(a.position) - Number(b.position)));
}

export async function readConstraints(conn: Connection, schema: string): Promise<TableConstraints> {
  // One after another: a Connection is one session, which runs one statement at a time anyway.
  const keyRows = await conn.query<KeyColumnRow>(KEY_COLUMNS_SQL, [schema]);
  const referenceRows = await conn.query<ReferenceRow>(REFERENCES_SQL, [schema]);
  const checkRows = await conn.query<CheckRow>(CHECKS_SQL, [schema]);
  const indexRows = await conn.query<IndexRow>(INDEXES_SQL, [schema]);

  const found: TableConstraints = { primaryKeys: new Map(), uniques: new Map(), foreignKeys: new Map(), foreignKeysElsewhere: [], checks: new Map(), indexes: new Map() };
  const keyColumns = new Map<string, string[]>();
  for (const parts of byObject(keyRows)) {
    const first = parts[0]!;
    const columns = parts.map((p) => declaredName(p.column_name));
    keyColumns.set(`${first.table_name}\0${first.name}`, columns);
    const table = declaredName(first.table_name);
    const key = { name: declaredName(first.name), columns };
    if (first.type === 'P') found.primaryKeys.set(table, key);
    if (first.type === 'U') push(found.uniques, table, key);
  }
  for (const row of referenceRows) {
    const table = declaredName(row.table_name);
    if (row.referenced_schema.trim() !== schema) {
      found.foreignKeysElsewhere.push({ table, name: declaredName(row.name), parent: `${row.referenced_schema.trim()}.${row.referenced_table}` });
      continue;
    }
    push(found.foreignKeys, table, {
      name: declaredName(row.name),
      columns: keyColumns.get(`${row.table_name}\0${row.name}`) ?? [],
      referencedTable: declaredName(row.referenced_table),
      // The parent's key is a primary key or unique constraint of its own table, read above.
      referencedColumns: keyColumns.get(`${row.referenced_table}\0${row.referenced_key}`) ?? [],
      onDelete: action(row.on_delete),
      onUpdate: action(row.on_update),
      validated: row.enforced !== 'N',
    });
  }
  for (const row of checkRows.filter((c) => c.type === 'C')) {
    push(found.checks, declaredName(row.table_name), { name: declaredName(row.name), expression: row.expression.trim(), validated: row.enforced !== 'N' });
  }
  for (const parts of byObject(indexRows)) {
    const first = parts[0]!;
    if (first.unique_rule === 'P' || SERVER_INDEX_TYPES.has(first.index_type.trim())) continue;
    const table = declaredName(first.table_name);
    const keys = parts.filter((p) => p.column_order !== 'I');
    const plainColumns = keys.map((p) => declaredName(p.column_name));
    // The index a unique constraint made (or adopted) is the constraint's, not an index of its own.
    const backsKey = Number(first.system_required) > 0 && (found.uniques.get(table) ?? []).some((u) => sameColumns(u.columns, plainColumns));
    if (backsKey) continue;
    push(found.indexes, table, {
      name: declaredName(first.name),
      columns: keys.map((p) => `${declaredName(p.column_name)}${p.column_order === 'D' ? ' DESC' : ''}`),
      unique: first.unique_rule === 'U',
      where: null,
      using: 'btree',
      include: parts.filter((p) => p.column_order === 'I').map((p) => declaredName(p.column_name)),
      nullsNotDistinct: false,
      valid: true,
    });
  }
  return found;
}

const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((c, i) => c === b[i]);
