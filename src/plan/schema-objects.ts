/**
 * Checks of a release's sequences, domains and enum types made before anything runs: a server
 * without them refuses the release, and a removed one that something will still use stops the
 * plan, naming the user (the server would refuse the drop mid-contract otherwise).
 */
import type { Capabilities, SchemaObjectSql } from '../dialect.js';
import { DbtideError } from '../errors.js';
import { namedType } from '../model/named-types.js';
import type { ColumnModel, DeclaredSchema, SchemaModel } from '../model/schema-model.js';

const KINDS = [
  { key: 'sequences', word: 'sequences' },
  { key: 'domains', word: 'domains' },
  { key: 'enums', word: 'enum types' },
] as const;

/** What the release declares or removes that the server does not have, as `path: what` lines. */
export function unsupportedSchemaObjects(declared: DeclaredSchema, caps: Capabilities): string[] {
  return KINDS.flatMap(({ key, word }) => {
    if (caps.schemaObjects[key]) return [];
    const names = [...Object.keys(declared.model[key] ?? {}), ...(declared.removed[key] ?? [])];
    return names.map((n) => `${key}.${n}: ${caps.server} has no ${word}`);
  });
}

export function refuseSchemaObjects(declared: DeclaredSchema, caps: Capabilities): void {
  const found = unsupportedSchemaObjects(declared, caps);
  if (found.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares sequences, domains or enum types, which ${caps.server} does not have; nothing was changed:\n` +
      found.map((f) => `  ${f}`).join('\n'),
    1,
    'declare them only in releases for PostgreSQL; on MySQL and MariaDB use an identity column (AUTO_INCREMENT), a CHECK on the column, or native("enum(...)")',
  );
}

/**
 * The columns and domains that would still use a removed sequence, domain or enum type once the
 * release is contracted: the declared ones, and live columns the release neither declares nor removes.
 */
export function removedObjectsInUse(declared: DeclaredSchema, live: SchemaModel, sql: SchemaObjectSql | undefined): string[] {
  const removed = declared.removed;
  const gone = { sequences: new Set(removed.sequences ?? []), types: new Set([...(removed.domains ?? []), ...(removed.enums ?? [])]) };
  if (gone.sequences.size === 0 && gone.types.size === 0) return [];
  const kept: { where: string; column: ColumnModel }[] = [];
  for (const table of Object.values(declared.model.tables)) for (const column of table.columns) kept.push({ where: `${table.name}.${column.name}`, column });
  for (const table of Object.values(live.tables)) {
    if (removed.tables.includes(table.name)) continue;
    const want = declared.model.tables[table.name];
    for (const column of table.columns) {
      if (want?.columns.some((c) => c.name === column.name)) continue;
      if (removed.columns.some((c) => c.table === table.name && c.column === column.name)) continue;
      kept.push({ where: `${table.name}.${column.name} (live, not in the declaration)`, column });
    }
  }
  const users: string[] = [];
  for (const { where, column } of kept) {
    const type = namedType(column.type);
    if (type !== null && gone.types.has(type)) users.push(`column ${where} is of type ${type}`);
    const sequence = column.default?.kind === 'sql' && sql ? sql.sequenceOfDefault(column.default.expression) : null;
    if (sequence !== null && gone.sequences.has(sequence)) users.push(`column ${where} draws its default from sequence ${sequence}`);
  }
  for (const domain of Object.values(declared.model.domains ?? {})) {
    const type = namedType(domain.type);
    if (type !== null && gone.types.has(type)) users.push(`domain ${domain.name} is built over ${type}`);
  }
  return users;
}

export function refuseRemovedObjectsInUse(declared: DeclaredSchema, live: SchemaModel, sql: SchemaObjectSql | undefined): void {
  const users = removedObjectsInUse(declared, live, sql);
  if (users.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} removes sequences, domains or enum types that would still be in use; nothing was changed:\n` +
      users.map((u) => `  ${u}`).join('\n'),
    1,
    'remove or change those columns (or domains) in the same release, or keep the object declared',
  );
}
