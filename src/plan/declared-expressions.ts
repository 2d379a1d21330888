import type { SqlCompiler } from '../dialect.js';
import type { Change } from '../diff/changes.js';
import { readIndexKey } from '../model/index-entry.js';
import { splitExpressionEntry } from '../model/index-key-words.js';
import type { ColumnModel, DeclaredSchema, IndexModel, SchemaModel, TableModel } from '../model/schema-model.js';
import type { ColumnSync } from '../model/transition.js';
import { syncSpec } from './operations/column-sync.js';
import type { ColumnType } from '../model/column-type.js';

/** A row of columns the expression may read, under a name it may qualify them with. */
export interface ProbeRow {
  alias: string;
  columns: ColumnModel[];
}

/** How the server is asked about an expression; every shape reads a row of typed NULLs. */
export type ProbeShape =
  /** A CHECK or an index predicate: a condition on the row. */
  | { kind: 'condition'; row: ProbeRow; expression: string }
  /** A transition or index expression: a value computed from the row, stored as `type` (null: kept as it is). */
  | { kind: 'value'; row: ProbeRow; expression: string; type: ColumnType | null }
  /** A column's declared default, as its column definition renders it. */
  | { kind: 'default'; row: ProbeRow; column: ColumnModel };

/** One declared SQL expression a plan is about to apply, and where it was declared. */
export interface DeclaredExpression {
  table: string;
  /** What it is, for messages: `check "payments_amount_check"`, `default of column "due"`. */
  what: string;
  /** Where in the release: `tables.payments.checks.payments_amount_check`, `transitions[0] (derive) forward.full_name`. */
  path: string;
  /** As declared, for messages. */
  expression: string;
  probe: ProbeShape;
}

export interface ExpressionSources {
  declared: DeclaredSchema;
  /** The live schema before any declared table rename: a transition's old columns are read from it. */
  live: SchemaModel;
  sql: SqlCompiler;
  /** Without partial indexes the server never sees a predicate (the index covers every row). */
  partialIndexes: boolean;
}

/**
 * The declared expressions the changes are about to apply. Only those: a live object is already
 * valid, and once a phase converged its changes are gone, so a rerun has nothing to ask about.
 * Live objects kept as they are (an unvalidated check, an index to rebuild) are not asked about.
 */
export function declaredExpressions(changes: Change[], sources: ExpressionSources): DeclaredExpression[] {
  const found = new Map<string, DeclaredExpression>();
  const add = (expressions: DeclaredExpression[]) => {
    for (const e of expressions) if (!found.has(e.path)) found.set(e.path, e);
  };
  for (const change of changes) {
    switch (change.kind) {
      case 'create-table':
        add(tableExpressions(change.table, sources));
        break;
      case 'add-column':
      case 'set-default':
        add(defaultExpression(declaredRow(change.table, sources), change.column));
        break;
      case 'add-check':
        if (change.existing === 'none') add([checkExpression(declaredRow(change.table, sources), change.check.name, change.check.expression)]);
        break;
      case 'add-index':
        add(indexExpressions(declaredRow(change.table, sources), change.index, sources));
        break;
      case 'install-sync':
      case 'backfill':
      case 'remove-sync':
      case 'swap-column':
        add(syncExpressions(change.sync, sources));
        break;
      case 'set-not-null-through-copy':
        for (const sync of change.copy.swaps) add(syncExpressions(sync, sources));
        break;
      default:
        break;
    }
  }
  return [...found.values()];
}

function tableExpressions(table: TableModel, sources: ExpressionSources): DeclaredExpression[] {
  const row: ProbeRow = { alias: table.name, columns: table.columns };
  return [
    ...table.columns.flatMap((c) => defaultExpression(row, c)),
    ...table.checks.map((c) => checkExpression(row, c.name, c.expression)),
    ...table.indexes.flatMap((i) => indexExpressions(row, i, sources)),
  ];
}

/** The declared columns of a table, as checks, defaults and indexes see it once the release is applied. */
function declaredRow(table: string, sources: ExpressionSources): ProbeRow {
  return { alias: table, columns: sources.declared.model.tables[table]?.columns ?? [] };
}

function checkExpression(row: ProbeRow, name: string, expression: string): DeclaredExpression {
  return {
    table: row.alias,
    what: `check "${name}"`,
    path: `tables.${row.alias}.checks.${name}`,
    expression,
    probe: { kind: 'condition', row, expression },
  };
}

