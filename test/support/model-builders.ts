/**
 * Builders for schema-model fixtures, shared by the tests. Pure functions returning plain
 * src/model/schema-model.ts data; every default below can be overridden through `extra` / `parts`.
 */
import type { CheckModel, ColumnModel, ForeignKeyModel, IndexModel, TableModel } from '../../src/model/schema-model.js';
import type { ColumnType } from '../../src/model/column-type.js';

/** Column type shortcuts. */
export const T = {
  text: { kind: 'text' } as ColumnType,
  int: { kind: 'int' } as ColumnType,
  bigint: { kind: 'bigint' } as ColumnType,
  uuid: { kind: 'uuid' } as ColumnType,
  timestamptz: { kind: 'timestamp', withTimeZone: true } as ColumnType,
  varchar: (length: number): ColumnType => ({ kind: 'varchar', length }),
  numeric: (precision: number, scale: number): ColumnType => ({ kind: 'numeric', precision, scale }),
};

/** A column: nullable, no default, no identity; text unless a type is given. */
export const column = (name: string, type: ColumnType = T.text, extra: Partial<ColumnModel> = {}): ColumnModel => ({
  name,
  type,
  nullable: true,
  default: null,
  identity: null,
  ...extra,
});

/** `id bigint NOT NULL`, no identity unless `extra` says so. */
export const idColumn = (extra: Partial<ColumnModel> = {}): ColumnModel => column('id', T.bigint, { nullable: false, ...extra });

/** A table with only `id bigint NOT NULL` (no identity) and its primary key `<name>_pkey`, unless `parts` says otherwise. */
export const table = (name: string, parts: Partial<TableModel> = {}): TableModel => ({
  name,
  columns: [idColumn()],
  primaryKey: { name: `${name}_pkey`, columns: ['id'] },
  uniques: [],
  indexes: [],
  foreignKeys: [],
  checks: [],
  ...parts,
});

/** A valid, non-unique, non-partial btree index without covering columns. */
export const index = (name: string, columns: string[], extra: Partial<IndexModel> = {}): IndexModel => ({
  name,
  columns,
  unique: false,
  where: null,
  using: 'btree',
  include: [],
  nullsNotDistinct: false,
  valid: true,
  ...extra,
});

/** A validated foreign key to `referencedTable(id)` with the default actions (no action). */
export const foreignKey = (
  name: string,
  columns: string[],
  referencedTable: string,
  extra: Partial<ForeignKeyModel> = {},
): ForeignKeyModel => ({
  name,
  columns,
  referencedTable,
  referencedColumns: ['id'],
  onDelete: 'no action',
  onUpdate: 'no action',
  validated: true,
  ...extra,
});

/** A check constraint, validated unless told otherwise. */
export const check = (name: string, expression: string, validated = true): CheckModel => ({ name, expression, validated });
