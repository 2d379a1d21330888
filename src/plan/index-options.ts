import type { Capabilities } from '../dialect.js';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema } from '../model/schema-model.js';

type Rules = Pick<Capabilities, 'server' | 'indexOptions'>;

/** Every index and unique key of the release that says what the server cannot build. */
export function unbuildableIndexOptions(declared: DeclaredSchema, rules: Rules): string[] {
  const { include, nullsNotDistinct } = rules.indexOptions;
  return Object.values(declared.model.tables).flatMap((table) => [
    ...table.indexes.flatMap((index) => {
      const path = `tables.${table.name}.indexes.${index.name}`;
      return [
        ...(index.include.length > 0 && !include ? [`${path}: include (${index.include.join(', ')}) needs covering columns, which ${rules.server} does not have`] : []),
        ...(index.nullsNotDistinct && !nullsNotDistinct ? [`${path}: nullsNotDistinct needs NULLS NOT DISTINCT, which ${rules.server} does not have`] : []),
      ];
    }),
    ...table.uniques.flatMap((key) => {
      const path = `tables.${table.name}.uniques.${key.name}`;
      return [
        ...(key.include && !include ? [`${path}: include (${key.include.join(', ')}) needs covering columns, which ${rules.server} does not have`] : []),
        ...(key.nullsNotDistinct && !nullsNotDistinct ? [`${path}: nullsNotDistinct needs NULLS NOT DISTINCT, which ${rules.server} does not have`] : []),
      ];
    }),
  ]);
}

/**
 * Left to the server, an index it cannot build would fail mid-phase; built without the option, it
 * would be another index than the one declared (one a dropped NULLS NOT DISTINCT lets duplicates
 * into). So the release is refused before anything runs.
 */
export function refuseIndexOptions(declared: DeclaredSchema, rules: Rules): void {
  const found = unbuildableIndexOptions(declared, rules);
  if (found.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares index options ${rules.server} cannot build; nothing was changed:\n` + found.map((f) => `  ${f}`).join('\n'),
    1,
    'remove the option from each index listed (`include` needs PostgreSQL 11 or later, `nullsNotDistinct` PostgreSQL 15 or later), ' +
      'or plan the release against a server that has it',
  );
}
