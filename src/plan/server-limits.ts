import type { Capabilities } from '../dialect.js';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema, KeyConstraint, TableModel } from '../model/schema-model.js';
import type { Transition } from '../model/transition.js';

type Rules = Pick<Capabilities, 'server' | 'typeProblem' | 'foreignKeyActions' | 'keyColumnsNotNull' | 'foldsToUpperCase' | 'uncomparableTypes'>;

const typeProblems = (table: TableModel, rules: Rules) =>
  table.columns.flatMap((c) => {
    const problem = rules.typeProblem(c.type);
    return problem === null ? [] : [`tables.${table.name}.columns.${c.name}: ${problem}`];
  });

const actionProblems = (table: TableModel, rules: Rules) =>
  table.foreignKeys.flatMap((fk) =>
    (['onDelete', 'onUpdate'] as const).flatMap((side) => {
      const allowed = rules.foreignKeyActions[side];
      if (allowed.includes(fk[side])) return [];
      const clause = side === 'onDelete' ? 'ON DELETE' : 'ON UPDATE';
      return [`tables.${table.name}.foreignKeys.${fk.name}: ${clause} ${fk[side].toUpperCase()} is not accepted by ${rules.server} (${clause} ${allowed.map((a) => a.toUpperCase()).join(', ')} only): declare ${side}: '${allowed[0]}' and do the rest in the application`];
    }),
  );

/** Db2 (SQL0542N): every column of a primary key or unique constraint is NOT NULL, and so is every column a foreign key references. */
function nullableKeyProblems(table: TableModel, tables: Record<string, TableModel>, rules: Rules): string[] {
  if (!rules.keyColumnsNotNull) return [];
  const nullable = (t: TableModel, columns: string[]) => columns.filter((name) => t.columns.find((c) => c.name === name)?.nullable === true);
  const keys: [string, KeyConstraint][] = [
    ...(table.primaryKey ? [['primaryKey', table.primaryKey] as [string, KeyConstraint]] : []),
    ...table.uniques.map((u): [string, KeyConstraint] => [`uniques.${u.name}`, u]),
  ];
  const own = keys.flatMap(([path, key]) =>
    nullable(table, key.columns).map((c) => `tables.${table.name}.${path}: column ${c} may be NULL; ${rules.server} accepts a primary key or unique constraint only over NOT NULL columns: declare ${table.name}.${c} notNull (dbtide scan finds the rows to fix first)`),
  );
  const referenced = table.foreignKeys.flatMap((fk) => {
    const target = tables[fk.referencedTable];
    if (!target) return [];
    return nullable(target, fk.referencedColumns).map((c) =>
      `tables.${table.name}.foreignKeys.${fk.name}: references ${target.name}.${c}, which may be NULL; ${rules.server} accepts a foreign key only to a primary key or unique constraint over NOT NULL columns: declare ${target.name}.${c} notNull and unique (its NULL and duplicate rows cleaned first: dbtide scan)`,
    );
  });
  return [...own, ...referenced];
}

/** Columns of a type the server cannot index or compare, where an index, a key or a transition needs them to be. */
function uncomparableProblems(table: TableModel, transitions: Transition[], rules: Rules): string[] {
  if (rules.uncomparableTypes.length === 0) return [];
  const type = (name: string) => table.columns.find((c) => c.name === name)?.type.kind;
  const uncomparable = (name: string) => rules.uncomparableTypes.includes(type(name)!);
  const why = (name: string) => `${table.name}.${name} is ${type(name)}, which ${rules.server} can neither index nor compare`;
  const fix = 'declare it varchar(n) (up to 32672 bytes) instead';
  const over = (path: string, columns: string[], what: string) =>
    columns.filter(uncomparable).map((c) => `tables.${table.name}.${path}: ${what} over ${why(c)}: ${fix}`);
  const read = transitions.flatMap((t) => (t.kind === 'column-sync' && t.table === table.name ? [t] : []));
  return [
    ...(table.primaryKey ? over('primaryKey', table.primaryKey.columns, 'a primary key') : []),
    ...table.uniques.flatMap((u) => over(`uniques.${u.name}`, u.columns, 'a unique constraint')),
    ...table.indexes.flatMap((i) => over(`indexes.${i.name}`, i.columns.filter((c) => type(c) !== undefined), 'an index')),
    ...table.foreignKeys.flatMap((f) => over(`foreignKeys.${f.name}`, f.columns, 'a foreign key')),
    ...read.flatMap((t) =>
      [...new Set([...t.sources, ...Object.keys(t.forward)])].filter(uncomparable).map((c) => `transitions.${t.id}: its dual-write trigger compares old and new values, and ${why(c)}: ${fix}, or move the data in a raw SQL step`),
    ),
  ];
}

/** Db2 folds unquoted names to upper case; dbtide reads a stored upper-case name back in lower case. */
function upperCaseNameProblems(table: TableModel, rules: Rules): string[] {
  if (!rules.foldsToUpperCase) return [];
  const upper = (name: string) => name !== name.toLowerCase() && name === name.toUpperCase();
  const named: [string, string][] = [
    [`tables.${table.name}`, table.name],
    ...table.columns.map((c): [string, string] => [`tables.${table.name}.columns.${c.name}`, c.name]),
    ...table.indexes.map((i): [string, string] => [`tables.${table.name}.indexes.${i.name}`, i.name]),
    ...table.uniques.map((u): [string, string] => [`tables.${table.name}.uniques.${u.name}`, u.name]),
    ...table.foreignKeys.map((f): [string, string] => [`tables.${table.name}.foreignKeys.${f.name}`, f.name]),
    ...table.checks.map((c): [string, string] => [`tables.${table.name}.checks.${c.name}`, c.name]),
  ];
  return named.flatMap(([path, name]) =>
    upper(name) ? [`${path}: "${name}" is all upper case, which ${rules.server} stores as an unquoted name and dbtide reads back as "${name.toLowerCase()}": declare it in lower case (unquoted SQL finds it either way)`] : [],
  );
}

/** What the declaration asks of the server that it does not have: types, referential actions, nullable keys, name case. */
export function serverLimitProblems(declared: DeclaredSchema, rules: Rules): string[] {
  const tables = declared.model.tables;
  return Object.values(tables).flatMap((t) => [
    ...upperCaseNameProblems(t, rules),
    ...typeProblems(t, rules),
    ...uncomparableProblems(t, declared.transitions, rules),
    ...nullableKeyProblems(t, tables, rules),
    ...actionProblems(t, rules),
  ]);
}

/** Each would fail its statement mid-phase (or read back as something else), so the release is refused before anything runs. */
export function refuseServerLimits(declared: DeclaredSchema, rules: Rules): void {
  const problems = serverLimitProblems(declared, rules);
  if (problems.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares what ${rules.server} does not have; nothing was changed:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    1,
    'each line says what to declare instead in the release file; `dbtide lint` checks a release chain against every dialect without a server',
  );
}
