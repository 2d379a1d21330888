import { DbtideError } from '../errors.js';
import { keyOpclass, readIndexKey } from '../model/index-entry.js';
import type { DeclaredSchema } from '../model/schema-model.js';

/** Every index entry of the release that names an operator class, with where it was declared. */
export function declaredOperatorClasses(declared: DeclaredSchema): string[] {
  return Object.values(declared.model.tables).flatMap((table) => {
    const columns = table.columns.map((c) => c.name);
    return table.indexes.flatMap((index) =>
      index.columns.flatMap((entry, i) => {
        const opclass = keyOpclass(readIndexKey(entry, columns));
        return opclass === null ? [] : [`tables.${table.name}.indexes.${index.name}.columns[${i}]: "${entry}" names the operator class ${opclass}`];
      }),
    );
  });
}

/**
 * On a server without operator classes an entry naming one would fail CREATE INDEX mid-phase (or,
 * as an expression, be taken for a column alias), so the release is refused before anything runs.
 */
export function refuseOperatorClasses(declared: DeclaredSchema, server: string): void {
  const found = declaredOperatorClasses(declared);
  if (found.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} names operator classes in index entries, which ${server} does not have; nothing was changed:\n` +
      found.map((f) => `  ${f}`).join('\n'),
    1,
    'remove the operator class from each entry listed (MySQL and MariaDB order an index key by its column\'s collation and type); ' +
      'keep operator classes for releases that run on PostgreSQL',
  );
}
