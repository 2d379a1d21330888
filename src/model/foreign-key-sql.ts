import type { ForeignKeyModel } from './schema-model.js';

/** `FOREIGN KEY (...) REFERENCES t (...) [ON DELETE ...] [ON UPDATE ...]`: standard SQL every dialect shares. */
export function foreignKeyClause(fk: ForeignKeyModel, quote: (name: string) => string): string {
  const list = (columns: string[]) => columns.map(quote).join(', ');
  return (
    `FOREIGN KEY (${list(fk.columns)}) REFERENCES ${quote(fk.referencedTable)} (${list(fk.referencedColumns)})` +
    (fk.onDelete === 'no action' ? '' : ` ON DELETE ${fk.onDelete.toUpperCase()}`) +
    (fk.onUpdate === 'no action' ? '' : ` ON UPDATE ${fk.onUpdate.toUpperCase()}`)
  );
}
