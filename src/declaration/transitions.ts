import { createHash } from 'node:crypto';
import { columnUsers, keyedTable, TYPE_CHANGE_RECIPE } from '../model/column-users.js';
import type { TableModel } from '../model/schema-model.js';
import type { ColumnSync, DataMoveFn, SqlStep, Transition } from '../model/transition.js';
import { PHASES } from '../model/phase.js';
import type { TransitionInput } from './dsl-types.js';
import { fitName } from './names.js';
import { OWN_TABLE_PREFIX } from '../model/own-objects.js';
import { namedObjects, type NamedObjectKind } from '../model/named-objects.js';

/** Renames a column: old code keeps writing `from`, new code writes `to`; contract drops `from`. */
export const renameColumn = (table: string, from: string, to: string): TransitionInput => ({ kind: 'rename-column', table, from, to });

/**
 * Changes a column's type online: the new type fills a shadow column until contract swaps it in
 * under the same name. `using` converts the old value (default: a cast).
 */
export const changeType = (table: string, column: string, options: { using?: string } = {}): TransitionInput => ({
  kind: 'change-type',
  table,
  column,
  ...options,
});

/** New columns computed from old ones (split, merge, re-encode); `backward` keeps old readers right. */
export const derive = (
  table: string,
  spec: { forward: Record<string, string>; backward?: Record<string, string>; retires?: string[]; reads?: string[] },
): TransitionInput => ({ kind: 'derive', table, ...spec });

/** A NOT NULL column on a live table, filled from an expression for rows old code writes and old rows. */
export const fillColumn = (table: string, column: string, expression: string): TransitionInput => ({
  kind: 'fill',
  table,
  column,
  expression,
});

/** Renames a table; the old name stays usable (a view) until contract. */
export const renameTable = (from: string, to: string): TransitionInput => ({ kind: 'rename-table', from, to });

/**
 * Renames a unique, check, foreign-key or exclusion constraint (or the primary key) without rebuilding it; the
 * release declares it under `to`, or inherits it under `from` (then it is carried over to `to`).
 */
export const renameConstraint = (table: string, from: string, to: string): TransitionInput => ({ kind: 'rename-constraint', table, from, to });

/** Renames an index without rebuilding it; declared or inherited as for renameConstraint. */
export const renameIndex = (table: string, from: string, to: string): TransitionInput => ({ kind: 'rename-index', table, from, to });

/** A data move SQL expressions cannot say; `run` handles one batch per call and says when it is done. */
export const dataMove = (name: string, run: DataMoveFn): TransitionInput => ({ kind: 'data-move', name, run });

type Report = (path: string, message: string) => void;

/** The column that holds a changed type until contract swaps it in. */
export const shadowColumnName = (column: string) => fitName(`${OWN_TABLE_PREFIX}new_${column}`);

const syncTriggerName = (table: string, targets: string[]) => fitName(`${OWN_TABLE_PREFIX}sync_${table}_${targets.join('_')}`);

/**
 * Validates the release's transitions against its tables and turns them into model transitions.
 * Old columns a transition retires become tombstones, so contract drops them and nothing else.
 */
export function normalizeTransitions(
  release: string,
  inputs: TransitionInput[],
  tables: Record<string, TableModel>,
  report: Report,
): { transitions: Transition[]; retired: { table: string; column: string }[] } {
  const transitions: Transition[] = [];
  const targeted = new Set<string>();
  const sqlPaths = new Map<string, string>();
  inputs.forEach((input, i) => {
    const path = `transitions[${i}] (${input.kind})`;
    const before = transitions.length;
    if (input.kind === 'rename-table') renameTableTransition(input, tables, path, report, transitions);
    else if (input.kind === 'rename-constraint' || input.kind === 'rename-index') objectRenameTransition(input, tables, path, report, transitions);
    else if (input.kind === 'data-move') dataMoveTransition(release, input, transitions, path, report);
    else if (input.kind === 'sql') sqlStepTransition(input, sqlPaths, transitions, path, report);
    else {
      const sync = columnSync(release, input, tables, path, report);
      if (sync) transitions.push(sync);
    }
    for (const t of transitions.slice(before)) {
      if (t.kind !== 'column-sync') continue;
      for (const target of [...Object.keys(t.forward), ...(t.swap ? [t.swap.column] : [])]) {
        const key = `${t.table}.${target}`;
        if (targeted.has(key)) report(path, `${key} is the target of an earlier transition too; declare one transition per column`);
        targeted.add(key);
      }
    }
  });
  const retired = transitions.flatMap((t) => (t.kind === 'column-sync' ? t.retires.map((column) => ({ table: t.table, column })) : []));
  return { transitions, retired };
}

function renameTableTransition(
  input: Extract<TransitionInput, { kind: 'rename-table' }>,
  tables: Record<string, TableModel>,
  path: string,
  report: Report,
  out: Transition[],
): void {
  if (!(input.to in tables)) report(path, `the new name "${input.to}" must be declared in tables`);
  else if (input.from in tables) report(path, `the old name "${input.from}" is still declared; declare the table under "${input.to}" only`);
  else if (input.from === '') report(path, 'the old name must not be empty');
  else out.push({ kind: 'rename-table', from: input.from, to: input.to });
}

