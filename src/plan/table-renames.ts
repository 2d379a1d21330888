import type { Capabilities } from '../dialect.js';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema, SchemaModel } from '../model/schema-model.js';

type Rules = Pick<Capabilities, 'server' | 'renameTableWithDependents'>;

/**
 * Declared table renames the server would refuse because of what depends on the live table:
 * Db2's RENAME TABLE refuses a table that a trigger is on or a foreign key joins, either side
 * (SQL0750N), which would stop expand at that step.
 */
export function blockedTableRenames(declared: DeclaredSchema, live: SchemaModel, rules: Rules): string[] {
  if (rules.renameTableWithDependents) return [];
  return declared.transitions.flatMap((t) => {
    if (t.kind !== 'rename-table' || !(t.from in live.tables)) return [];
    const table = live.tables[t.from]!;
    const referencing = Object.values(live.tables).flatMap((other) => other.foreignKeys.filter((fk) => fk.referencedTable === t.from && other.name !== t.from).map((fk) => `${other.name}.${fk.name}`));
    const triggers = [
      ...(live.owned?.triggers ?? []).filter((tr) => tr.table === t.from).map((tr) => tr.name),
      ...(live.unsupported ?? []).filter((u) => u.kind === 'trigger' && u.table === t.from).map((u) => u.name),
    ];
    const dependents = [
      ...table.foreignKeys.map((fk) => `its foreign key ${fk.name}`),
      ...referencing.map((fk) => `the foreign key ${fk}`),
      ...triggers.map((tr) => `the trigger ${tr}`),
    ];
    if (dependents.length === 0) return [];
    return [`transitions: renameTable ${t.from} -> ${t.to}: ${rules.server} refuses to rename a table that a trigger is on or a foreign key joins (SQL0750N), and ${t.from} has ${dependents.join(', ')}: drop them in an earlier release (declare them removed) and add them back after the rename, or keep the table's name`];
  });
}

export function refuseBlockedTableRenames(declared: DeclaredSchema, live: SchemaModel, rules: Rules): void {
  const problems = blockedTableRenames(declared, live, rules);
  if (problems.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} renames tables ${rules.server} cannot rename as they stand; nothing was changed:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    1,
    'each line names what stands in the way and how to clear it',
  );
}
