import { formatColumnType } from '../model/column-type.js';
import type { ColumnModel, SchemaModel, TableModel } from '../model/schema-model.js';
import { unsupportedObjectName } from '../model/unsupported.js';

const SIDES = ['upgraded', 'fresh'] as const;

function describeColumn(c: ColumnModel): string {
  const parts = [formatColumnType(c.type), c.nullable ? 'NULL' : 'NOT NULL'];
  if (c.default) parts.push(`DEFAULT ${c.default.kind === 'sql' ? c.default.expression : JSON.stringify(c.default.value)}`);
  if (c.identity) parts.push(`IDENTITY ${c.identity}`);
  if (c.comment !== undefined) parts.push(`COMMENT ${JSON.stringify(c.comment)}`);
  return parts.join(' ');
}

/** Named objects of a table, each rendered to one comparable line. */
function objectsOf(t: TableModel): Map<string, string> {
  const objects = new Map<string, string>();
  if (t.primaryKey) objects.set(`primary key ${t.primaryKey.name}`, `(${t.primaryKey.columns.join(', ')})`);
  for (const u of t.uniques) {
    objects.set(`unique ${u.name}`, `${u.nullsNotDistinct ? 'NULLS NOT DISTINCT ' : ''}(${u.columns.join(', ')})${u.include ? ` INCLUDE (${u.include.join(', ')})` : ''}`);
  }
  if (t.comment !== undefined) objects.set('comment', JSON.stringify(t.comment));
  if (t.replicaIdentity !== undefined) objects.set('replica identity', JSON.stringify(t.replicaIdentity));
  for (const i of t.indexes) {
    objects.set(
      `index ${i.name}`,
      `${i.unique ? 'unique ' : ''}${i.using} (${i.columns.join(', ')})${i.include.length > 0 ? ` INCLUDE (${i.include.join(', ')})` : ''}` +
        `${i.nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''}${i.where ? ` WHERE ${i.where}` : ''}${i.valid ? '' : ' INVALID'}`,
    );
  }
  for (const f of t.foreignKeys) {
    objects.set(
      `foreign key ${f.name}`,
      `(${f.columns.join(', ')}) -> ${f.referencedTable} (${f.referencedColumns.join(', ')}) on delete ${f.onDelete} on update ${f.onUpdate}${f.validated ? '' : ' NOT VALID'}`,
    );
  }
  for (const c of t.checks) objects.set(`check ${c.name}`, `${c.expression}${c.validated ? '' : ' NOT VALID'}`);
  for (const c of t.columns) objects.set(`column ${c.name}`, describeColumn(c));
  return objects;
}

/**
 * Every difference between an upgraded database and a fresh install, one readable line each
 * (`instances: column uuid: upgraded varchar(36) NULL, fresh varchar(36) NOT NULL`). Column order
 * is not compared: an upgrade appends columns where a fresh install declares them in place.
 */
export function compareSchemas(upgraded: SchemaModel, fresh: SchemaModel): string[] {
  const lines: string[] = [];
  const names = [...new Set([...Object.keys(upgraded.tables), ...Object.keys(fresh.tables)])].sort();
  for (const name of names) {
    const [a, b] = [upgraded.tables[name], fresh.tables[name]];
    if (!a || !b) {
      lines.push(`${name}: table only in the ${a ? SIDES[0] : SIDES[1]} database`);
      continue;
    }
    lines.push(...compareObjects(`${name}: `, objectsOf(a), objectsOf(b)));
  }
  return [
    ...lines,
    ...compareObjects('', schemaObjectsOf(upgraded), schemaObjectsOf(fresh)),
    ...compareObjects('', unsupportedOf(upgraded), unsupportedOf(fresh)),
  ];
}

/** Sequences, domains and enum types, each rendered to one comparable line. */
function schemaObjectsOf(model: SchemaModel): Map<string, string> {
  const objects = new Map<string, string>();
  for (const q of Object.values(model.sequences ?? {})) {
    objects.set(
      `sequence ${q.name}`,
      `${q.type} start ${q.start} increment ${q.increment} min ${q.min} max ${q.max} cache ${q.cache}${q.cycle ? ' cycle' : ''}` +
        (q.ownedBy ? ` owned by ${q.ownedBy.table}.${q.ownedBy.column}` : ''),
    );
  }
  for (const d of Object.values(model.domains ?? {})) {
    const parts = [formatColumnType(d.type), d.notNull ? 'NOT NULL' : 'NULL'];
    if (d.default) parts.push(`DEFAULT ${d.default.kind === 'sql' ? d.default.expression : JSON.stringify(d.default.value)}`);
    for (const c of d.checks) parts.push(`CHECK ${c.name} (${c.expression})${c.validated === false ? ' NOT VALID' : ''}`);
    objects.set(`domain ${d.name}`, parts.join(' '));
  }
  for (const e of Object.values(model.enums ?? {})) objects.set(`enum type ${e.name}`, `(${e.values.join(', ')})`);
  return objects;
}

/** What dbtide does not model counts too: a seed or a data move may leave it on one side only. */
const unsupportedOf = (model: SchemaModel): Map<string, string> =>
  new Map((model.unsupported ?? []).map((u) => [unsupportedObjectName(u), u.detail]));

function compareObjects(prefix: string, oa: Map<string, string>, ob: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const key of [...new Set([...oa.keys(), ...ob.keys()])].sort()) {
    const [va, vb] = [oa.get(key), ob.get(key)];
    if (va === vb) continue;
    if (va === undefined || vb === undefined) lines.push(`${prefix}${key} only in the ${va === undefined ? SIDES[1] : SIDES[0]} database (${va ?? vb})`);
    else lines.push(`${prefix}${key}: ${SIDES[0]} ${va}, ${SIDES[1]} ${vb}`);
  }
  return lines;
}