const RENAMED_OBJECT = {
  'rename-constraint': { object: 'constraint', lists: 'primaryKey, uniques, foreignKeys, checks or exclusions' },
  'rename-index': { object: 'index', lists: 'indexes' },
} as const;

/** `to` is declared as the kind the transition names, `from` nowhere in the table; one rename per name. */
function objectRenameTransition(
  input: Extract<TransitionInput, { kind: 'rename-constraint' | 'rename-index' }>,
  tables: Record<string, TableModel>,
  path: string,
  report: Report,
  out: Transition[],
): void {
  const { object, lists } = RENAMED_OBJECT[input.kind];
  const table = tables[input.table];
  if (!table) return report(path, `table "${input.table}" is not declared`);
  const named = namedObjects(table);
  const isKind = (kind: NamedObjectKind) => (object === 'index') === (kind === 'index');
  const to = named.find((o) => o.name === input.to);
  const problems = [
    ...(input.from === input.to ? [`"${input.from}" is renamed to itself; remove the transition`] : []),
    ...(to === undefined ? [`the new name "${input.to}" must be declared in tables.${input.table} (${lists})`] : []),
    ...(to && !isKind(to.kind) ? [`"${input.to}" is declared at ${to.path}, which ${input.kind} does not rename; use ${object === 'index' ? 'rename-constraint' : 'rename-index'}`] : []),
    ...(input.from !== input.to && named.some((o) => o.name === input.from)
      ? [`the old name "${input.from}" is still declared in tables.${input.table}; declare the ${object} under "${input.to}" only`]
      : []),
  ];
  const twice = out.find((t) => t.kind === 'rename-object' && t.table === input.table && (t.from === input.from || t.to === input.to));
  if (twice) problems.push(`${input.table}: "${input.from}" or "${input.to}" is renamed by an earlier transition too; declare one rename per name`);
  for (const p of problems) report(path, p);
  if (problems.length === 0) out.push({ kind: 'rename-object', object, table: input.table, from: input.from, to: input.to });
}

function dataMoveTransition(
  release: string,
  input: Extract<TransitionInput, { kind: 'data-move' }>,
  out: Transition[],
  path: string,
  report: Report,
): void {
  if (!input.name?.trim()) return report(path, 'a data move needs a name (it keys the checkpoint)');
  if (typeof input.run !== 'function') return report(path, '`run` must be a function that handles one batch');
  const id = `${release}:move:${input.name}`;
  if (out.some((t) => t.kind === 'data-move' && t.id === id)) return report(path, `a data move named "${input.name}" is declared twice`);
  out.push({ kind: 'data-move', id, name: input.name, run: input.run });
}

/** The statements of `up` or `down`, one per entry. */
const statementList = (value: string | string[] | undefined): string[] =>
  (value === undefined ? [] : Array.isArray(value) ? value : [value]).map((s) => (typeof s === 'string' ? s.trim() : ''));

/** A description made a name: `Create view active_users` is `create-view-active-users`. */
const slug = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');

/** The journal and the ledger keep a step's id in a varchar(255). */
const MAX_STEP_ID = 255;

/** `paths`: where each raw step id was declared, so a repeated one names both places. */
function sqlStepTransition(
  input: Extract<TransitionInput, { kind: 'sql' }>,
  paths: Map<string, string>,
  out: Transition[],
  path: string,
  report: Report,
): void {
  const problems: string[] = [];
  if (!(PHASES as readonly string[]).includes(input.phase)) problems.push(`\`phase\` must be one of ${PHASES.join(', ')}`);
  const description = typeof input.description === 'string' ? input.description.trim() : '';
  if (description === '') problems.push('a raw SQL step needs a `description` (it names the step in the plan)');
  const up = statementList(input.up);
  const down = statementList(input.down);
  if (up.length === 0 || up.some((s) => s === '')) problems.push('`up` needs one statement per entry, none of them empty');
  if (down.some((s) => s === '')) problems.push('`down` must hold no empty statement');
  const name = input.name?.trim() || slug(description);
  if (name === '' && description !== '') problems.push('the description makes no name (it has no letters or digits); give the step a `name`');
  const id = `sql:${name}`;
  if (id.length > MAX_STEP_ID) problems.push(`the id ${id.slice(0, 40)}... is longer than ${MAX_STEP_ID} characters; give the step a shorter \`name\``);
  for (const p of problems) report(path, p);
  if (problems.length > 0) return;
  const first = paths.get(id);
  if (first !== undefined) return report(path, `raw step ${id} is declared at ${first} too; give one of them another \`name\``);
  paths.set(id, path);
  const step: SqlStep = { kind: 'sql', id, name, phase: input.phase, description, up, down, hash: sqlHash(up) };
  out.push(step);
}

/** Names the statements a raw step ran, so a changed `up` shows against the ledger's record. */
const sqlHash = (up: string[]) => createHash('sha256').update(JSON.stringify(up)).digest('hex');