/** SQL defaults and string literals (a date default 'not-a-date'); numbers and booleans were checked against the type. */
function defaultExpression(row: ProbeRow, column: ColumnModel): DeclaredExpression[] {
  const value = column.default;
  if (value === null || (value.kind === 'literal' && typeof value.value !== 'string')) return [];
  // A column the release removes gets its default from the tombstone's fill.
  const removed = !row.columns.some((c) => c.name === column.name);
  return [{
    table: row.alias,
    what: `default of column "${column.name}"`,
    path: removed ? `tables.${row.alias}.removed.columns.${column.name}.fill` : `tables.${row.alias}.columns.${column.name}.default`,
    expression: value.kind === 'sql' ? value.expression : `'${String(value.value)}'`,
    probe: { kind: 'default', row, column },
  }];
}

function indexExpressions(row: ProbeRow, index: IndexModel, sources: ExpressionSources): DeclaredExpression[] {
  const at = `tables.${row.alias}.indexes.${index.name}`;
  const entries = index.columns.flatMap((entry, i): DeclaredExpression[] => {
    const expression = indexEntryExpression(entry, row.columns.map((c) => c.name));
    if (expression === null) return [];
    return [{
      table: row.alias,
      what: `expression of index "${index.name}"`,
      path: `${at}.columns[${i}]`,
      expression: entry,
      probe: { kind: 'value', row, expression, type: null },
    }];
  });
  if (index.where === null || !sources.partialIndexes) return entries;
  return [
    ...entries,
    {
      table: row.alias,
      what: `predicate of index "${index.name}"`,
      path: `${at}.where`,
      expression: index.where,
      probe: { kind: 'condition', row, expression: index.where },
    },
  ];
}

/**
 * The expression of an index entry, without its sort order or operator class (a collation stays:
 * `lower(x) COLLATE "C"` is an expression); null for a column of `columns` (`c`, `c DESC`, a MySQL
 * prefix `c(10)`, `c text_pattern_ops`), which the server knows already.
 */
export function indexEntryExpression(entry: string, columns: string[]): string | null {
  if (readIndexKey(entry, columns).kind === 'column') return null;
  const words = splitExpressionEntry(entry.trim());
  return words.collation === null ? words.body : `${words.body} COLLATE ${words.collation}`;
}

/**
 * A transition's expressions run in its trigger and backfill over the live row: its old columns
 * with their live types, and the new columns expand adds. The row is not named after the table:
 * the trigger reads it as an anonymous row, where `users.name` names nothing.
 */
function syncExpressions(sync: ColumnSync, sources: ExpressionSources): DeclaredExpression[] {
  const declared = sources.declared.model.tables[sync.table];
  const live = liveTable(sync.table, sources);
  const liveColumns = live?.columns ?? [];
  // A change-type's shadow column, which expand adds, is what the cast back to the old column reads.
  const shadow: ColumnModel[] = sync.swap ? [{ name: sync.swap.shadow, type: sync.swap.type, nullable: true, default: null, identity: null }] : [];
  const columns = [...liveColumns, ...[...(declared?.columns ?? []), ...shadow].filter((c) => !liveColumns.some((l) => l.name === c.name))];
  const row: ProbeRow = { alias: '_dbtide_row', columns };
  const typeOf = (name: string) => columns.find((c) => c.name === name)?.type ?? null;
  const index = sources.declared.transitions.findIndex((t) => t.kind === 'column-sync' && t.id === sync.id);
  const at = `transitions[${index}] (${sync.declaredAs})`;
  const spec = syncSpec(sync, { sql: sources.sql });
  const forward = Object.entries(spec.forward).map(([target, expression]): DeclaredExpression => {
    const column = sync.swap?.column ?? target;
    return {
      table: sync.table,
      what: `${sync.declaredAs} forward "${column}"`,
      path: `${at} ${forwardPath(sync, target)}`,
      expression,
      probe: { kind: 'value', row, expression, type: sync.swap?.type ?? typeOf(target) },
    };
  });
  const backward = Object.entries(spec.backward).map(([target, expression]): DeclaredExpression => ({
    table: sync.table,
    what: `${sync.declaredAs} backward "${target}"`,
    path: `${at} ${sync.declaredAs === 'rename-column' ? 'to' : `backward.${target}`}`,
    expression,
    probe: { kind: 'value', row, expression, type: typeOf(target) },
  }));
  return [...forward, ...backward];
}

function forwardPath(sync: ColumnSync, target: string): string {
  switch (sync.declaredAs) {
    case 'rename-column': return 'from';
    case 'fill': return 'expression';
    case 'change-type': return sync.swap?.using ? 'using' : '(the default cast)';
    case 'derive': return `forward.${target}`;
  }
}

/** The live table a transition works on, also while a declared rename of it is still pending. */
function liveTable(name: string, sources: ExpressionSources): TableModel | undefined {
  const renamedFrom = sources.declared.transitions.find((t) => t.kind === 'rename-table' && t.to === name);
  return sources.live.tables[name] ?? (renamedFrom?.kind === 'rename-table' ? sources.live.tables[renamedFrom.from] : undefined);
}
