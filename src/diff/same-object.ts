import type { ExclusionModel, ForeignKeyModel, IndexModel, KeyConstraint } from '../model/schema-model.js';
import { comparableEntry } from '../model/index-key-words.js';
import { sameExpression } from './same-expression.js';

/** Whether two objects are the same definition, whatever their names. */

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => sameExpression(x, b[i]!));

export const sameKey = (a: KeyConstraint, b: KeyConstraint) =>
  sameList(a.columns, b.columns) && (a.nullsNotDistinct ?? false) === (b.nullsNotDistinct ?? false) &&
  sameColumns(a.include ?? [], b.include ?? []) && a.deferrable === b.deferrable;

/**
 * A default operator class written in the declaration (`id int8_ops` on a bigint) is compared, not
 * normalized away when declared: only the server knows which class is the default for a key's type
 * (an expression's type, a native or domain type), and it says so when it reports the index.
 */
function sameEntries(a: IndexModel, b: IndexModel): boolean {
  if (a.columns.length !== b.columns.length) return false;
  return a.columns.every((entry, i) => {
    const other = b.columns[i]!;
    const defaultOfA = a.defaultOpclasses?.[i] ?? null;
    const defaultOfB = b.defaultOpclasses?.[i] ?? null;
    return sameExpression(entry, other) || sameExpression(comparableEntry(entry, defaultOfB), comparableEntry(other, defaultOfA));
  });
}

export function sameIndex(a: IndexModel, b: IndexModel): boolean {
  const sameWhere = a.where === null || b.where === null ? a.where === b.where : sameExpression(a.where, b.where);
  return (
    sameEntries(a, b) && a.unique === b.unique && a.using === b.using && sameWhere &&
    sameColumns(a.include, b.include) && a.nullsNotDistinct === b.nullsNotDistinct
  );
}

/** Covering columns are plain column names; their order is the index's layout, which a fresh install follows. */
const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((c, i) => c === b[i]);

/** An exclusion constraint is its index's entries and method, and an operator per entry. */
export function sameExclusion(a: ExclusionModel, b: ExclusionModel): boolean {
  const asIndex = (x: ExclusionModel): IndexModel => ({
    name: x.name, columns: x.columns, unique: false, where: x.where, using: x.using, include: [], nullsNotDistinct: false, valid: true,
    ...(x.defaultOpclasses ? { defaultOpclasses: x.defaultOpclasses } : {}),
  });
  return sameIndex(asIndex(a), asIndex(b)) && a.deferrable === b.deferrable &&
    a.operators.length === b.operators.length && a.operators.every((o, i) => sameOperator(o, b.operators[i]!));
}

/** `OPERATOR(pg_catalog.=)` and `=` are one operator. */
const sameOperator = (a: string, b: string) => bareOperator(a) === bareOperator(b);
const bareOperator = (o: string) => o.trim().replace(/^OPERATOR\s*\(\s*(?:pg_catalog\s*\.\s*)?(.*?)\s*\)$/i, '$1');

export function sameForeignKey(a: ForeignKeyModel, b: ForeignKeyModel): boolean {
  return (
    sameList(a.columns, b.columns) &&
    a.referencedTable === b.referencedTable &&
    sameList(a.referencedColumns, b.referencedColumns) &&
    a.onDelete === b.onDelete &&
    a.onUpdate === b.onUpdate &&
    a.deferrable === b.deferrable
  );
}