function columnSync(
  release: string,
  input: Exclude<TransitionInput, { kind: 'rename-table' | 'rename-constraint' | 'rename-index' | 'data-move' | 'sql' }>,
  tables: Record<string, TableModel>,
  path: string,
  report: Report,
): ColumnSync | null {
  const table = tables[input.table];
  if (!table) {
    report(path, `table "${input.table}" is not declared`);
    return null;
  }
  if (!table.primaryKey) {
    report(path, `${input.table} has no primary key; a backfill walks the table in key order, so declare one first`);
    return null;
  }
  const declared = (c: string) => table.columns.find((x) => x.name === c);
  const base = { backward: {} as Record<string, string>, retires: [] as string[], sources: [] as string[], fillOnly: false, swap: null };
  const make = (targets: string[], spec: Omit<ColumnSync, 'kind' | 'id' | 'table' | 'declaredAs' | 'trigger'>): ColumnSync => ({
    kind: 'column-sync',
    id: `${release}:${input.table}:${targets.join(',')}`,
    table: input.table,
    declaredAs: input.kind,
    trigger: syncTriggerName(input.table, targets),
    ...spec,
  });
  const errors: string[] = [];
  const need = (ok: boolean, message: string) => {
    if (!ok) errors.push(message);
  };
  let sync: ColumnSync;
  switch (input.kind) {
    case 'rename-column':
      need(declared(input.to) !== undefined, `the new column "${input.to}" must be declared in tables.${input.table}.columns`);
      need(declared(input.from) === undefined, `the old column "${input.from}" is still declared; declare only "${input.to}"`);
      sync = make([input.to], {
        ...base,
        forward: { [input.to]: input.from },
        backward: { [input.from]: input.to },
        retires: [input.from],
        sources: [input.from],
      });
      break;
    case 'derive': {
      const targets = Object.keys(input.forward ?? {});
      need(targets.length > 0, '`forward` must name at least one new column');
      for (const t of targets) need(declared(t) !== undefined, `the new column "${t}" must be declared in tables.${input.table}.columns`);
      for (const r of input.retires ?? []) need(declared(r) === undefined, `"${r}" is retired but still declared`);
      for (const b of Object.keys(input.backward ?? {})) {
        need((input.retires ?? []).includes(b), `backward writes "${b}", which must be an old column listed in \`retires\``);
      }
      const retires = input.retires ?? [];
      const backward = input.backward ?? {};
      const sources = input.reads ?? [...new Set([...retires, ...Object.keys(backward)])];
      sync = make(targets, { ...base, forward: { ...input.forward }, backward: { ...backward }, retires: [...retires], sources });
      break;
    }
    case 'fill': {
      const column = declared(input.column);
      need(column !== undefined, `the column "${input.column}" must be declared in tables.${input.table}.columns`);
      need(column === undefined || !column.nullable, `"${input.column}" must be declared nullable: false; a fill exists to make a new column NOT NULL`);
      need(Boolean(input.expression?.trim()), '`expression` must not be empty');
      sync = make([input.column], { ...base, forward: { [input.column]: input.expression }, fillOnly: true });
      break;
    }
    case 'change-type': {
      const column = declared(input.column);
      need(column !== undefined, `the column "${input.column}" must be declared in tables.${input.table}.columns with its new type`);
      for (const problem of typeChangeUsers(input.table, input.column, tables)) need(false, problem);
      need(column?.identity === null || column === undefined, `"${input.column}" is an identity column; its type cannot change online`);
      const shadow = shadowColumnName(input.column);
      sync = make([input.column], {
        ...base,
        forward: {},
        retires: [],
        sources: [input.column],
        swap: column ? { column: input.column, shadow, type: column.type, using: input.using ?? null } : null,
      });
      break;
    }
  }
  for (const e of errors) report(path, e);
  return errors.length > 0 ? null : sync;
}

/**
 * What the declared release builds on a type-changed column that contract's swap cannot carry: a
 * unique or index new in this release is built after the swap (the previous release and the live
 * table are checked for old ones elsewhere), but a primary or foreign key would have to move to
 * the shadow column with the rows still referring to it, and a unique expression index's
 * duplicate check would read the old values.
 */
function typeChangeUsers(table: string, column: string, tables: Record<string, TableModel>): string[] {
  const users = columnUsers(keyedTable(tables[table]!), column, Object.values(tables).map(keyedTable));
  return users.flatMap((u) => {
    if (u.kind === 'primary-key' || u.kind === 'foreign-key' || u.kind === 'referencing-foreign-key' || u.kind === 'exclusion') {
      return [`"${column}" is used by ${u.label}; the type of a key or referenced column cannot change online yet: ${TYPE_CHANGE_RECIPE}`];
    }
    if (u.unique && u.viaExpression) {
      return [`"${column}" is read by the expression of ${u.label}, whose duplicate check cannot read the converted values: declare that index in the next release, after this one's contract`];
    }
    return [];
  });
}
