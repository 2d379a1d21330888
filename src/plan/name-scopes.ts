import type { Capabilities } from '../dialect.js';
import { namedObjects, type NamedObject } from '../model/named-objects.js';
import type { TableModel } from '../model/schema-model.js';
import type { NamedObjectKind } from '../model/named-objects.js';

const WORDS: Record<NamedObjectKind, string> = {
  'primary-key': 'primary key',
  unique: 'unique',
  index: 'index',
  'foreign-key': 'foreign key',
  check: 'CHECK',
  exclusion: 'exclusion',
};

const listed = (words: string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);

/**
 * Names the server keeps in one namespace per schema (the capability table says which) used by
 * two tables: the second CREATE would fail half way through a phase, so planning refuses it.
 * Within a table, the declaration has already refused a name used twice.
 */
export function schemaWideNameClashes(tables: Record<string, TableModel>, caps: Pick<Capabilities, 'server' | 'schemaWideNames'>, schemaNoun: string): string[] {
  const problems: string[] = [];
  for (const kinds of caps.schemaWideNames) {
    const firstUse = new Map<string, { table: string; object: NamedObject }>();
    for (const table of Object.values(tables)) {
      for (const object of namedObjects(table)) {
        if (!kinds.includes(object.kind)) continue;
        const first = firstUse.get(object.name);
        if (first === undefined) firstUse.set(object.name, { table: table.name, object });
        else if (first.table !== table.name) {
          problems.push(
            `${object.path}: name "${object.name}" is already used by ${first.object.path}; ${caps.server} keeps ${listed(kinds.map((k) => WORDS[k]))} ` +
              `names in one namespace per ${schemaNoun}, so give one of them another name`,
          );
        }
      }
    }
  }
  return problems;
}
