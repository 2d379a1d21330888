import type { ForeignKeyModel, IndexModel, KeyConstraint } from '../model/schema-model.js';
import { sameExpression } from './same-expression.js';

/** Whether two objects are the same definition, whatever their names. */

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => sameExpression(x, b[i]!));

export const sameKey = (a: KeyConstraint, b: KeyConstraint) => sameList(a.columns, b.columns);

export function sameIndex(a: IndexModel, b: IndexModel): boolean {
  const sameWhere = a.where === null || b.where === null ? a.where === b.where : sameExpression(a.where, b.where);
  return sameList(a.columns, b.columns) && a.unique === b.unique && a.using === b.using && sameWhere;
}

export function sameForeignKey(a: ForeignKeyModel, b: ForeignKeyModel): boolean {
  return (
    sameList(a.columns, b.columns) &&
    a.referencedTable === b.referencedTable &&
    sameList(a.referencedColumns, b.referencedColumns) &&
    a.onDelete === b.onDelete &&
    a.onUpdate === b.onUpdate
  );
}

