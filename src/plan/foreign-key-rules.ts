import type { Capabilities } from '../dialect.js';
import { formatColumnType } from '../model/column-type.js';
import type { ForeignKeyModel, TableModel } from '../model/schema-model.js';

type Rules = Pick<Capabilities, 'server' | 'foreignKeyTarget' | 'foreignKeyTypesMatch'>;

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((c) => b.includes(c));

/**
 * What the server accepts as the referenced side of a foreign key over `columns` of `table`. A
 * deferrable key is not one: its rows may collide until commit, so PostgreSQL refuses it ("cannot
 * use a deferrable unique constraint for referenced table").
 */
function isReferenceable(table: TableModel, columns: string[], rules: Rules): boolean {
  if (keysOver(table, columns).some((key) => !key.deferrable)) return true;
  return rules.foreignKeyTarget === 'unique-index' && table.indexes.some((i) => i.unique && i.where === null && sameSet(i.columns, columns));
}

const keysOver = (table: TableModel, columns: string[]) =>
  [table.primaryKey, ...table.uniques].flatMap((key) => (key !== null && sameSet(key.columns, columns) ? [key] : []));

function targetProblem(fk: ForeignKeyModel, target: TableModel, path: string, rules: Rules): string[] {
  if (isReferenceable(target, fk.referencedColumns, rules)) return [];
  const deferrable = keysOver(target, fk.referencedColumns);
  if (deferrable.length > 0) {
    return [`${path}: references ${target.name}(${fk.referencedColumns.join(', ')}), whose key ${deferrable.map((k) => k.name).join(', ')} is deferrable; ${rules.server} refuses a foreign key to a deferrable key: declare that key without \`deferrable\`, or add a unique key over those columns that is not deferrable`];
  }
  return [`${path}: references ${target.name}(${fk.referencedColumns.join(', ')}), which is neither the primary key nor a unique constraint${rules.foreignKeyTarget === 'unique-index' ? ' nor a unique index without a predicate' : ''} of that table; ${rules.server} refuses such a foreign key`];
}

function typeProblems(fk: ForeignKeyModel, table: TableModel, target: TableModel, path: string, rules: Rules): string[] {
  return fk.columns.flatMap((name, i) => {
    const column = table.columns.find((c) => c.name === name);
    const referenced = target.columns.find((c) => c.name === fk.referencedColumns[i]);
    if (!column || !referenced || rules.foreignKeyTypesMatch(column.type, referenced.type)) return [];
    return [`${path}: column "${name}" is ${formatColumnType(column.type)} but the referenced ${target.name}.${referenced.name} is ${formatColumnType(referenced.type)}, which ${rules.server} does not accept in a foreign key`];
  });
}

/**
 * Foreign keys the server would refuse: the declaration checks what every server requires (the
 * referenced table and columns exist, as many on both sides); what a key may reference and which
 * types may meet are the server's own rules, read from its capability table, so a schema pulled
 * from a server plans against that server.
 */
export function foreignKeyProblems(tables: Record<string, TableModel>, rules: Rules): string[] {
  return Object.values(tables).flatMap((table) =>
    table.foreignKeys.flatMap((fk) => {
      const target = tables[fk.referencedTable];
      if (!target) return [];
      const path = `tables.${table.name}.foreignKeys.${fk.name}`;
      return [...targetProblem(fk, target, path, rules), ...typeProblems(fk, table, target, path, rules)];
    }),
  );
}
